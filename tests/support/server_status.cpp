#include "server_status.h"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <sstream>
#include <thread>

#include <zmq.hpp>

#include "rcl/protocol/curve.h"
#include "rcl/protocol/message.h"
#include "rcl/protocol/transport.h"

namespace rcl::test {

using Clock = std::chrono::steady_clock;

std::optional<ServerStatus> askServerStatus(const std::string& endpoint, std::chrono::milliseconds timeout,
                                            std::string* error, const protocol::CurveClientKeys* keys) {
  // A context per query: a forked child (the tests' clients) must not use its parent's, whose threads it lacks.
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  std::random_device random;
  const auto id = protocol::makeRoutingId((std::uint64_t{random()} << 32) | random(), protocol::Channel::Control);
  socket.set(zmq::sockopt::routing_id, zmq::buffer(id));
  socket.set(zmq::sockopt::linger, 0);
  try {
    protocol::applyCurveClient(socket, keys != nullptr ? *keys : protocol::loadCurveClientKeys(protocol::environmentSetting));
  } catch (const std::runtime_error& e) {
    if (error) *error = std::string("bad CURVE settings: ") + e.what();
    return std::nullopt;
  }
  protocol::allowIpv6For(socket, endpoint);
  socket.connect(endpoint);
  return protocol::askStatus(socket, 1, Clock::now() + timeout, error, protocol::kStatusVersion);
}

protocol::CurveClientKeys curveKeys(const std::string& serverPublicFile, const std::string& clientSecretFile) {
  return protocol::loadCurveClientKeys([&](const char* variable, const char*) -> std::string {
    const std::string name = variable;
    if (name == "REMOTE_CL_CURVE_SERVER_KEY_FILE") return serverPublicFile;
    if (name == "REMOTE_CL_CURVE_SECRET_KEY_FILE") return clientSecretFile;
    return {};
  });
}

namespace {
std::string countsText(const protocol::NamedCounts& counts) {
  std::string text;
  for (const auto& [name, n] : counts) text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + name;
  return text.empty() ? "none" : text;
}
}  // namespace

std::string describeStatus(const ServerStatus& s) {
  std::ostringstream out;
  out << s.activeSessions << " active session(s), " << s.endedSessions << " ended (" << countsText(s.endedByReason)
      << "); refused: " << countsText(s.refusedByReason) << (s.draining ? "; draining" : "") << "\n";
  for (const auto& row : s.sessions)
    out << "  running: client " << row.client << ", worker " << row.workerPid << ", " << row.objects << " objects, "
        << row.memoryBytes << " bytes of device memory, " << row.bytesIn << " bytes in, " << row.bytesOut
        << " bytes out\n";
  for (const auto& e : s.recentlyEnded)
    out << "  ended " << e.secondsAgo << " s ago: client " << e.client << ", worker " << e.workerPid << " ("
        << e.detail << "), freed " << e.objectsFreed() << " objects (" << countsText(e.freed) << ") and "
        << e.memoryBytesFreed << " bytes of device memory; " << e.bytesIn << " bytes in, " << e.bytesOut
        << " bytes out" << (e.releasesFailed != 0 ? ", " + std::to_string(e.releasesFailed) + " releases failed" : "")
        << "\n";
  return out.str();
}

StatusWait waitForStatus(const std::string& endpoint, const std::function<bool(const ServerStatus&)>& condition,
                         std::chrono::milliseconds timeout, const protocol::CurveClientKeys* keys) {
  StatusWait wait;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::string error;
    auto status = askServerStatus(endpoint, std::max(left, std::chrono::milliseconds(2000)), &error, keys);
    if (status) {
      wait.last = describeStatus(*status);
      if (condition(*status)) {
        wait.status = std::move(status);
        return wait;
      }
    } else {
      wait.last = "the server did not answer its status query: " + error;
    }
    if (Clock::now() >= deadline) return wait;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

namespace {
bool isClient(const std::string& client, pid_t pid) {
  return client.find(":" + std::to_string(pid) + " (") != std::string::npos;
}
}  // namespace

const SessionStatus* sessionOfClient(const ServerStatus& status, pid_t clientPid) {
  for (const auto& row : status.sessions)
    if (isClient(row.client, clientPid)) return &row;
  return nullptr;
}

const EndedSessionStatus* endedSessionOfClient(const ServerStatus& status, pid_t clientPid,
                                               const std::string& reason) {
  for (auto it = status.recentlyEnded.rbegin(); it != status.recentlyEnded.rend(); ++it)
    if (isClient(it->client, clientPid) && (reason.empty() || it->reason == reason)) return &*it;
  return nullptr;
}

std::uint64_t freedOf(const EndedSessionStatus& ended, const std::string& kind) {
  return protocol::countOf(ended.freed, kind);
}

}  // namespace rcl::test
