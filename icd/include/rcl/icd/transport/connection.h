// One session with one remote-cl-server: two DEALER sockets (calls go out on
// one, replies, pushes and heartbeats come back on the other), a receiver
// thread, and a thread that runs application callbacks. With CURVE keys every
// socket it opens is a CURVE client (protocol/curve.h).
//
// A connection whose server went silent is dead for good: its calls fail. The
// ServerLink that made it may make a new one (a new session) when the server
// is back; the dead one stays, so that the objects of its session keep failing.
//
// Any application thread may call; sends are serialized by a mutex and never
// wait for the network, sync calls wait for their own reply only.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <CL/cl.h>
#include <spdlog/common.h>
#include <zmq.hpp>

#include "rcl/icd/objects/objects.h"
#include "rcl/icd/transport/reply_sockets.h"
#include "rcl/icd/transport/bulk_socket.h"
#include "rcl/icd/transport/send_latch.h"
#include "rcl/icd/transport/shm_segment.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/curve.h"
#include "rcl/protocol/link_watch.h"
#include "rcl/protocol/pushes.h"
#include "rcl/protocol/transport.h"

namespace rcl::protocol::control {
struct PlatformInfoAllReply;  // control_messages.h ([control.PlatformInfoAll])
}  // namespace rcl::protocol::control

namespace rcl::icd {

// What to do when a read's bytes arrive.
struct PendingRead {
  cl_event event = nullptr;  // held until the bytes are in place
  // Called for each piece of the bytes, `offset` bytes into the whole.
  std::function<void(const void* bytes, std::size_t size, std::size_t offset)> deliver;
  // Set when the read's first bytes come in shared memory pieces: they complete it with the read.
  std::shared_ptr<ReadJoin> join;
};

// An application callback the server fires ([Kind::Callback] pushes).
struct RemoteCallback {
  std::function<void(protocol::Reader&)> run;
  bool once = true;
};

struct ConnectionOptions {
  std::chrono::milliseconds connectTimeout{2000};
  std::chrono::milliseconds heartbeat{1000};
  // No word from the server for this long: it is gone (README, "When the
  // server goes away": a lost connection is known at once; this is for a
  // server that stopped or a network that was cut).
  std::chrono::milliseconds deadAfter{10000};
  bool synchronous = false;                   // REMOTE_CL_SYNC: every async call waits for its status
  protocol::CurveClientKeys curve;            // CURVE on every socket, if enabled
  // A try to come back to a server that was lost: give up at once if nobody
  // listens, and log failures at debug level (ServerLink tries every second).
  bool retry = false;
  // Same-host bulk data through shared memory when the server can map it
  // (REMOTE_CL_SHM, REMOTE_CL_SHM_MB: see config.h).
  bool shm = true;
  std::size_t shmMegabytes = 64;
  // How long a transfer waits for a free slot of the segment before its
  // remaining bytes take the socket (REMOTE_CL_SLOT_PATIENCE_MS): a slot
  // stays lent while its piece waits in the queue (behind a user event the
  // application sets later, say), and while a busy server copies slowly.
  std::chrono::milliseconds slotPatience{100};
  // With shared memory, let the server copy straight from and to the
  // application's memory when it can (REMOTE_CL_DIRECT_COPY; protocol/shm.h).
  bool directCopy = true;
  // With direct copies, big buffers live in memory both processes map
  // (REMOTE_CL_SHARED_BUFFERS; protocol/shm.h "Shared buffers").
  bool sharedBuffers = true;
  // Over tcp:// without CURVE (and without shared memory), big transfers on
  // a TCP connection of their own (REMOTE_CL_BULK_SOCKET; protocol/bulk_socket.h).
  bool bulkSocket = true;
  // How many TCP connections (lanes) the bulk socket has; a big transfer is
  // cut in a piece a lane (REMOTE_CL_BULK_LANES, 1..8; protocol/bulk_socket.h).
  // 0: the default, 2 lanes, or 4 when they are encrypted (sealing and
  // opening run on the lanes' threads: more lanes, more of it in parallel).
  unsigned bulkLanes = 0;
  // With CURVE, bulk data takes lanes too, encrypted with AES-256-GCM under
  // keys of the session's own (REMOTE_CL_ENCRYPTED_LANES; protocol/bulk_crypt.h).
  bool encryptedLanes = true;
  // Ask the server for each command's device time (the trace's timeline; an
  // extra callback per command on the server, so only when tracing).
  bool deviceTimes = false;
};

class HandshakeMonitor;

// The platforms and devices a session offers, as the server's ids, in order.
struct PlatformLayout {
  std::uint64_t platform = 0;
  std::vector<std::uint64_t> devices;
};

class Connection {
 public:
  // Connects and shakes hands; nullptr (and a log line) if the server does
  // not answer in time or refuses.
  static std::unique_ptr<Connection> open(zmq::context_t& zmq, const std::string& endpoint,
                                          const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  const std::string& serverName() const { return serverName_; }
  // The ids of what the session offers (the handshake's answer).
  const std::vector<PlatformLayout>& layout() const { return layout_; }
  // Every information of those platforms and devices, which came with the
  // set-up (protocol/platform_info.h); nullptr from an older server.
  const std::shared_ptr<const protocol::control::PlatformInfoAllReply>& platformInfo() const { return platformInfo_; }
  // The platform proxies bound to this session (set by its ServerLink before use).
  const std::vector<cl_platform_id>& platforms() const { return platforms_; }
  void setPlatforms(std::vector<cl_platform_id> platforms) { platforms_ = std::move(platforms); }
  bool alive() const { return alive_; }
  // A dead connection that a new session replaced: its receiver stops (and
  // says goodbye, in case the server still hears); its calls keep failing.
  void retire();
  // Says goodbye and stops the threads; every later call fails. Idempotent.
  void shutdown();
  bool synchronous() const { return options_.synchronous; }

  // A sync call: sends `request` (header written by Call) and waits for the
  // reply. The status is the transport's if no reply came.
  struct Result {
    cl_int status = CL_SUCCESS;
    std::optional<protocol::Reader> reply;
  };
  Result roundTrip(protocol::Writer& request, std::size_t seqOffset);
  // An async call: sent, not waited for.
  cl_int send(protocol::Writer& request, std::size_t seqOffset);

  // Objects the server may name in replies and pushes.
  void track(Object* object);
  void untrack(Object* object);
  Object* find(std::uint64_t id);
  // The proxy at `address` if it is one of this connection's memory
  // objects, samplers or queues (kernel arguments); nullptr otherwise.
  Object* owned(const void* address);

  void expectRead(std::uint64_t eventId, PendingRead read);
  // A sync read's reply that carries its outcome (push::ReadData's fields,
  // after the status): completes read `eventId` as its push would; a
  // malformed one fails it.
  void readInReply(protocol::Reader& reader, std::uint64_t eventId);
  // Forgets a read; returns it if it was still expected.
  std::optional<PendingRead> cancelRead(std::uint64_t eventId);
  std::uint64_t addCallback(RemoteCallback callback);
  // Forgets a callback that may run many times (a context's error
  // notification) once its object is gone; a push for it is ignored after.
  void dropCallback(std::uint64_t id);
  // The shared memory the server mapped; nullptr: bulk data goes through the socket.
  ShmSegment* shm() const { return shm_.get(); }
  std::chrono::milliseconds slotPatience() const { return options_.slotPatience; }
  // Whether the server copies straight from and to this process's memory (direct pieces).
  bool directCopy() const { return directCopy_; }
  // Whether big buffers are offered to the server as shared buffers.
  bool sharedBuffers() const { return directCopy_ && options_.sharedBuffers; }
  // Shared buffers whose posted creation the worker may not have run yet (shared_buffer.h).
  SharedFdsInFlight& sharedFdsInFlight() { return sharedFdsInFlight_; }
  // A shared piece is on its way: the server's CopyNow for `token` runs `copy`.
  void expectSharedCopy(std::uint64_t token, SharedCopy copy);
  void cancelSharedCopy(std::uint64_t token);
  // The frames ZeroMQ holds that were lent from the application's memory.
  SendLatch& lentFrames() { return lentFrames_; }
  // The session's bulk socket; nullptr: bulk data travels in ZeroMQ frames.
  BulkSocket* bulk() const { return bulk_.get(); }
  // A fresh token naming one transfer's shared memory pieces.
  std::uint64_t nextToken() { return nextToken_++; }
  // Runs `job` on the callback thread (never the receiver).
  void runCallback(std::function<void()> job);

 private:
  Connection(zmq::context_t& zmq, std::string endpoint, ConnectionOptions options);
  bool handshake(HandshakeMonitor& monitor);
  // How loud a failed handshake is: a retry's failures are expected.
  spdlog::level::level_enum failureLevel() const {
    return options_.retry ? spdlog::level::debug : spdlog::level::err;
  }
  // The next control message that is not a ping; nullopt on timeout, error or
  // a failed ZeroMQ handshake (logged).
  // `refusal`: where an Error answer goes (its status, seq and message) instead of the log;
  // `kind`: where the answer's kind goes (a Reply, or the router's HelloPending request).
  std::optional<protocol::Reader> awaitControl(std::chrono::steady_clock::time_point deadline,
                                               HandshakeMonitor& monitor, protocol::push::Error* refusal = nullptr,
                                               protocol::Kind* kind = nullptr);
  // The answer to the hello (its kind read: a Reply), waiting through the
  // router's HelloPending (the session's worker starting) up to the start
  // timeout it states plus a margin; nullopt on refusal or timeout (logged).
  // `deadline` becomes the one the rest of the set-up keeps.
  std::optional<protocol::Reader> awaitHello(std::chrono::steady_clock::time_point& deadline,
                                             HandshakeMonitor& monitor);
  // Offers the server a shared memory segment; keeps it if the server mapped it.
  // Reads the answer to the PlatformInfoAll sent behind the Attach (an older server's Error: none).
  void readPlatformInfo(std::chrono::steady_clock::time_point deadline, HandshakeMonitor& monitor);
  void offerSharedMemory(std::chrono::steady_clock::time_point deadline, HandshakeMonitor& monitor);
  // Asks the session for a bulk socket and connects it (`session`: its endpoint).
  void openBulkSocket(const std::string& session, std::chrono::steady_clock::time_point deadline,
                      HandshakeMonitor& monitor);
  void receiveLoop();
  // Wakes the receiver (after stopping_ or retired_ is set) and joins it.
  void stopReceiver();
  void dispatch(protocol::Frames frames);
  void onReply(std::uint64_t seq, cl_int status, std::optional<protocol::Reader> reply);
  void onReadData(protocol::Reader& reader);
  // A read's outcome, from its push or its reply: the bytes in place, the event complete.
  void deliverRead(protocol::push::ReadData data);
  // A read piece's bytes are in a slot (or failed): put them in place, give the slot back.
  void onSlotData(protocol::Reader& reader);
  void onCallback(protocol::Reader& reader);
  // A shared piece's region is mapped: copy, and tell the server.
  void onCopyNow(protocol::Reader& reader);
  // The session's kernel printf output, onto this process's stdout.
  static void printOutput(protocol::Reader& reader);
  void declareDead(const std::string& why);
  // The server refused an async call before it read the call's event: every
  // pending event is marked to be asked about once (waitForEvent).
  void askAboutPendingEvents();
  // A sync call whose reply comes to the calling thread's own socket.
  Result roundTripOn(ReplySocket& socket, protocol::Writer& request, std::size_t seqOffset);
  void callbackLoop();

  struct Waiter {
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    Result result;
  };

  const std::string endpoint_;
  const ConnectionOptions options_;
  const std::uint64_t session_;
  zmq::socket_t calls_;    // requests out (application threads, under sendMutex_)
  zmq::socket_t control_;  // everything in (receiver thread)
  zmq::context_t& zmq_;
  std::shared_ptr<ReplySockets> replySockets_;  // made once the session's endpoint is known
  SharedFdsInFlight sharedFdsInFlight_;
  std::unique_ptr<ShmSegment> shm_;             // set in the handshake, if the server mapped it
  bool directCopy_ = false;                      // set in the handshake, if the server can read this process
  std::unique_ptr<BulkSocket> bulk_;            // set in the handshake, over tcp:// without CURVE
  std::atomic<std::uint64_t> nextToken_{1};
  SendLatch lentFrames_;
  std::mutex sharedCopiesMutex_;
  std::unordered_map<std::uint64_t, SharedCopy> sharedCopies_;
  std::mutex sendMutex_;
  std::atomic<std::uint64_t> nextSeq_{1};
  std::atomic<bool> alive_{true};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> retired_{false};  // the receiver stops, the callback thread goes on
  std::atomic<bool> shutDown_{false};
  std::string serverName_;
  std::vector<PlatformLayout> layout_;
  std::shared_ptr<const protocol::control::PlatformInfoAllReply> platformInfo_;
  std::vector<cl_platform_id> platforms_;

  std::mutex waitersMutex_;
  std::unordered_map<std::uint64_t, Waiter*> waiters_;

  std::mutex objectsMutex_;
  std::unordered_map<std::uint64_t, Object*> objects_;
  std::unordered_map<const void*, Object*> byAddress_;
  std::unordered_map<std::uint64_t, PendingRead> reads_;
  std::unordered_map<std::uint64_t, RemoteCallback> callbacks_;
  std::uint64_t nextCallbackId_ = 1;

  std::mutex jobsMutex_;
  std::condition_variable jobsReady_;
  std::deque<std::function<void()>> jobs_;

  std::unique_ptr<protocol::LinkWatch> link_;  // read by the receiver; nullptr: no watch
  protocol::UniqueFd wakeReceiver_;  // an eventfd: written to stop the receiver at once
  std::thread receiver_;
  std::thread callbackThread_;
};

}  // namespace rcl::icd
