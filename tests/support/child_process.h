#pragma once
// Runs a piece of a test in a forked child, so that it can be killed, or can
// use the OpenCL ICD loader with its own environment (the loader reads its
// configuration once per process). The parent never calls OpenCL.
//
// A child says what went wrong in words: its body returns an Outcome, empty
// when all went well, and the parent's waitForOutcome() gives it back (or
// says how the child ended if it could not tell: a signal, a hang).

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>

namespace rcl::test {

// What a child reports: empty if all went well, else what failed.
using Outcome = std::string;

class ChildProcess {
 public:
  // Forks and runs `body` in the child.
  // `body` may call signalParent() to tell the parent it reached a point.
  // (No body reports through a numbered exit code: a failure says what failed.)
  explicit ChildProcess(const std::function<Outcome()>& body);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits up to `timeout` for the child to call signalParent(). False on timeout or exit.
  bool waitForSignal(std::chrono::milliseconds timeout);
  // Waits up to `timeout` for the exit (the outcome does not matter): true
  // once it ended, false if it still runs (the destructor kills it).
  bool waitForExit(std::chrono::milliseconds timeout);
  // Waits up to `timeout` for the exit: "" if the child's body reported
  // success, else its words, or how it ended ("killed by signal 11 (...)",
  // "still running after 30 s").
  std::string waitForOutcome(std::chrono::milliseconds timeout);
  void kill(int signal);
  pid_t pid() const { return pid_; }

  // Sends the child one line (no newline in `line`); the child reads it with awaitLine().
  void tell(const std::string& line);

  // In the child: tell the parent.
  static void signalParent();
  // In the child: the next line the parent sent with tell(), or "" if none came within `timeout`.
  static std::string awaitLine(std::chrono::milliseconds timeout);

 private:
  void start(const std::function<Outcome()>& body);

  pid_t pid_ = -1;
  int readFd_ = -1;     // signals from the child
  int outcomeFd_ = -1;  // the child's outcome, written once as it ends
  int tellFd_ = -1;     // lines to the child
  int status_ = 0;      // waitpid's, once reaped
  bool reaped_ = false;
};

}  // namespace rcl::test
