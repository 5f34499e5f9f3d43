// One client session: a socket of its own that the client talks to after the
// handshake, a worker thread (the leader) that runs the session's calls in the
// order they arrive and answers them directly (no hand-off to another thread
// on the way), the session's handle table, and its heartbeats. Sessions share
// nothing.
//
// Liveness never waits on an OpenCL call: a spare thread watches the leader,
// and when the leader's call has been inside the real platform for longer
// than kTakeOverAfter (a compile, a slow driver, a busy host), the spare takes
// the lead: it keeps the heartbeats and pushes going and, when the slow call
// is one its client thread waits for (a sync call), runs the calls that come
// after it (the client's other threads go on). The session's state is held by
// one call at a time (stateMutex_); a call lets go of it only while it is
// inside the real platform (CallContext::outside). session_threads.cpp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CL/cl.h>
#include <zmq.hpp>

#include "rcl/protocol/call_ids.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/link_watch.h"
#include "rcl/protocol/transport.h"
#include "rcl/server/session/blocking_pool.h"
#include "rcl/server/session/callbacks.h"
#include "rcl/server/session/handle_table.h"
#include "rcl/server/session/outbox.h"
#include "rcl/server/session/session_queues.h"
#include "rcl/server/session/staged_transfers.h"
#include "rcl/server/session/svm_allocations.h"

namespace rcl::protocol::control {
struct ShmAttach;   // control_messages.h (generated)
struct BulkAttach;
struct PlatformInfoAllReply;
}  // namespace rcl::protocol::control

namespace rcl::server {

// The data paths a session holds (data/): the session only keeps them.
class BulkSocket;
class DirectCopier;
class SharedBuffers;
class ShmSegment;

class Security;

namespace ops {
class Registry;
}

// A real platform the server offers, with its devices.
struct ExposedPlatform {
  cl_platform_id platform = nullptr;
  std::vector<cl_device_id> devices;
};

// What a session did. The counters a status query reads while the session
// runs (from another thread) are atomic; the rest are the session thread's.
struct SessionStats {
  std::uint64_t calls = 0;
  std::uint64_t failedCalls = 0;
  std::atomic<std::uint64_t> bytesIn{0};
  std::atomic<std::uint64_t> bytesOut{0};
  std::atomic<std::size_t> objects{0};      // held now (what limits count)
  std::atomic<std::size_t> memoryBytes{0};  // device memory held now
  std::size_t peakObjects = 0;
  std::size_t peakMemoryBytes = 0;
};

// How a session ended, for the status query's history (router.cpp): why
// (a few fixed words, what the server counts endings by, and the whole
// story) and what it still held when it ended.
struct SessionEnding {
  std::string reason, detail;
  std::uint64_t memoryBytesFreed = 0;
  std::vector<std::pair<std::string, std::uint64_t>> freed;  // objects, by kind
  std::uint64_t releasesFailed = 0;
};

struct SessionOptions {
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::milliseconds clientTimeout{15000};
  // Tests only (--test-delay-call NAME=MS): every call of this name stays
  // that long inside the real platform, as a slow driver would.
  std::string delayCall;
  std::chrono::milliseconds delayFor{0};
  // Tests only (--test-no-platform-info): PlatformInfoAll is refused as a
  // server before it refused the unknown control call, so a client asks as it did then.
  bool refusePlatformInfo = false;
  // The operations of the cl_rcl_ops extension; nullptr: the server offers none (--no-ops).
  std::shared_ptr<const ops::Registry> ops;
  // Limits per session; going over one is an OpenCL error, not a crash.
  std::size_t maxObjects = 100000;                    // objects held, events aside (CL_OUT_OF_RESOURCES)
  std::size_t maxMemoryBytes = 0;                     // device memory in memory objects, 0: the device's (CL_MEM_OBJECT_ALLOCATION_FAILURE)
  std::size_t maxMessageBytes = std::size_t{4} << 30;  // one request, bulk data included (CL_OUT_OF_RESOURCES)
  // CURVE keys and where sockets may bind (security.h); nullptr: no keys, loopback only.
  std::shared_ptr<const Security> security;
};

class CallContext;

class Session {
 public:
  // Binds the session's socket to `bindTo` (an endpoint with a wildcard port
  // or a fresh ipc path) and starts the worker.
  Session(zmq::context_t& zmq, const std::string& bindTo, std::uint64_t id, std::string client,
          const std::vector<ExposedPlatform>& platforms, SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::uint64_t id() const { return id_; }
  const std::string& client() const { return client_; }
  std::chrono::steady_clock::time_point started() const { return started_; }
  // The endpoint the session's socket is bound to.
  const std::string& endpoint() const { return endpoint_; }
  // Asks the worker to free everything and stop; returns at once. `reason`:
  // a few fixed words (SessionEnding), `detail` what follows them in the log.
  void close(std::string reason, std::string detail = {});
  // How it ended, once finished().
  const SessionEnding& ending() const { return ending_; }
  bool finished() const { return finished_; }
  // Whether the session was told to end (it may still be freeing).
  bool closing() {
    std::lock_guard lock(closeMutex_);
    return closing_;
  }

  // The ids of the exposed platforms and their devices, for the handshake.
  struct PlatformIds {
    std::uint64_t platform;
    std::vector<std::uint64_t> devices;
  };
  const std::vector<PlatformIds>& platformIds() const { return platformIds_; }

  // Worker-thread side, used by CallContext.
  HandleTable& table() { return table_; }
  SvmAllocations& svm() { return svm_; }
  // The client's shared memory (nullptr: everything goes through the socket),
  // and the pieces of transfers through it that wait for their command.
  const std::shared_ptr<ShmSegment>& shm() const { return shm_; }
  StagedTransfers& staged() { return staged_; }
  // Copies straight from and to the client's memory (nullptr: the client is
  // not on this host, or did not prove this worker may read its memory).
  const std::shared_ptr<DirectCopier>& direct() const { return direct_; }
  // Buffers in the client's memfds (nullptr without direct copies; shared_buffers.h).
  const std::shared_ptr<SharedBuffers>& sharedBuffers() const { return sharedBuffers_; }
  // The session's bulk socket (nullptr: bulk data travels in ZeroMQ frames).
  const std::shared_ptr<BulkSocket>& bulk() const { return bulk_; }
  // A user event the client made: the session holds it until it completes or
  // the session ends, even if the client released it, so no queue waits on it
  // forever (it is completed at the end).
  void keepUserEvent(cl_event event);
  // A queue the client made: held the same way, so that every command of the
  // session has run before its staging memory goes, even on queues the
  // client released.
  void keepQueue(cl_command_queue queue);
  // How many of the session's queues have commands not yet complete (any thread).
  std::uint64_t busyQueues() { return queues_.busy(); }
  const std::shared_ptr<Outbox>& outbox() { return outbox_; }
  SessionStats& stats() { return stats_; }
  // The user_data for an application callback the client registered (callbacks.h).
  void* newCallbackTarget(std::uint64_t callbackId);
  CompletionActions& completions() { return completions_; }
  // Whether the session may keep an object it just created: CL_SUCCESS, or
  // the error of the limit it would go over. `bytes`: the memory it holds.
  cl_int admit(ObjectKind kind, void* handle, std::size_t& bytes) const;
  // Whether the session may allocate `bytes` of SVM (counted with memory objects).
  cl_int admitSvm(std::size_t bytes) const;
  // Releases a real object once (for objects the session could not keep).
  static void releaseReal(ObjectKind kind, void* handle);
  // Sends to the client's control channel now (worker thread only).
  void send(protocol::Frames frames);
  // Sends the answer to request `seq` to the socket its reply index names.
  void reply(std::uint64_t seq, protocol::Frames frames);
  // Forwards what is written to `fd` (the read end of a pipe that replaced
  // the worker's stdout: kernel printf) to the client, ahead of each message
  // sent, so it is printed before the reply or event that follows it.
  void forwardOutputFrom(int fd) { outputFd_ = fd; }
  // Runs a call that blocks (clFinish) on a helper thread, so the session's
  // other calls go on.
  void runBlocking(std::function<void()> job) { blocking_.run(std::move(job)); }
  // For a call that must keep its place in the session's order but may take
  // long (an operation whose kernels compile on first use): `work` runs on a
  // helper thread and the session takes no other call meanwhile (heartbeats
  // and pushes go on); then `done` runs on the worker, before the next call.
  void runHeld(std::function<void()> work, std::function<void()> done);
  const SessionOptions& options() const { return options_; }
  // A call of the session stays inside the real platform while one of these
  // lives: the session's state is free for others meanwhile, and a spare
  // takes the lead if it takes too long (see the top of this file).
  // `holdsState`: the call runs under stateMutex_ (not a held call's helper).
  class Outside {
   public:
    Outside(Session& session, bool holdsState, bool ordered);
    ~Outside();
    Outside(const Outside&) = delete;
    Outside& operator=(const Outside&) = delete;

   private:
    Session& session_;
    const bool holdsState_;
  };
  // How long a leader's call may stay inside the real platform before a spare takes the lead.
  static constexpr std::chrono::milliseconds kTakeOverAfter{200};
  // --test-delay-call: sleeps if `call` is the one tests slow down.
  void delayForTests(protocol::CallId call) const;
  // Whether the client wants each command's device time with its completion (it traces).
  bool deviceTimes() const { return deviceTimes_; }

 private:
  // session_threads.cpp: a thread of the session, leading first or spare.
  void threadMain(bool leads);
  // Runs the session's loop until a spare took the lead (false) or the session is over (true).
  bool lead();
  // Waits as a spare until the leader's call is slow (true: this thread leads now) or the session is over.
  bool spare();
  bool isLeader() const { return leader_.load() == std::this_thread::get_id(); }
  // Whether calls must not be read now: a held call runs, or an ordered call that was taken over.
  bool readingPaused();
  // The end, on the leader: waits for calls still inside the real platform, frees everything.
  void end();
  // Sends on the socket: only the leader, holding socketMutex_.
  void sendNow(std::uint64_t seq, protocol::Frames frames);
  void onMessage(protocol::Frames frames);
  // `sourceFd`: the connection the message came on (link_watch.h).
  void onControl(const zmq::message_t& routing, protocol::Channel channel, protocol::Frames message, int sourceFd);
  // [ShmAttach]: maps the client's segment and answers with its cookie.
  void attachShm(const protocol::control::ShmAttach& request);
  // [BulkAttach, lanes]: opens the bulk socket and answers with its port, token and lanes.
  void attachBulk(const protocol::control::BulkAttach& request);
  // [PlatformInfoAll]: every information of the session's platforms and
  // devices (protocol/platform_info.h; handlers/platform_info_all.cpp).
  void answerPlatformInfo(std::uint64_t seq);
  // Its newer fields: the platforms' devices by type, the NULL properties' platform.
  void answerDeviceTypes(protocol::control::PlatformInfoAllReply& reply);
  void handle(protocol::Frames frames);
  // Updates what the session holds now, and its peaks, in stats_.
  void noteHoldings();
  // Runs `handler` on the call's arguments and answers (or reports its failure).
  void runCall(protocol::Reader& reader, std::uint64_t seq, protocol::CallId call, void (*handler)(CallContext&));
  // A call that may take long: run on a helper thread, answered from the worker.
  void handleHeld(protocol::Reader reader, std::uint64_t seq, protocol::CallId call);
  void sendError(std::uint64_t seq, cl_int status, const std::string& message);
  void heartbeat();
  void freeEverything();

  const std::uint64_t id_;
  const std::string client_;
  const std::string bindTo_;  // the endpoint pattern the session's socket was bound with
  const SessionOptions options_;
  zmq::socket_t socket_;
  std::string endpoint_;
  protocol::RoutingId control_{};
  int controlFd_ = -1;  // the connection the control channel came on (-1: unknown, inproc)
  // Tells when that connection closes: the client is gone (link_watch.h). nullptr: no watch.
  std::unique_ptr<protocol::LinkWatch> watch_;
  bool attached_ = false;  // the client's control channel is connected
  bool deviceTimes_ = false;  // said at attach time
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point lastHeard_;
  std::chrono::steady_clock::time_point nextBeat_ = std::chrono::steady_clock::now() + options_.heartbeat;
  std::atomic<int> outputFd_{-1};
  void forwardOutput(const protocol::RoutingId& to);
  std::shared_ptr<Outbox> outbox_;
  HandleTable table_;
  SvmAllocations svm_;
  std::shared_ptr<ShmSegment> shm_;
  std::shared_ptr<DirectCopier> direct_;
  std::shared_ptr<SharedBuffers> sharedBuffers_;
  std::shared_ptr<BulkSocket> bulk_;
  StagedTransfers staged_;
  std::vector<cl_event> userEvents_;  // retained once each (keepUserEvent)
  SessionQueues queues_;  // retained once each (keepQueue)
  SessionStats stats_;
  std::vector<PlatformIds> platformIds_;
  CallbackTargets callbackTargets_;
  BlockingPool blocking_;
  CompletionActions completions_;
  // runHeld: set while a held call runs; `heldDone_` once its work is over.
  bool held_ = false;
  std::atomic<bool> heldDone_{false};
  std::function<void()> heldThen_;

  std::mutex closeMutex_;
  bool closing_ = false;
  std::string closeReason_, closeDetail_;
  SessionEnding ending_;  // written by freeEverything, before finished_
  std::atomic<bool> finished_{false};

  // session_threads.cpp
  std::mutex stateMutex_;   // the session's state: held by the call that runs, except while it is Outside
  std::mutex socketMutex_;  // socket_: the leader, while it reads or sends
  std::mutex roleMutex_;    // what follows
  std::condition_variable roleChanged_;
  std::atomic<std::thread::id> leader_;
  std::optional<std::chrono::steady_clock::time_point> leaderOutsideSince_;  // the leader's call is Outside since
  bool leaderCallOrdered_ = false;  // that call is one the calls after it may depend on (no reply awaited)
  std::optional<std::thread::id> pausedFor_;  // a taken-over ordered call runs on this thread: no call is read
  std::size_t outside_ = 0;  // calls Outside now, on any thread
  bool endWaits_ = false;    // the leader waits for outside_ to reach 0 (outsideDone_)
  std::condition_variable outsideDone_;
  std::size_t spares_ = 0;
  bool over_ = false;  // the session ended: spares leave
  std::vector<std::thread> threads_;
};

}  // namespace rcl::server
