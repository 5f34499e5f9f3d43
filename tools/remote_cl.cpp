// remote-cl: the command for people.
//   remote-cl status ENDPOINT            how a server is: version, protocol, platforms
//                                        and devices, round-trip time, sessions, bytes moved
//   remote-cl status --ready ENDPOINT    exit 0 if it answers and takes new sessions (not
//                                        draining), else 1: a readiness and liveness probe
//   remote-cl trace [-o FILE] -- APP ...  runs APP with the driver's tracing on (icd/.../trace.h)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <CL/cl.h>
#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include "rcl/protocol/control.h"
#include "rcl/protocol/curve.h"
#include "rcl/protocol/status.h"
#include "rcl/protocol/transport.h"

namespace {

using Clock = std::chrono::steady_clock;

// "3 client silent, 1 worker failed" (or "none").
std::string countsText(const rcl::protocol::NamedCounts& counts) {
  std::string text;
  for (const auto& [name, n] : counts) text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + name;
  return text.empty() ? "none" : text;
}

// The table of running sessions, then the sessions that ended last (status
// version 2; their rows are indented, so that a script reading the running
// sessions' rows, which start with the session id, never takes them).
void printSessions(const rcl::protocol::ServerStatus& status) {
  if (!status.sessions.empty()) {
    std::printf("%-18s %-24s %-8s %-12s %8s %8s %14s %14s %14s %6s\n", "session", "client", "worker", "key", "age (s)",
                "objects", "device memory", "bytes in", "bytes out", "busy");
    for (const auto& s : status.sessions) {
      const std::string worker = s.workerPid == 0 ? std::string("-") : std::to_string(s.workerPid);
      std::printf("%016llx   %-24s %-8s %-12s %8llu %8llu %14llu %14llu %14llu %6llu\n",
                  static_cast<unsigned long long>(s.id), s.client.c_str(), worker.c_str(),
                  s.keyName.empty() ? "-" : s.keyName.c_str(), static_cast<unsigned long long>(s.ageSeconds),
                  static_cast<unsigned long long>(s.objects), static_cast<unsigned long long>(s.memoryBytes),
                  static_cast<unsigned long long>(s.bytesIn), static_cast<unsigned long long>(s.bytesOut),
                  static_cast<unsigned long long>(s.busyQueues));
    }
  }
  if (status.recentlyEnded.empty()) return;
  std::printf("ended last (oldest first):\n");
  std::printf("  %-18s %-24s %-8s %-12s %8s %8s %14s %14s %14s  %s\n", "session", "client", "worker", "key", "ago (s)",
              "objects", "device memory", "bytes in", "bytes out", "why; objects freed");
  for (const auto& e : status.recentlyEnded) {
    const std::string worker = e.workerPid == 0 ? std::string("-") : std::to_string(e.workerPid);
    std::printf("  %016llx   %-24s %-8s %-12s %8llu %8llu %14llu %14llu %14llu  %s; %s\n",
                static_cast<unsigned long long>(e.id), e.client.c_str(), worker.c_str(),
                e.keyName.empty() ? "-" : e.keyName.c_str(), static_cast<unsigned long long>(e.secondsAgo),
                static_cast<unsigned long long>(e.objectsFreed()), static_cast<unsigned long long>(e.memoryBytesFreed),
                static_cast<unsigned long long>(e.bytesIn), static_cast<unsigned long long>(e.bytesOut),
                e.detail.c_str(), (countsText(e.freed) + (e.releasesFailed != 0 ? ", " + std::to_string(e.releasesFailed) +
                                                                                   " releases failed" : "")).c_str());
  }
}

int status(const std::string& endpoint, double timeoutSeconds, bool readyOnly) {
  zmq::context_t zmq(1);
  zmq::socket_t socket(zmq, zmq::socket_type::dealer);
  std::random_device random;
  const auto id = rcl::protocol::makeRoutingId((std::uint64_t{random()} << 32) | random(), rcl::protocol::Channel::Control);
  socket.set(zmq::sockopt::routing_id, zmq::buffer(id));
  socket.set(zmq::sockopt::linger, 0);
  // A server with CURVE keys answers only clients it allows: the driver's REMOTE_CL_CURVE_* settings.
  rcl::protocol::applyCurveClient(socket, rcl::protocol::loadCurveClientKeys(rcl::protocol::environmentSetting));
  rcl::protocol::allowIpv6For(socket, endpoint);
  socket.connect(endpoint);
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long>(timeoutSeconds * 1000));
  std::string error;
  // Version 2: with the workers, the sessions that ended last and the counters (a server from before answers version 1).
  const auto first = rcl::protocol::askStatus(socket, 1, deadline, &error, rcl::protocol::kStatusVersion);
  if (!first) {
    if (readyOnly) std::printf("not ready: %s from %s within %.0f s\n", error.c_str(), endpoint.c_str(), timeoutSeconds);
    else std::fprintf(stderr, "remote-cl: %s from %s within %.0f s\n", error.c_str(), endpoint.c_str(), timeoutSeconds);
    return 1;
  }
  if (readyOnly) {
    std::printf(first->draining ? "not ready: %s is draining (refuses new sessions)\n" : "ready: %s takes new sessions\n",
                endpoint.c_str());
    return first->draining ? 1 : 0;
  }
  // Round trips, once connected: the median of a few.
  std::vector<double> trips;
  for (std::uint64_t seq = 2; seq < 12; ++seq) {
    const auto start = Clock::now();
    if (!rcl::protocol::askStatus(socket, seq, Clock::now() + std::chrono::seconds(2))) break;
    trips.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(trips.begin(), trips.end());
  const auto& s = *first;
  std::printf("server          %s (%s)\n", endpoint.c_str(), s.serverName.c_str());
  std::printf("version         remote-cl-server %s, protocol %llu\n", s.version.c_str(),
              static_cast<unsigned long long>(s.protocolVersion));
  std::printf("uptime          %llu s\n", static_cast<unsigned long long>(s.uptimeSeconds));
  std::printf("state           %s\n", s.draining ? "draining (refuses new sessions)" : "ready");
  if (!trips.empty()) std::printf("round trip      %.0f us (median of %zu)\n", trips[trips.size() / 2], trips.size());
  std::printf("sessions        %llu active, %llu ended\n", static_cast<unsigned long long>(s.activeSessions),
              static_cast<unsigned long long>(s.endedSessions));
  if (s.statusVersion >= 2) {
    std::printf("ended by        %s\n", countsText(s.endedByReason).c_str());
    std::printf("refused         %s\n", countsText(s.refusedByReason).c_str());
  }
  std::printf("bytes moved     %llu in, %llu out (all sessions, running and ended)\n",
              static_cast<unsigned long long>(s.bytesIn), static_cast<unsigned long long>(s.bytesOut));
  for (std::size_t p = 0; p < s.platforms.size(); ++p) {
    std::printf("platform %zu      %s (%s)\n", p, s.platforms[p].name.c_str(), s.platforms[p].version.c_str());
    for (std::size_t d = 0; d < s.platforms[p].devices.size(); ++d)
      std::printf("  device %zu      %s\n", d, s.platforms[p].devices[d].c_str());
  }
  printSessions(s);
  return 0;
}

// Runs the command with REMOTE_CL_TRACE set; returns its exit code.
int trace(const std::string& output, std::vector<std::string> command) {
  const pid_t pid = fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    setenv("REMOTE_CL_TRACE", output.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : command) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "remote-cl: cannot run %s\n", command.front().c_str());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::fprintf(stderr, "remote-cl: trace of %s in %s (open it in Perfetto or chrome://tracing)\n",
               command.front().c_str(), output.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"remote-cl: look at remote-cl servers"};
  app.require_subcommand(1);
  auto* statusCommand = app.add_subcommand("status", "print how a server is (version, platforms, sessions, round trip)");
  std::string endpoint;
  double timeout = 4;
  statusCommand->add_option("ENDPOINT", endpoint, "the server's listening endpoint, e.g. tcp://gpu-host:5555")
      ->required();
  statusCommand->add_option("--timeout", timeout, "seconds to wait for an answer")->capture_default_str();
  bool ready = false;
  statusCommand->add_flag("--ready", ready,
                          "only say whether the server takes new sessions: exit 0 if it answers and is not draining, "
                          "1 otherwise (a readiness and liveness probe)");
  auto* traceCommand = app.add_subcommand("trace", "run an application with remote-cl's tracing on");
  std::string output = "remote-cl-trace.json";
  std::vector<std::string> command;
  traceCommand->add_option("-o,--output", output, "the Chrome trace-event JSON file to write")->capture_default_str();
  traceCommand->add_option("command", command, "the application and its arguments (after --)")->required();
  CLI11_PARSE(app, argc, argv);
  if (traceCommand->parsed()) return trace(output, command);
  try {
    return status(endpoint, timeout, ready);
  } catch (const std::exception& e) {  // ZeroMQ's errors, bad CURVE settings
    if (ready) std::printf("not ready: %s: %s\n", endpoint.c_str(), e.what());
    std::fprintf(stderr, "remote-cl: %s: %s\n", endpoint.c_str(), e.what());
    return 1;
  }
}
