// remote-cl: the command for people.
//   remote-cl status ENDPOINT            how a server is: version, protocol, platforms
//                                        and devices, round-trip time, sessions, bytes moved
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

#include "rcl/protocol/codec.h"
#include "rcl/protocol/control.h"
#include "rcl/protocol/curve.h"
#include "rcl/protocol/transport.h"

namespace {

using Clock = std::chrono::steady_clock;
using rcl::protocol::Kind;

// Asks `endpoint` for its status once; nullopt if no answer by `deadline`.
std::optional<rcl::protocol::Reader> askStatus(zmq::socket_t& socket, std::uint64_t seq, Clock::time_point deadline) {
  rcl::protocol::Writer w;
  w.integer(Kind::Request);
  w.u64(seq);
  w.integer(rcl::protocol::ControlCall::Status);
  auto frames = w.finish();
  rcl::protocol::sendFrames(socket, frames);
  while (Clock::now() < deadline) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    rcl::protocol::pollOnce(&item, 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    auto reply = rcl::protocol::recvFrames(socket, zmq::recv_flags::dontwait);
    if (!reply) continue;
    rcl::protocol::Reader r(std::move(*reply));
    const auto kind = r.integer<Kind>();
    if (r.u64() != seq) continue;
    const auto status = r.integer<cl_int>();
    if (kind != Kind::Reply || status != CL_SUCCESS) {
      std::fprintf(stderr, "remote-cl: the server refused the status query (%d)\n", status);
      return std::nullopt;
    }
    return r;
  }
  return std::nullopt;
}

// The table of running sessions that ends a status answer.
void printSessions(rcl::protocol::Reader& r) {
  const std::uint32_t n = r.array();
  if (n == 0) return;
  std::printf("%-18s %-24s %8s %8s %14s %14s %14s\n", "session", "client", "age (s)", "objects", "device memory",
              "bytes in", "bytes out");
  for (std::uint32_t i = 0; i < n; ++i) {
    r.array();
    const auto id = r.u64();
    const std::string client = r.str();
    const auto seconds = r.u64();
    const auto objects = r.u64();
    const auto memory = r.u64();
    const auto in = r.u64();
    const auto out = r.u64();
    std::printf("%016llx   %-24s %8llu %8llu %14llu %14llu %14llu\n", static_cast<unsigned long long>(id),
                client.c_str(), static_cast<unsigned long long>(seconds), static_cast<unsigned long long>(objects),
                static_cast<unsigned long long>(memory), static_cast<unsigned long long>(in),
                static_cast<unsigned long long>(out));
  }
}

int status(const std::string& endpoint, double timeoutSeconds) {
  zmq::context_t zmq(1);
  zmq::socket_t socket(zmq, zmq::socket_type::dealer);
  std::random_device random;
  const auto id = rcl::protocol::makeRoutingId((std::uint64_t{random()} << 32) | random(), rcl::protocol::Channel::Control);
  socket.set(zmq::sockopt::routing_id, zmq::buffer(id));
  socket.set(zmq::sockopt::linger, 0);
  // A server with CURVE keys answers only clients it allows: the driver's REMOTE_CL_CURVE_* settings.
  rcl::protocol::applyCurveClient(socket, rcl::protocol::loadCurveClientKeys(rcl::protocol::environmentSetting));
  socket.connect(endpoint);
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long>(timeoutSeconds * 1000));
  auto first = askStatus(socket, 1, deadline);
  if (!first) {
    std::fprintf(stderr, "remote-cl: no answer from %s within %.0f s\n", endpoint.c_str(), timeoutSeconds);
    return 1;
  }
  // Round trips, once connected: the median of a few.
  std::vector<double> trips;
  for (std::uint64_t seq = 2; seq < 12; ++seq) {
    const auto start = Clock::now();
    if (!askStatus(socket, seq, Clock::now() + std::chrono::seconds(2))) break;
    trips.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(trips.begin(), trips.end());
  try {
    auto& r = *first;
    const std::string version = r.str();
    const auto protocol = r.u64();
    const std::string server = r.str();
    const auto uptime = r.u64();
    const auto active = r.u64();
    const auto ended = r.u64();
    const auto bytesIn = r.u64();
    const auto bytesOut = r.u64();
    std::printf("server          %s (%s)\n", endpoint.c_str(), server.c_str());
    std::printf("version         remote-cl-server %s, protocol %llu\n", version.c_str(),
                static_cast<unsigned long long>(protocol));
    std::printf("uptime          %llu s\n", static_cast<unsigned long long>(uptime));
    if (!trips.empty()) std::printf("round trip      %.0f us (median of %zu)\n", trips[trips.size() / 2], trips.size());
    std::printf("sessions        %llu active, %llu ended\n", static_cast<unsigned long long>(active),
                static_cast<unsigned long long>(ended));
    std::printf("bytes moved     %llu in, %llu out (all sessions, running and ended)\n",
                static_cast<unsigned long long>(bytesIn), static_cast<unsigned long long>(bytesOut));
    const std::uint32_t platforms = r.array();
    for (std::uint32_t p = 0; p < platforms; ++p) {
      r.array();
      const std::string name = r.str();
      const std::string pversion = r.str();
      std::printf("platform %u      %s (%s)\n", p, name.c_str(), pversion.c_str());
      const std::uint32_t devices = r.array();
      for (std::uint32_t d = 0; d < devices; ++d) std::printf("  device %u      %s\n", d, r.str().c_str());
    }
    printSessions(r);
  } catch (const rcl::protocol::DecodeError& e) {
    std::fprintf(stderr, "remote-cl: malformed status from %s: %s\n", endpoint.c_str(), e.what());
    return 1;
  }
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
  auto* traceCommand = app.add_subcommand("trace", "run an application with remote-cl's tracing on");
  std::string output = "remote-cl-trace.json";
  std::vector<std::string> command;
  traceCommand->add_option("-o,--output", output, "the Chrome trace-event JSON file to write")->capture_default_str();
  traceCommand->add_option("command", command, "the application and its arguments (after --)")->required();
  CLI11_PARSE(app, argc, argv);
  if (traceCommand->parsed()) return trace(output, command);
  try {
    return status(endpoint, timeout);
  } catch (const std::exception& e) {  // ZeroMQ's errors, bad CURVE settings
    std::fprintf(stderr, "remote-cl: %s: %s\n", endpoint.c_str(), e.what());
    return 1;
  }
}
