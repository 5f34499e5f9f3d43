#include "rcl/server/support/security.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <charconv>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "rcl/protocol/curve.h"
#include "rcl/protocol/transport.h"

namespace rcl::server {
namespace {

constexpr const char* kZapDomain = "remote-cl";

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// The host part of a tcp endpoint: "tcp://HOST:PORT" -> "HOST".
std::string tcpHost(const std::string& endpoint) {
  const std::string rest = endpoint.substr(std::string("tcp://").size());
  const auto colon = rest.rfind(':');
  return colon == std::string::npos ? rest : rest.substr(0, colon);
}

bool othersCanRead(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0;
}

struct PortRange {
  std::string prefix;  // "tcp://HOST:"
  unsigned first = 0, last = 0;
};

// "tcp://HOST:FIRST-LAST" -> the range; nothing for any other endpoint.
std::optional<PortRange> portRange(const std::string& endpoint) {
  if (!startsWith(endpoint, "tcp://")) return std::nullopt;
  const auto colon = endpoint.rfind(':');
  const auto dash = endpoint.find('-', colon);
  if (colon == std::string::npos || dash == std::string::npos) return std::nullopt;
  PortRange range{endpoint.substr(0, colon + 1)};
  const char* end = endpoint.data() + endpoint.size();
  const auto a = std::from_chars(endpoint.data() + colon + 1, endpoint.data() + dash, range.first);
  const auto b = std::from_chars(endpoint.data() + dash + 1, end, range.last);
  if (a.ec != std::errc() || a.ptr != endpoint.data() + dash || b.ec != std::errc() || b.ptr != end ||
      range.first == 0 || range.first > range.last || range.last > 65535)
    throw std::runtime_error("bad port range in " + endpoint + " (FIRST-LAST, 1-65535)");
  return range;
}

}  // namespace

Security::Security(const SecurityOptions& options) : options_(options) {
  if (options_.secretKeyFile.empty() != options_.allowedClientsFile.empty())
    throw std::runtime_error("--curve-secret-key-file and --allowed-clients go together");
  if (options_.secretKeyFile.empty()) return;
  if (!protocol::curveAvailable()) throw std::runtime_error("this libzmq was built without CURVE (libsodium)");
  // Workers may start elsewhere: they get absolute paths.
  options_.secretKeyFile = std::filesystem::absolute(options_.secretKeyFile).string();
  options_.allowedClientsFile = std::filesystem::absolute(options_.allowedClientsFile).string();
  secretKey_ = protocol::readCurveKeyFile(options_.secretKeyFile);
  publicKey_ = protocol::curvePublicKeyOf(secretKey_);
  allowed_ = protocol::readAllowedClients(options_.allowedClientsFile);
}

std::vector<std::string> Security::warnings() const {
  std::vector<std::string> warnings;
  if (!curve()) return warnings;
  if (othersCanRead(options_.secretKeyFile))
    warnings.push_back(options_.secretKeyFile + ": the secret key can be read by others than its owner (chmod 600 it)");
  if (allowed_.empty()) warnings.push_back(options_.allowedClientsFile + " lists no client: every client is refused");
  return warnings;
}

std::vector<std::string> Security::workerArgs() const {
  std::vector<std::string> args;
  if (curve()) args = {"--curve-secret-key-file", options_.secretKeyFile, "--allowed-clients", options_.allowedClientsFile};
  if (options_.insecure) args.emplace_back("--insecure");
  return args;
}

void Security::checkBindable(const std::string& endpoint) const {
  if (curve() || options_.insecure || isLoopbackEndpoint(endpoint)) return;
  throw std::runtime_error("refusing to listen on " + endpoint +
                           " without CURVE keys: whoever reaches it could use this host's devices and see their data."
                           " Give --curve-secret-key-file and --allowed-clients (keys: remote-cl-keygen), listen on"
                           " loopback, or give --insecure to do it anyway");
}

void Security::secure(zmq::socket_t& socket) const {
  if (curve()) protocol::applyCurveServer(socket, secretKey_, kZapDomain);
}

std::unique_ptr<ZapHandler> Security::authenticator(zmq::context_t& context) const {
  if (!curve()) return nullptr;
  std::vector<std::string> keys;
  for (const auto& client : allowed_) keys.push_back(client.key);
  return std::make_unique<ZapHandler>(context, keys);
}

const protocol::AllowedClient* Security::allowedClient(const std::string& key) const {
  for (const auto& client : allowed_)
    if (client.key == key) return &client;
  return nullptr;
}

std::string Security::describe() const {
  if (curve()) return fmt::format("CURVE, server key {}, {} allowed client key(s)", publicKey_, allowed_.size());
  return options_.insecure ? "no encryption or authentication (--insecure)" : "no encryption or authentication";
}

bool isLoopbackEndpoint(const std::string& endpoint) {
  if (startsWith(endpoint, "ipc://") || startsWith(endpoint, "inproc://")) return true;
  if (!startsWith(endpoint, "tcp://")) return false;
  const std::string host = tcpHost(endpoint);
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (host.size() > 2 && host.front() == '[' && host.back() == ']' &&
      inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6) == 1)
    return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

void bindSecurely(zmq::socket_t& socket, const std::string& endpoint, const Security* security) {
  static const Security loopbackOnly;
  const Security& rules = security != nullptr ? *security : loopbackOnly;
  rules.checkBindable(endpoint);
  rules.secure(socket);
  protocol::allowIpv6For(socket, endpoint);  // tcp://[::1]:PORT, tcp://[::]:PORT (both families)
  const auto range = portRange(endpoint);
  if (!range) return socket.bind(endpoint);
  for (unsigned port = range->first; port <= range->last; ++port) {
    try {
      return socket.bind(range->prefix + std::to_string(port));
    } catch (const zmq::error_t& e) {
      if (e.num() != EADDRINUSE) throw;
    }
  }
  throw std::runtime_error("no free port in " + endpoint);
}

std::optional<std::pair<unsigned, unsigned>> sessionPortRange(const std::string& endpoint) {
  const auto range = portRange(endpoint);
  if (!range) return std::nullopt;
  return std::pair{range->first, range->last};
}

}  // namespace rcl::server
