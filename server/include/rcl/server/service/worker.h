// Session isolation: each client session runs in a worker process of its
// own, started by the listening server (`remote-cl-server --worker ...`), so
// a kernel or driver fault that kills one session leaves every other one
// running. The worker binds the session's socket and tells the listening
// server where it is, and which platform and device ids it offers, on its
// stdout:
//   ready ENDPOINT
//   platform PLATFORM_ID DEVICE_ID...     (one line per platform)
//   end
// and then, on the same pipe (no longer its stdout by then: see runWorker),
// every second while something changed and once more when it ends:
//   live|moved BYTES_IN BYTES_OUT OBJECTS MEMORY_BYTES BUSY_QUEUES
// and, as the session ends, before the last "moved" (tab-separated: a kind
// has spaces; SessionEnding):
//   ended<TAB>REASON<TAB>DETAIL<TAB>MEMORY_BYTES_FREED<TAB>RELEASES_FAILED[<TAB>KIND<TAB>COUNT]...
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rcl/protocol/unique_fd.h"
#include "rcl/server/session/session.h"

namespace rcl::server {

struct WorkerArgs {
  std::uint64_t session = 0;
  std::string bind;    // where the session's socket binds
  std::string client;  // the client's name, for the logs
};

// The worker process's main: serves one session until it ends. Returns the exit code.
// `stop` is set by SIGTERM: the session then frees everything and ends.
int runWorker(const WorkerArgs& args, const std::vector<ExposedPlatform>& platforms, SessionOptions options,
              const std::atomic<bool>& stop);

// The listening server's handle on one worker.
class WorkerProcess {
 public:
  // Starts `exe` with `args` for the session of `client`; stdout comes back
  // through a pipe, stderr is shared.
  WorkerProcess(const std::string& exe, const std::vector<std::string>& args, std::string client);
  ~WorkerProcess();  // kills and reaps a worker still running
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& client() const { return client_; }
  std::chrono::steady_clock::time_point started() const { return started_; }
  int readyFd() const { return stdout_; }
  // Reads what is there of the ready message; true once it is complete.
  bool readReady();
  const std::string& endpoint() const { return endpoint_; }
  const std::vector<Session::PlatformIds>& platformIds() const { return platforms_; }
  // Readable once the worker has exited (a pidfd), so that the listening
  // server can sleep until then; -1 where the kernel has no pidfd_open.
  int exitFd() const { return exitFd_.get(); }
  // Non-blocking: has the worker ended? Then its exit description.
  std::optional<std::string> ended();
  // What its session moved and holds, as last told (zeros before it told).
  struct Report {
    std::uint64_t bytesIn = 0, bytesOut = 0, objects = 0, memoryBytes = 0;
    std::uint64_t busyQueues = 0;  // queues with commands not yet complete
  };
  const Report& report();
  // How its session ended, once it said so (read with report()).
  const std::optional<SessionEnding>& lastWords() const { return lastWords_; }
  void terminate();

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  protocol::UniqueFd exitFd_;
  std::string client_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::string pending_;
  bool complete_ = false;
  std::string endpoint_;
  std::vector<Session::PlatformIds> platforms_;
  Report report_;
  std::optional<SessionEnding> lastWords_;
  bool reaped_ = false;
};

}  // namespace rcl::server
