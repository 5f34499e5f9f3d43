#include "rcl/protocol/curve.h"

#include <array>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "rcl/protocol/text.h"

namespace rcl::protocol {
namespace {

constexpr std::size_t kKeyText = 40;
constexpr std::size_t kKeyBytes = 32;

// The meaningful lines of a file (comments and blanks left out), with their numbers.
std::vector<std::pair<int, std::string>> keyLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::pair<int, std::string>> lines;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = trim(line);
    if (!line.empty() && line.front() != '#') lines.emplace_back(number, line);
  }
  return lines;
}

std::string keySetting(const SettingLookup& setting, const char* keyVariable, const char* keyName,
                       const char* fileVariable, const char* fileName) {
  const std::string key = setting(keyVariable, keyName);
  const std::string file = setting(fileVariable, fileName);
  if (!key.empty() && !file.empty())
    throw std::runtime_error(std::string("give ") + keyVariable + " or " + fileVariable + ", not both");
  if (!file.empty()) return readCurveKeyFile(file);
  if (!key.empty() && !isCurveKey(key))
    throw std::runtime_error(std::string(keyVariable) + " is not a CURVE key (40 characters of Z85)");
  return key;
}

}  // namespace

bool curveAvailable() { return zmq_has("curve") != 0; }

CurveKeyPair newCurveKeyPair() {
  std::array<char, kKeyText + 1> publicKey{}, secretKey{};
  if (zmq_curve_keypair(publicKey.data(), secretKey.data()) != 0)
    throw std::runtime_error(std::string("cannot make a CURVE key pair: ") + zmq_strerror(zmq_errno()));
  return {publicKey.data(), secretKey.data()};
}

bool isCurveKey(const std::string& z85) {
  std::array<std::uint8_t, kKeyBytes> bytes{};
  return z85.size() == kKeyText && zmq_z85_decode(bytes.data(), z85.c_str()) != nullptr;
}

std::string curvePublicKeyOf(const std::string& secretKey) {
  if (!isCurveKey(secretKey)) throw std::runtime_error("not a CURVE secret key (40 characters of Z85)");
  std::array<char, kKeyText + 1> publicKey{};
  if (zmq_curve_public(publicKey.data(), secretKey.c_str()) != 0)
    throw std::runtime_error(std::string("cannot derive the public key: ") + zmq_strerror(zmq_errno()));
  return publicKey.data();
}

std::string curveKeyBytes(const std::string& z85) {
  std::array<std::uint8_t, kKeyBytes> bytes{};
  if (z85.size() != kKeyText || zmq_z85_decode(bytes.data(), z85.c_str()) == nullptr)
    throw std::runtime_error("not a CURVE key (40 characters of Z85)");
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string curveKeyText(const void* bytes32) {
  std::array<char, kKeyText + 1> text{};
  zmq_z85_encode(text.data(), static_cast<const std::uint8_t*>(bytes32), kKeyBytes);
  return text.data();
}

std::string readCurveKeyFile(const std::string& path) {
  const auto lines = keyLines(path);
  if (lines.empty()) throw std::runtime_error(path + " holds no key");
  if (!isCurveKey(lines.front().second))
    throw std::runtime_error(path + ":" + std::to_string(lines.front().first) +
                             ": not a CURVE key (40 characters of Z85)");
  return lines.front().second;
}

CurveClientKeys loadCurveClientKeys(const SettingLookup& setting) {
  CurveClientKeys keys;
  keys.serverKey = keySetting(setting, "REMOTE_CL_CURVE_SERVER_KEY", "curve_server_key",
                              "REMOTE_CL_CURVE_SERVER_KEY_FILE", "curve_server_key_file");
  keys.secretKey = keySetting(setting, "REMOTE_CL_CURVE_SECRET_KEY", "curve_secret_key",
                              "REMOTE_CL_CURVE_SECRET_KEY_FILE", "curve_secret_key_file");
  if (keys.serverKey.empty() && keys.secretKey.empty()) return keys;
  if (keys.serverKey.empty())
    throw std::runtime_error("a client key is set but not the server's (REMOTE_CL_CURVE_SERVER_KEY or _FILE)");
  if (keys.secretKey.empty())
    throw std::runtime_error("the server's key is set but not this client's (REMOTE_CL_CURVE_SECRET_KEY_FILE)");
  if (!curveAvailable()) throw std::runtime_error("this libzmq has no CURVE support");
  keys.publicKey = curvePublicKeyOf(keys.secretKey);
  return keys;
}

std::string environmentSetting(const char* variable, const char* /*fileKey*/) {
  const char* value = std::getenv(variable);
  return value != nullptr ? value : "";
}

void applyCurveClient(zmq::socket_t& socket, const CurveClientKeys& keys) {
  if (!keys.enabled()) return;
  socket.set(zmq::sockopt::curve_serverkey, keys.serverKey);
  socket.set(zmq::sockopt::curve_publickey, keys.publicKey);
  socket.set(zmq::sockopt::curve_secretkey, keys.secretKey);
}

void applyCurveServer(zmq::socket_t& socket, const std::string& secretKey, const std::string& domain) {
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, secretKey);
  socket.set(zmq::sockopt::zap_domain, domain);
}

}  // namespace rcl::protocol
