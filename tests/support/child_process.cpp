#include "child_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace rcl::test {
namespace {
int g_signalFd = -1;  // the child's end of the pipe (set only in the child)
}

ChildProcess::ChildProcess(const std::function<int()>& body) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    close(fds[0]);
    g_signalFd = fds[1];
    _exit(body());
  }
  close(fds[1]);
  readFd_ = fds[0];
}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(readFd_);
}

void ChildProcess::signalParent() {
  const char byte = 1;
  (void)!write(g_signalFd, &byte, 1);
}

bool ChildProcess::waitForSignal(std::chrono::milliseconds timeout) {
  pollfd p{readFd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
  char byte;
  return read(readFd_, &byte, 1) == 1;
}

int ChildProcess::waitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

void ChildProcess::kill(int signal) { ::kill(pid_, signal); }

}  // namespace rcl::test
