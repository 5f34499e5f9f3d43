// Session isolation: each client session runs in a worker process of its
// own, started by the listening server (`remote-cl-server --worker ...`), so
// a kernel or driver fault that kills one session leaves every other one
// running. The worker binds the session's socket and tells the listening
// server where it is, and which platform and device ids it offers, on its
// stdout:
//   ready ENDPOINT
//   platform PLATFORM_ID DEVICE_ID...     (one line per platform)
//   end
// and, when it ends, `moved BYTES_IN BYTES_OUT` (on the same pipe, which is
// no longer its stdout by then: see runWorker).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rcl/server/session.h"

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
  // Starts `exe` with `args`; stdout comes back through a pipe, stderr is shared.
  WorkerProcess(const std::string& exe, const std::vector<std::string>& args);
  ~WorkerProcess();  // kills and reaps a worker still running
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  int readyFd() const { return stdout_; }
  // Reads what is there of the ready message; true once it is complete.
  bool readReady();
  const std::string& endpoint() const { return endpoint_; }
  const std::vector<Session::PlatformIds>& platformIds() const { return platforms_; }
  // Non-blocking: has the worker ended? Then its exit description.
  std::optional<std::string> ended();
  // The bytes its session moved (in, out), from its last words; 0 if it had none.
  std::pair<std::uint64_t, std::uint64_t> bytesMoved();
  void terminate();

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  std::string pending_;
  bool complete_ = false;
  std::string endpoint_;
  std::vector<Session::PlatformIds> platforms_;
  bool reaped_ = false;
};

}  // namespace rcl::server
