// The listening side of remote-cl-server: one ROUTER socket that admits
// clients (the handshake), gives each a session with a socket of its own,
// and collects the sessions that ended.
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
#include "rcl/server/security.h"
#include "rcl/server/session.h"
#include "rcl/server/worker.h"

namespace rcl::server {

struct RouterOptions {
  std::string listen = "tcp://127.0.0.1:5555";
  // tcp: the ports sessions bind to, "FIRST-LAST" (for firewalls); empty: any free port.
  std::string sessionPorts;
  SessionOptions session;
  // Isolation: each session in a worker process started as `workerExe
  // --worker ... workerArgs` (worker.h). Without, sessions are threads of
  // this process (a fault in one kills all).
  bool isolate = true;
  std::string workerExe;
  std::vector<std::string> workerArgs;
  std::chrono::milliseconds workerStartTimeout{10000};
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
  void onStatus(const zmq::message_t& routing, std::uint64_t seq);
  // Where a new session's socket binds: the listening interface, any port or
  // one of RouterOptions::sessionPorts (tcp), or a path next to the listening one (ipc).
  std::string sessionBindAddress(std::uint64_t sessionId) const;
  void sendTo(const zmq::message_t& routing, protocol::Frames& frames);
  void sendError(const zmq::message_t& routing, std::uint64_t seq, cl_int status, const std::string& message);
  void collectEnded();
  void startWorker(std::uint64_t sessionId, const zmq::message_t& routing, std::uint64_t seq, const std::string& client);
  void onWorkerReady(std::uint64_t sessionId);
  void replyHello(const zmq::message_t& routing, std::uint64_t seq, const std::string& endpoint,
                  const std::vector<Session::PlatformIds>& platforms);

  // A worker that has not said where its session is yet.
  struct StartingWorker {
    std::unique_ptr<WorkerProcess> process;
    zmq::message_t routing;
    std::uint64_t seq;
    std::string client;
    std::chrono::steady_clock::time_point deadline;
  };

  RouterOptions options_;
  std::vector<ExposedPlatform> platforms_;
  std::string serverName_;
  zmq::context_t context_;
  std::unique_ptr<ZapHandler> zap_;  // with CURVE: checks each client's key (security.h)
  zmq::socket_t socket_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions_;  // without isolation
  std::unordered_map<std::uint64_t, StartingWorker> starting_;
  std::unordered_map<std::uint64_t, std::unique_ptr<WorkerProcess>> workers_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // Sessions that ended, and the bytes they moved (their workers report them at exit).
  std::uint64_t endedSessions_ = 0;
  std::uint64_t endedBytesIn_ = 0;
  std::uint64_t endedBytesOut_ = 0;
};

}  // namespace rcl::server
