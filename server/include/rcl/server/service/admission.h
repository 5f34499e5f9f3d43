// Who may open a session now: the listening server's admission of a client's
// handshake. A client is known by the allowed-clients entry of its CURVE key
// (ZAP's User-Id, security.h); its entry's `sessions=N` caps its sessions at
// once, and `memory=`/`objects=` replace the server's per-session limits for
// them. While the server drains (SIGTERM) nobody gets a new session.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <CL/cl.h>
#include <zmq.hpp>

#include "rcl/protocol/allowed_clients.h"
#include "rcl/server/session/session.h"

namespace rcl::server {

class Security;

struct ClientIdentity {
  std::string keyName;                             // "" without keys
  const protocol::AllowedClient* entry = nullptr;  // its allowed-clients entry (owned by Security)
  // "key alice" for the logs, or "" without keys.
  std::string describe() const { return keyName.empty() ? std::string() : ", key " + keyName; }
};

struct Refusal {
  cl_int status;
  std::string message;
};

class Admission {
 public:
  explicit Admission(std::shared_ptr<const Security> security);

  // The client that sent `frame` (a message from it, not the routing frame
  // ROUTER adds): the entry of the key its connection authenticated with.
  ClientIdentity identify(const zmq::message_t& frame) const;
  // nullopt: `who` may open a session now; else why not.
  std::optional<Refusal> check(const ClientIdentity& who) const;
  // The session limits of `who`'s sessions: `base` with its entry's overrides.
  SessionOptions limitsFor(const ClientIdentity& who, const SessionOptions& base) const;

  // The sessions counted against their keys: from start (worker starting) to end.
  void opened(std::uint64_t session, const ClientIdentity& who);
  void closed(std::uint64_t session);
  // The key name of a session counted now ("" if none).
  std::string keyOf(std::uint64_t session) const;

  void startDraining() { draining_ = true; }
  bool draining() const { return draining_; }

 private:
  std::size_t sessionsOf(const std::string& keyName) const;

  std::shared_ptr<const Security> security_;
  std::unordered_map<std::uint64_t, std::string> keyOf_;
  bool draining_ = false;
};

}  // namespace rcl::server
