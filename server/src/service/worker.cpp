#include "rcl/server/service/worker.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "rcl/server/support/security.h"

extern char** environ;

namespace rcl::server {
namespace {

// How long a session may take to free everything once it ends.
constexpr std::chrono::seconds kMaxFreeing{30};

}  // namespace

int runWorker(const WorkerArgs& args, const std::vector<ExposedPlatform>& platforms, SessionOptions options,
              const std::atomic<bool>& stop) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the listening server
  zmq::context_t zmq(1);
  // With CURVE, the session's socket needs the ZAP handler first (security.h).
  const auto zap = options.security ? options.security->authenticator(zmq) : nullptr;
  Session session(zmq, args.bind, args.session, args.client, platforms, std::move(options));
  std::printf("ready %s\n", session.endpoint().c_str());
  for (const auto& p : session.platformIds()) {
    std::printf("platform %llu", static_cast<unsigned long long>(p.platform));
    for (auto d : p.devices) std::printf(" %llu", static_cast<unsigned long long>(d));
    std::printf("\n");
  }
  std::printf("end\n");
  std::fflush(stdout);
  // From now on this process's stdout is a pipe the session forwards to the
  // client: a kernel's printf reaches the client that ran the kernel.
  const int report = dup(STDOUT_FILENO);  // the listening server's pipe, for the last words
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    fcntl(fds[1], F_SETFL, 0);  // writers (the kernels) block rather than lose output
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    session.forwardOutputFrom(fds[0]);
  }
  // What the session holds and moved, told to the listening server every
  // second (for status queries) and once more at the end.
  auto tell = [&session, report, said = std::string()](const char* word) mutable {
    const auto& stats = session.stats();
    const std::string line = std::string(word) + " " + std::to_string(stats.bytesIn) + " " +
                             std::to_string(stats.bytesOut) + " " + std::to_string(stats.objects) + " " +
                             std::to_string(stats.memoryBytes) + " " +
                             std::to_string(session.closing() ? 0 : session.busyQueues()) + "\n";
    if (line == said) return;
    said = line;
    (void)!write(report, line.data(), line.size());
  };
  auto nextReport = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> closingSince;
  while (!session.finished()) {
    if (stop) session.close("server shutting down");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // Freeing waits for the session's queues; a driver that never finishes
    // one must not keep this process forever: the system frees what is left.
    if (!closingSince && session.closing()) closingSince = std::chrono::steady_clock::now();
    if (closingSince && std::chrono::steady_clock::now() - *closingSince > kMaxFreeing) {
      spdlog::error("session {:016x}: still freeing after {} s (a queue that never finishes); the worker exits",
                    args.session, kMaxFreeing.count());
      tell("moved");
      std::_Exit(3);
    }
    if (std::chrono::steady_clock::now() < nextReport) continue;
    tell("live");
    nextReport += std::chrono::seconds(1);
  }
  // How it ended, for the status query's history (worker.h).
  const auto& ending = session.ending();
  std::string words = "ended\t" + ending.reason + "\t" + ending.detail + "\t" + std::to_string(ending.memoryBytesFreed) +
                      "\t" + std::to_string(ending.releasesFailed);
  for (const auto& [kind, n] : ending.freed) words += "\t" + kind + "\t" + std::to_string(n);
  words += "\n";
  (void)!write(report, words.data(), words.size());
  tell("moved");
  close(report);
  return 0;
}

WorkerProcess::WorkerProcess(const std::string& exe, const std::vector<std::string>& args, std::string client)
    : client_(std::move(client)) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::vector<std::string> argv{exe};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const int error = posix_spawn(&pid_, exe.c_str(), &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (error != 0) {
    close(fds[0]);
    throw std::runtime_error("cannot start a worker: " + std::string(strerror(error)));
  }
  stdout_ = fds[0];
  fcntl(stdout_, F_SETFL, O_NONBLOCK);
  exitFd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));  // -1 before Linux 5.3
}

WorkerProcess::~WorkerProcess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(stdout_);
}

bool WorkerProcess::readReady() {
  char buffer[4096];
  ssize_t n;
  while ((n = read(stdout_, buffer, sizeof buffer)) > 0) pending_.append(buffer, static_cast<std::size_t>(n));
  std::size_t newline;
  while (!complete_ && (newline = pending_.find('\n')) != std::string::npos) {
    std::istringstream line(pending_.substr(0, newline));
    pending_.erase(0, newline + 1);
    std::string word;
    line >> word;
    if (word == "ready") {
      line >> endpoint_;
    } else if (word == "platform") {
      Session::PlatformIds ids{};
      line >> ids.platform;
      std::uint64_t device;
      while (line >> device) ids.devices.push_back(device);
      platforms_.push_back(std::move(ids));
    } else if (word == "end") {
      complete_ = !endpoint_.empty();
    }
  }
  return complete_;
}

std::optional<std::string> WorkerProcess::ended() {
  if (reaped_) return std::string("ended");
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
  reaped_ = true;
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return std::string("ended");
}

const WorkerProcess::Report& WorkerProcess::report() {
  char buffer[4096];
  ssize_t n;
  while ((n = read(stdout_, buffer, sizeof buffer)) > 0) pending_.append(buffer, static_cast<std::size_t>(n));
  if (!complete_) return report_;
  std::size_t newline;
  while ((newline = pending_.find('\n')) != std::string::npos) {
    const std::string text = pending_.substr(0, newline);
    pending_.erase(0, newline + 1);
    if (text.rfind("ended\t", 0) == 0) {
      std::vector<std::string> fields;
      for (std::size_t start = 6, tab;; start = tab + 1) {
        tab = text.find('\t', start);
        fields.push_back(text.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) break;
      }
      if (fields.size() < 4 || fields.size() % 2 != 0) continue;
      SessionEnding ending{fields[0], fields[1], std::strtoull(fields[2].c_str(), nullptr, 10), {},
                           std::strtoull(fields[3].c_str(), nullptr, 10)};
      for (std::size_t i = 4; i + 1 < fields.size(); i += 2)
        ending.freed.emplace_back(fields[i], std::strtoull(fields[i + 1].c_str(), nullptr, 10));
      lastWords_ = std::move(ending);
      continue;
    }
    std::istringstream line(text);
    std::string word;
    Report r;
    if (line >> word >> r.bytesIn >> r.bytesOut >> r.objects >> r.memoryBytes >> r.busyQueues &&
        (word == "live" || word == "moved"))
      report_ = r;
  }
  return report_;
}

void WorkerProcess::terminate() {
  if (!reaped_) kill(pid_, SIGTERM);
}

}  // namespace rcl::server
