// Who may use this server, and where it may listen.
//
//   --curve-secret-key-file FILE  the server's CURVE secret key (`remote-cl-keygen`);
//                                 clients set its public key as REMOTE_CL_CURVE_SERVER_KEY
//   --allowed-clients FILE        the public keys of the clients it accepts, one per line,
//                                 each with a name and limits (protocol/allowed_clients.h)
//   --insecure                    listen beyond loopback without CURVE
//
// With keys, every socket of the server (the listening one and each session's)
// is a CURVE server whose context has a ZAP handler checking the client's key.
// Without keys, a socket binds only to loopback (tcp://127.*, tcp://localhost,
// tcp://[::1], ipc://, inproc://), unless --insecure. Session workers get the
// same settings as options naming the files (never a key on a command line).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "rcl/protocol/allowed_clients.h"
#include "rcl/server/support/zap_handler.h"

namespace rcl::server {

struct SecurityOptions {
  std::string secretKeyFile;
  std::string allowedClientsFile;
  bool insecure = false;
};

class Security {
 public:
  Security() = default;  // no keys: loopback only
  // Loads the keys. Throws std::runtime_error saying what is wrong.
  explicit Security(const SecurityOptions& options);

  bool curve() const { return !secretKey_.empty(); }
  const std::string& publicKey() const { return publicKey_; }
  std::size_t allowedClients() const { return allowed_.size(); }
  // The entry of an allowed client's public key (Z85, as ZAP's User-Id gives
  // it), nullptr if none: without keys, or a key not listed.
  const protocol::AllowedClient* allowedClient(const std::string& key) const;
  // The command-line options that give a worker these settings.
  std::vector<std::string> workerArgs() const;
  // Throws std::runtime_error unless these settings allow binding `endpoint`.
  void checkBindable(const std::string& endpoint) const;
  // Before bind: CURVE on `socket` (nothing without keys).
  void secure(zmq::socket_t& socket) const;
  // The ZAP handler a context with CURVE sockets needs, made before the first
  // of them binds; nullptr without keys.
  std::unique_ptr<ZapHandler> authenticator(zmq::context_t& context) const;
  // "CURVE, 3 allowed clients" or "no encryption or authentication".
  std::string describe() const;
  // What looks wrong but works (a secret key others can read, an empty list).
  std::vector<std::string> warnings() const;

 private:
  SecurityOptions options_;
  std::string secretKey_;
  std::string publicKey_;
  std::vector<protocol::AllowedClient> allowed_;
};

// Whether `endpoint` can only be reached from this host.
bool isLoopbackEndpoint(const std::string& endpoint);

// Binds `socket` to `endpoint` as `security` (nullptr: no keys) allows:
// checked, then CURVE applied. A tcp endpoint may end in a port range
// `:FIRST-LAST`; the first free port of it is taken.
void bindSecurely(zmq::socket_t& socket, const std::string& endpoint, const Security* security);

// The ports of a "tcp://HOST:FIRST-LAST" endpoint (--session-ports), first and last; nothing for any other.
std::optional<std::pair<unsigned, unsigned>> sessionPortRange(const std::string& endpoint);

}  // namespace rcl::server
