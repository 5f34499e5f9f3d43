#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

namespace rcl::test {
namespace {
int g_signalFd = -1;  // the child's end of the pipe (set only in the child)
int g_linesFd = -1;   // the child's end of the parent's lines (set only in the child)

void writeAll(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}
}  // namespace

ChildProcess::ChildProcess(const std::function<Outcome()>& body) { start(body); }

void ChildProcess::start(const std::function<Outcome()>& body) {
  int signals[2], outcome[2], lines[2];
  if (pipe(signals) != 0 || pipe(outcome) != 0 || pipe(lines) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    close(signals[0]);
    close(outcome[0]);
    close(lines[1]);
    g_signalFd = signals[1];
    g_linesFd = lines[0];
    const Outcome result = body();
    writeAll(outcome[1], result);
    _exit(result.empty() ? 0 : 1);
  }
  close(signals[1]);
  close(outcome[1]);
  close(lines[0]);
  readFd_ = signals[0];
  outcomeFd_ = outcome[0];
  tellFd_ = lines[1];
}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(readFd_);
  close(outcomeFd_);
  close(tellFd_);
}

void ChildProcess::tell(const std::string& line) { writeAll(tellFd_, line + "\n"); }

std::string ChildProcess::awaitLine(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string line;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{g_linesFd, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) != 1) return {};
    char c;
    if (read(g_linesFd, &c, 1) != 1) return {};
    if (c == '\n') return line;
    line += c;
  }
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

bool ChildProcess::waitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reaped_ && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status_, WNOHANG) == pid_) {
      reaped_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return reaped_;
}

std::string ChildProcess::waitForOutcome(std::chrono::milliseconds timeout) {
  if (!waitForExit(timeout))
    return "the child was still running after " + std::to_string(timeout.count()) + " ms";
  const int code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  std::string words;
  fcntl(outcomeFd_, F_SETFL, O_NONBLOCK);
  char chunk[512];
  for (ssize_t n; (n = read(outcomeFd_, chunk, sizeof chunk)) > 0;) words.append(chunk, static_cast<std::size_t>(n));
  if (WIFSIGNALED(status_))
    return "the child was killed by signal " + std::to_string(WTERMSIG(status_)) + " (" +
           strsignal(WTERMSIG(status_)) + ")";
  if (code == 0) return {};
  if (!words.empty()) return words;
  return "the child exited with code " + std::to_string(code) + " and said nothing (a sanitizer's report?)";
}

void ChildProcess::kill(int signal) { ::kill(pid_, signal); }

}  // namespace rcl::test
