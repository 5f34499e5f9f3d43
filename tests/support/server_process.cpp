#include "server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "child_environment.h"
#include "pipe_drain.h"
#include "rcl/protocol/text.h"
#include "text_file.h"
#include "unique_fd.h"

namespace rcl::test {

namespace {

using Clock = std::chrono::steady_clock;
using protocol::trim;

constexpr std::size_t kLogTailInErrors = 4096;
constexpr auto kReapPollInterval = std::chrono::milliseconds(10);
constexpr auto kGraceAfterFailedStart = std::chrono::seconds(1);

std::string errnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

// Async-signal-safe: only raw syscalls between fork() and execve().
void writeRaw(const char* text) {
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

[[noreturn]] void execChild(const char* path, char* const argv[], char* const envp[], int stdinFd, int stdoutFd,
                            int stderrFd, pid_t parent) {
  // If the test process dies without cleaning up (crash, SIGKILL by a timeout), take the server along.
  ::prctl(PR_SET_PDEATHSIG, SIGINT);
  if (::getppid() != parent) ::_exit(127);

  if (::dup2(stdinFd, STDIN_FILENO) < 0 || ::dup2(stdoutFd, STDOUT_FILENO) < 0 ||
      ::dup2(stderrFd, STDERR_FILENO) < 0) {
    ::_exit(127);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) ::sigaction(sig, &defaults, nullptr);

  ::execve(path, argv, envp);
  writeRaw("remote-cl test harness: execve of the server binary failed: ");
  writeRaw(std::strerror(errno));  // Not formally async-signal-safe, but only reads a static table.
  writeRaw("\n");
  ::_exit(127);
}

void appendToFd(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

}  // namespace

std::string describeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

ServerProcess::ServerProcess(const ServerLaunch& launch) : logPath_(launch.logPath) {
  if (::access(launch.binary.c_str(), X_OK) != 0) {
    throw std::runtime_error(errnoText("server binary '" + launch.binary + "' is not executable"));
  }

  std::vector<std::string> argvStrings{launch.binary};
  argvStrings.insert(argvStrings.end(), launch.args.begin(), launch.args.end());
  std::vector<char*> argv = toCStringArray(argvStrings);
  std::vector<std::string> envStrings = environmentWithout(launch.unsetVariables);
  std::vector<char*> envp = toCStringArray(envStrings);

  UniqueFd log(::open(logPath_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!log) throw std::runtime_error(errnoText("cannot open server log '" + logPath_ + "'"));
  UniqueFd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devNull) throw std::runtime_error(errnoText("cannot open /dev/null"));
  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) throw std::runtime_error(errnoText("pipe2"));
  UniqueFd stdoutRead(pipeFds[0]);
  UniqueFd stdoutWrite(pipeFds[1]);

  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(errnoText("fork"));
  if (pid_ == 0) {
    execChild(launch.binary.c_str(), argv.data(), envp.data(), devNull.get(), stdoutWrite.get(), log.get(), parent);
  }
  stdoutWrite.reset();  // Otherwise we would never see EOF if the child dies.

  try {
    waitUntilReady(stdoutRead.get(), log.get(), launch.readyTimeout);
  } catch (const std::runtime_error& error) {
    const std::string ending = stop(kGraceAfterFailedStart);
    throw std::runtime_error(std::string(error.what()) + " (server pid " + std::to_string(pid_) + " " + ending +
                             "). Server log " + logPath_ + ":\n" +
                             lastBytes(readTextFile(logPath_), kLogTailInErrors));
  }
  stdoutDrain_ = std::make_unique<PipeDrain>(std::move(stdoutRead), std::move(log));
}

ServerProcess::~ServerProcess() { stop(); }

void ServerProcess::waitUntilReady(int stdoutFd, int logFd, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string pending;
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      throw std::runtime_error("server did not print '" + std::string(kReadyPrefix) + "<endpoint>' within " +
                               std::to_string(timeout.count()) + " ms");
    }
    pollfd pfd{stdoutFd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(errnoText("poll on server stdout"));
    }
    if (ready == 0) continue;  // The deadline check above reports the timeout.
    const ssize_t got = ::read(stdoutFd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw std::runtime_error(errnoText("read from server stdout"));
    }
    if (got == 0) throw std::runtime_error("server closed its stdout before printing its endpoint");
    appendToFd(logFd, buffer, static_cast<std::size_t>(got));
    pending.append(buffer, static_cast<std::size_t>(got));

    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      const std::string line = trim(pending.substr(0, newline));
      pending.erase(0, newline + 1);
      if (line.rfind(kReadyPrefix, 0) == 0) {
        endpoint_ = trim(line.substr(std::strlen(kReadyPrefix)));
        if (endpoint_.empty()) throw std::runtime_error("server printed an empty endpoint");
        return;
      }
    }
  }
}

std::string ServerProcess::stop(std::chrono::milliseconds grace) {
  if (reaped_ || pid_ <= 0) return exitDescription_;
  int status = 0;
  bool known = true;
  const auto tryReap = [&]() {
    const pid_t result = ::waitpid(pid_, &status, WNOHANG);
    if (result == pid_) return true;
    if (result < 0 && errno == ECHILD) {  // Someone else reaped it (e.g. SIGCHLD set to SIG_IGN).
      known = false;
      return true;
    }
    return false;
  };

  if (!tryReap()) {
    ::kill(pid_, SIGINT);  // at once: SIGTERM would drain (wait for the sessions still running)
    const auto deadline = Clock::now() + grace;
    bool done = false;
    while (!(done = tryReap()) && Clock::now() < deadline) std::this_thread::sleep_for(kReapPollInterval);
    if (!done) {
      ::kill(pid_, SIGKILL);
      pid_t result;
      while ((result = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
      }
      if (result < 0) known = false;
    }
  }
  recordExit(known ? describeWaitStatus(status) : "was reaped elsewhere");
  return exitDescription_;
}

bool ServerProcess::hasExited() {
  if (reaped_ || pid_ <= 0) return true;
  int status = 0;
  const pid_t result = ::waitpid(pid_, &status, WNOHANG);
  if (result == pid_) {
    recordExit(describeWaitStatus(status));
  } else if (result < 0 && errno == ECHILD) {
    recordExit("was reaped elsewhere");
  }
  return reaped_;
}

void ServerProcess::recordExit(const std::string& description) {
  reaped_ = true;
  exitDescription_ = description;
  if (stdoutDrain_) stdoutDrain_->stop();
}

}  // namespace rcl::test
