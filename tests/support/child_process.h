#pragma once
// Runs a piece of a test in a forked child, so that it can be killed, or can
// use the OpenCL ICD loader with its own environment (the loader reads its
// configuration once per process). The parent never calls OpenCL.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>

namespace rcl::test {

class ChildProcess {
 public:
  // Forks and runs `body` in the child; its return value is the exit code.
  // `body` may call signalParent() to tell the parent it reached a point.
  explicit ChildProcess(const std::function<int()>& body);
  ~ChildProcess();

  // Waits up to `timeout` for the child to call signalParent(). False on timeout or exit.
  bool waitForSignal(std::chrono::milliseconds timeout);
  // Waits up to `timeout` for the exit; returns the exit code, or -1 (then kills it).
  int waitForExit(std::chrono::milliseconds timeout);
  void kill(int signal);
  pid_t pid() const { return pid_; }

  // In the child: tell the parent.
  static void signalParent();

 private:
  pid_t pid_ = -1;
  int readFd_ = -1;
  bool reaped_ = false;
};

}  // namespace rcl::test
