// One configured server as the application sees it: its platform and device
// proxies, which live as long as the driver, and the connection (session)
// that serves them now.
//
// When that session dies (the server went silent), every call on its objects
// fails. A call on one of the server's platforms or root devices, or one that
// names no object, then tries a new handshake, at most once a second
// (kRetryInterval); once the server answers again, the platforms and devices
// are bound to the new session (matched by index: platform i, device j of it),
// so new contexts, buffers and kernels work, while the objects of the dead
// session keep failing (CL_OUT_OF_RESOURCES). A server that never answered
// offers no platforms: the ICD loader asks for platforms only once.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <CL/cl.h>
#include <zmq.hpp>

#include "rcl/icd/transport/connection.h"

namespace rcl::icd {

class ServerLink {
 public:
  static constexpr std::chrono::seconds kRetryInterval{1};

  ServerLink(zmq::context_t& zmq, std::string endpoint, ConnectionOptions options);
  ServerLink(const ServerLink&) = delete;
  ServerLink& operator=(const ServerLink&) = delete;

  // The first handshake; false (logged) if the server offers nothing.
  bool connect();
  // The server's platform proxies (fixed by the first handshake).
  const std::vector<cl_platform_id>& platforms() const { return platforms_; }
  // The connection serving the proxies now; nullptr before connect().
  Connection* current() const { return current_; }
  // If `connection` is (or was) this server's and the current one is dead:
  // tries a new session, unless the last try is less than kRetryInterval ago.
  // Returns whether `connection` was this server's.
  bool reviveFor(const Connection* connection);
  // At exit: every connection says goodbye and stops (they stay, dead).
  void shutdown();

 private:
  std::unique_ptr<Connection> open(bool retry) const;
  bool made(const Connection* connection) const;
  // Makes the proxies for the first session.
  void adopt(Connection& connection);
  // Moves the proxies to `connection`, matched by index; logs what does not match.
  void rebind(Connection& connection);

  zmq::context_t& zmq_;
  const std::string endpoint_;
  const ConnectionOptions options_;
  std::mutex tryMutex_;  // one handshake at a time; held while it runs
  std::chrono::steady_clock::time_point lastTry_{};
  mutable std::mutex connectionsMutex_;
  // Every connection made, the current one last: the dead ones stay, since
  // objects of their sessions still point to them.
  std::vector<std::unique_ptr<Connection>> connections_;
  std::atomic<Connection*> current_{nullptr};
  std::vector<cl_platform_id> platforms_;
};

}  // namespace rcl::icd
