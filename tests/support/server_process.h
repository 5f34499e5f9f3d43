#pragma once
// One remote-cl-server child process: spawned with an explicit environment, stdout read until the
// "listening on ENDPOINT" line, stderr (and later stdout) appended to a log file, and stopped
// (SIGINT, grace period, SIGKILL) and reaped on destruction.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace rcl::test {

class PipeDrain;

struct ServerLaunch {
  std::string binary;
  std::vector<std::string> args;             // argv[1..]
  std::vector<std::string> unsetVariables;   // removed from the child's environment
  std::string logPath;                       // child's stderr (and stdout after the ready line)
  std::chrono::milliseconds readyTimeout{std::chrono::seconds(20)};

  // The usual test server: `binary` listening on a free loopback port, seeing
  // the native platforms only (no OCL_ICD_VENDORS, no REMOTE_CL_SERVERS), with
  // `extraArgs` after --listen.
  static ServerLaunch loopback(std::string binary, std::string logPath, std::vector<std::string> extraArgs = {}) {
    ServerLaunch launch;
    launch.binary = std::move(binary);
    launch.args = {"--listen", "tcp://127.0.0.1:*"};
    launch.args.insert(launch.args.end(), extraArgs.begin(), extraArgs.end());
    launch.unsetVariables = {"OCL_ICD_VENDORS", "REMOTE_CL_SERVERS"};
    launch.logPath = std::move(logPath);
    return launch;
  }
};

class ServerProcess {
 public:
  static constexpr const char* kReadyPrefix = "listening on ";

  // Spawns the child and waits for its ready line. Throws std::runtime_error (after killing and
  // reaping the child) if it cannot be started, exits early or does not get ready in time.
  explicit ServerProcess(const ServerLaunch& launch);
  ~ServerProcess();

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& logPath() const { return logPath_; }

  // SIGINT (ends every session at once), wait up to `grace`, then SIGKILL; always reaps. Safe to call again, and safe if the
  // child already died (e.g. a test killed it). Returns a description of how it ended.
  std::string stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // True once the child has ended (checked without blocking; reaps it if so).
  bool hasExited();

 private:
  void waitUntilReady(int stdoutFd, int logFd, std::chrono::milliseconds timeout);
  void recordExit(const std::string& description);

  std::string logPath_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string exitDescription_;
  std::string endpoint_;
  std::unique_ptr<PipeDrain> stdoutDrain_;
};

// "exited with code 3", "killed by signal 9 (Killed)", ...
std::string describeWaitStatus(int status);

}  // namespace rcl::test
