// One client session: its handle table, and a worker thread that runs the
// session's calls in the order they arrived. Sessions never share objects.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CL/cl.h>

#include "rcl/protocol/transport.h"
#include "rcl/server/callbacks.h"
#include "rcl/server/handle_table.h"

namespace rcl::server {

class Outbox;

// A real platform the server offers, with its devices.
struct ExposedPlatform {
  cl_platform_id platform = nullptr;
  std::vector<cl_device_id> devices;
};

struct SessionStats {
  std::uint64_t calls = 0;
  std::uint64_t failedCalls = 0;
  std::uint64_t bytesIn = 0;
  std::atomic<std::uint64_t> bytesOut{0};  // counted by the router thread
  std::size_t peakObjects = 0;
};

class Session {
 public:
  Session(std::uint64_t id, std::string client, Outbox& outbox, const std::vector<ExposedPlatform>& platforms);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::uint64_t id() const { return id_; }
  const std::string& client() const { return client_; }
  // Queues a request for the worker (router thread).
  void enqueue(protocol::Frames frames);
  // Asks the worker to free everything and stop; returns at once.
  void close(std::string reason);
  bool finished() const { return finished_; }

  // The ids of the exposed platforms and their devices, for the handshake.
  struct PlatformIds {
    std::uint64_t platform;
    std::vector<std::uint64_t> devices;
  };
  const std::vector<PlatformIds>& platformIds() const { return platformIds_; }

  // Worker-thread side, used by CallContext.
  HandleTable& table() { return table_; }
  Outbox& outbox() { return outbox_; }
  SessionStats& stats() { return stats_; }
  CallbackTarget* newCallbackTarget(std::uint64_t callbackId);
  // Runs a call that blocks (clFinish) on a thread of its own, so the
  // session's other calls go on; joined before the session frees its objects.
  void runBlocking(std::function<void()> job);

 private:
  void run();
  void handle(protocol::Frames frames);
  void sendError(std::uint64_t seq, cl_int status, const std::string& message);
  void freeEverything();

  const std::uint64_t id_;
  const std::string client_;
  Outbox& outbox_;
  HandleTable table_;
  SessionStats stats_;
  std::vector<PlatformIds> platformIds_;
  std::list<CallbackTarget> callbackTargets_;
  struct BlockingJob {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<BlockingJob> blockingJobs_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<protocol::Frames> inbox_;
  bool closing_ = false;
  std::string closeReason_;
  std::atomic<bool> finished_{false};
  std::thread worker_;
};

}  // namespace rcl::server
