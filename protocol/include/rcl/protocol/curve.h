// CURVE, ZeroMQ's authentication and encryption (CurveZMQ): keys, key files
// and the socket settings of both sides.
//
// A key is 40 characters of Z85 text. A key file holds one key on its first
// line that is neither empty nor a comment (`#`): a secret key file holds the
// secret key only (the public key follows from it), a public key file the
// public key. The server's list of allowed clients: allowed_clients.h.
//
// The client's keys come from its settings (environment variable, else config
// file key):
//   REMOTE_CL_CURVE_SERVER_KEY       curve_server_key        the server's public key (Z85)
//   REMOTE_CL_CURVE_SERVER_KEY_FILE  curve_server_key_file   ... or a file holding it
//   REMOTE_CL_CURVE_SECRET_KEY_FILE  curve_secret_key_file   the client's secret key file
//   REMOTE_CL_CURVE_SECRET_KEY       curve_secret_key        ... or the key itself (Z85)
// No server key and no client key: no CURVE. One without the other is an error.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <zmq.hpp>

namespace rcl::protocol {

// Whether this libzmq was built with CURVE (libsodium).
bool curveAvailable();

struct CurveKeyPair {
  std::string publicKey;  // Z85
  std::string secretKey;  // Z85
};

CurveKeyPair newCurveKeyPair();
// 40 characters of the Z85 alphabet that decode to 32 bytes.
bool isCurveKey(const std::string& z85);
// The public key of a secret key. Throws std::runtime_error if it is not a key.
std::string curvePublicKeyOf(const std::string& secretKey);
// The 32 bytes of a key, and back.
std::string curveKeyBytes(const std::string& z85);
std::string curveKeyText(const void* bytes32);

// The key of a key file. Throws std::runtime_error naming the file and what is wrong.
std::string readCurveKeyFile(const std::string& path);

// What a client needs to talk CURVE to a server.
struct CurveClientKeys {
  std::string serverKey;  // the server's public key; empty: no CURVE
  std::string publicKey;
  std::string secretKey;
  bool enabled() const { return !serverKey.empty(); }
};

// A client setting: the environment variable's value if set, else the config
// file's value of `fileKey`, else empty.
using SettingLookup = std::function<std::string(const char* variable, const char* fileKey)>;
// The client's keys from its settings (the table above). Throws
// std::runtime_error if they are incomplete or unreadable: a client that was
// told to use CURVE must never fall back to plain text.
CurveClientKeys loadCurveClientKeys(const SettingLookup& setting);
// The lookup of the environment only (for tools without a config file).
std::string environmentSetting(const char* variable, const char* fileKey);

// Before connect: makes `socket` a CURVE client (nothing if !keys.enabled()).
void applyCurveClient(zmq::socket_t& socket, const CurveClientKeys& keys);
// Before bind: makes `socket` a CURVE server with `secretKey`, whose clients
// the ZAP handler of its context (if any) checks in `domain`.
void applyCurveServer(zmq::socket_t& socket, const std::string& secretKey, const std::string& domain);

}  // namespace rcl::protocol
