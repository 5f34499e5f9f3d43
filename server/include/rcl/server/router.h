// The listening side of remote-cl-server: one ROUTER socket, owned by one
// thread, that admits sessions (handshake), hands each session's requests to
// its worker, delivers everything in the outbox, and keeps heartbeats.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <zmq.hpp>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/transport.h"
#include "rcl/server/outbox.h"
#include "rcl/server/session.h"

namespace rcl::server {

struct RouterOptions {
  std::string listen = "tcp://127.0.0.1:5555";
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::milliseconds clientTimeout{10000};
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
  struct SessionRecord {
    std::unique_ptr<Session> session;
    protocol::RoutingId control{};
    std::chrono::steady_clock::time_point lastSeen;
  };

  void onMessage(protocol::Frames frames);
  void onControl(std::uint64_t sessionId, const zmq::message_t& routing, protocol::Frames message);
  void onHello(std::uint64_t sessionId, const zmq::message_t& routing, std::uint64_t seq, protocol::Reader& reader);
  void deliver(Outgoing& out);
  void sendTo(const void* routing, std::size_t size, protocol::Frames& frames);
  void sendError(const zmq::message_t& routing, std::uint64_t seq, cl_int status, const std::string& message);
  void heartbeat();
  void closeSession(std::uint64_t id, std::string reason);
  void collectClosed();

  RouterOptions options_;
  std::vector<ExposedPlatform> platforms_;
  std::string serverName_;
  zmq::context_t context_;
  zmq::socket_t socket_;
  Outbox outbox_;
  std::unordered_map<std::uint64_t, SessionRecord> sessions_;
  std::vector<std::unique_ptr<Session>> closing_;
};

}  // namespace rcl::server
