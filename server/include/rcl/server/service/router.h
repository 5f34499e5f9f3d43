// The listening side of remote-cl-server: one ROUTER socket that admits
// clients (the handshake), gives each a session with a socket of its own,
// and collects the sessions that ended.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <zmq.hpp>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/status.h"
#include "rcl/protocol/transport.h"
#include "rcl/server/service/admission.h"
#include "rcl/server/support/security.h"
#include "rcl/server/session/session.h"
#include "rcl/server/service/worker.h"

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
  // How long a worker may take to get ready (its platforms initialised) before the client is refused.
  std::chrono::milliseconds workerStartTimeout{30000};
  // Draining (SIGTERM): how long running sessions may go on before they are ended.
  std::chrono::milliseconds drainGrace{30000};
};

// What the signals asked of a running server (main.cpp's handler sets it).
enum class StopRequest : int {
  None = 0,
  Drain = 1,  // SIGTERM: no new sessions; stop when the running ones ended, or the grace period is over
  Now = 2,    // a second SIGTERM, or SIGINT: end every session (as a client death) and stop
};

class Router {
 public:
  Router(RouterOptions options, std::vector<ExposedPlatform> platforms);
  ~Router();

  // The endpoint actually bound (a wildcard port resolved).
  std::string endpoint() const;
  // Serves until `request` asks to stop now, or it asked to drain and the
  // draining is over. `wakeFd`: readable when `request` changed (the signal
  // handler writes to it), so that the loop sleeps while nothing happens;
  // without it (-1) the loop looks at `request` 5 times a second.
  void run(const std::atomic<int>& request, int wakeFd = -1);

 private:
  void onMessage(protocol::Frames frames);
  void onHello(std::uint64_t sessionId, const zmq::message_t& routing, std::uint64_t seq, protocol::Reader& reader,
               const ClientIdentity& who);
  void onStatus(const zmq::message_t& routing, std::uint64_t seq, protocol::Reader& reader);
  // Keeps a session that ended for the status query (its history and counters).
  void noteEnded(std::uint64_t id, const std::string& client, std::uint64_t workerPid,
                 std::chrono::steady_clock::time_point started, std::uint64_t bytesIn, std::uint64_t bytesOut,
                 const SessionEnding& ending);
  // A handshake refused, counted by `reason` (a few fixed words) for the status query.
  void noteRefused(const std::string& reason) { ++refusedByReason_[reason]; }
  // Where a new session's socket binds: the listening interface, any port or
  // one of RouterOptions::sessionPorts (tcp), or a path next to the listening one (ipc).
  std::string sessionBindAddress(std::uint64_t sessionId) const;
  void sendTo(const zmq::message_t& routing, protocol::Frames& frames);
  void sendError(const zmq::message_t& routing, std::uint64_t seq, cl_int status, const std::string& message);
  void collectEnded();
  // How long the loop may sleep: until the next deadline (a starting worker,
  // the drain), 200 ms while something can end unseen (a session in a thread,
  // a worker without an exit fd, no wake fd), otherwise for ever (-1).
  std::chrono::milliseconds sleepLimit(bool wakeable) const;
  // `takesPending`: the client's Hello said it takes a HelloPending, sent as the worker starts.
  void startWorker(std::uint64_t sessionId, const zmq::message_t& routing, std::uint64_t seq, const std::string& client,
                   const ClientIdentity& who, bool takesPending);
  // Draining: starts it (the first SIGTERM); true once it is over (no session left, or the grace
  // period is over and the sessions it ended are gone, or would not go).
  void startDraining();
  bool drained();
  // Ends every running session as a client death does (the grace period is over).
  void endSessions(const std::string& reason);
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
  Admission admission_;              // who may open a session now; each session's key
  zmq::socket_t socket_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions_;  // without isolation
  std::unordered_map<std::uint64_t, StartingWorker> starting_;
  std::unordered_map<std::uint64_t, std::unique_ptr<WorkerProcess>> workers_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // Sessions that ended, and the bytes they moved (their workers report them at exit).
  std::uint64_t endedSessions_ = 0;
  std::uint64_t endedBytesIn_ = 0;
  std::uint64_t endedBytesOut_ = 0;
  // The last protocol::kEndedHistory of them (secondsAgo counted from `at`), and counters by reason.
  struct Ended {
    protocol::EndedSessionStatus row;
    std::chrono::steady_clock::time_point at;
  };
  std::deque<Ended> recentlyEnded_;
  std::map<std::string, std::uint64_t> endedByReason_, refusedByReason_;
  // Draining: when the grace period ends; once it did, how long the ended sessions may take to go.
  std::chrono::steady_clock::time_point drainDeadline_;
  std::optional<std::chrono::steady_clock::time_point> endingDeadline_;
};

}  // namespace rcl::server
