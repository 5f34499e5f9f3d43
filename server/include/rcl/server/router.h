// The listening side of remote-cl-server: one ROUTER socket that admits
// clients (the handshake), gives each a session with a socket of its own,
// and collects the sessions that ended.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <zmq.hpp>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/transport.h"
#include "rcl/server/session.h"

namespace rcl::server {

struct RouterOptions {
  std::string listen = "tcp://127.0.0.1:5555";
  SessionOptions session;
};

class Router {
 public:
  Router(RouterOptions options, std::vector<ExposedPlatform> platforms);
  ~Router();

  // The endpoint actually bound (a wildcard port resolved).
  std::string endpoint() const;
  // Serves until `stop` becomes true.
  void run(const std::atomic<bool>& stop);

 private:
  void onMessage(protocol::Frames frames);
  void onHello(std::uint64_t sessionId, const zmq::message_t& routing, std::uint64_t seq, protocol::Reader& reader);
  // Where a new session's socket binds: the listening interface, any port
  // (tcp), or a path next to the listening one (ipc).
  std::string sessionBindAddress(std::uint64_t sessionId) const;
  void sendTo(const zmq::message_t& routing, protocol::Frames& frames);
  void sendError(const zmq::message_t& routing, std::uint64_t seq, cl_int status, const std::string& message);
  void collectEnded();

  RouterOptions options_;
  std::vector<ExposedPlatform> platforms_;
  std::string serverName_;
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions_;
};

}  // namespace rcl::server
