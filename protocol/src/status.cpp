#include "rcl/protocol/status.h"

#include <CL/cl.h>

#include "rcl/protocol/control.h"
#include "rcl/protocol/message.h"
#include "rcl/protocol/transport.h"

namespace rcl::protocol {

namespace {
constexpr std::uint32_t kPlatformFields = 3;
constexpr std::uint32_t kSessionFields = 9;

void expectArray(Reader& r, std::uint32_t fields, const char* what) {
  if (r.array() != fields) throw DecodeError(std::string("a status ") + what + " has the wrong number of fields");
}
}  // namespace

std::uint64_t ServerStatus::memoryBytes() const {
  std::uint64_t n = 0;
  for (const auto& s : sessions) n += s.memoryBytes;
  return n;
}

std::uint64_t ServerStatus::busyQueues() const {
  std::uint64_t n = 0;
  for (const auto& s : sessions) n += s.busyQueues;
  return n;
}

void encodeStatus(Writer& w, const ServerStatus& s) {
  w.str(s.version);
  w.u64(s.protocolVersion);
  w.str(s.serverName);
  w.u64(s.uptimeSeconds);
  w.u64(s.activeSessions);
  w.u64(s.endedSessions);
  w.u64(s.bytesIn);
  w.u64(s.bytesOut);
  w.array(static_cast<std::uint32_t>(s.platforms.size()));
  for (const auto& p : s.platforms) {
    w.array(kPlatformFields);
    w.str(p.name);
    w.str(p.version);
    w.array(static_cast<std::uint32_t>(p.devices.size()));
    for (const auto& d : p.devices) w.str(d);
  }
  w.array(static_cast<std::uint32_t>(s.sessions.size()));
  for (const auto& row : s.sessions) {
    w.array(kSessionFields);
    w.u64(row.id);
    w.str(row.client);
    w.str(row.keyName);
    w.u64(row.ageSeconds);
    w.u64(row.objects);
    w.u64(row.memoryBytes);
    w.u64(row.bytesIn);
    w.u64(row.bytesOut);
    w.u64(row.busyQueues);
  }
  w.boolean(s.draining);
}

ServerStatus decodeStatus(Reader& r) {
  ServerStatus s;
  s.version = r.str();
  s.protocolVersion = r.u64();
  s.serverName = r.str();
  s.uptimeSeconds = r.u64();
  s.activeSessions = r.u64();
  s.endedSessions = r.u64();
  s.bytesIn = r.u64();
  s.bytesOut = r.u64();
  const std::uint32_t platforms = r.array();
  for (std::uint32_t i = 0; i < platforms; ++i) {
    expectArray(r, kPlatformFields, "platform");
    PlatformStatus p;
    p.name = r.str();
    p.version = r.str();
    const std::uint32_t devices = r.array();
    for (std::uint32_t d = 0; d < devices; ++d) p.devices.push_back(r.str());
    s.platforms.push_back(std::move(p));
  }
  const std::uint32_t sessions = r.array();
  for (std::uint32_t i = 0; i < sessions; ++i) {
    expectArray(r, kSessionFields, "session");
    SessionStatus row;
    row.id = r.u64();
    row.client = r.str();
    row.keyName = r.str();
    row.ageSeconds = r.u64();
    row.objects = r.u64();
    row.memoryBytes = r.u64();
    row.bytesIn = r.u64();
    row.bytesOut = r.u64();
    row.busyQueues = r.u64();
    s.sessions.push_back(std::move(row));
  }
  s.draining = r.boolean();
  if (!r.atEnd()) throw DecodeError("a status answer has trailing values");
  return s;
}

std::optional<ServerStatus> askStatus(zmq::socket_t& socket, std::uint64_t seq,
                                      std::chrono::steady_clock::time_point deadline, std::string* error) {
  using Clock = std::chrono::steady_clock;
  Writer w;
  w.integer(Kind::Request);
  w.u64(seq);
  w.integer(ControlCall::Status);
  auto frames = w.finish();
  if (!sendFrames(socket, frames, nullptr, 0, zmq::send_flags::dontwait)) {
    if (error) *error = "the query could not be sent";
    return std::nullopt;
  }
  while (Clock::now() < deadline) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    pollOnce(&item, 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    auto reply = recvFrames(socket, zmq::recv_flags::dontwait);
    if (!reply) continue;
    try {
      Reader r(std::move(*reply));
      const auto kind = r.integer<Kind>();
      if (r.u64() != seq) continue;  // the answer to an earlier query that timed out
      const auto code = r.integer<cl_int>();
      if (kind != Kind::Reply || code != CL_SUCCESS) {
        if (error) *error = "the server refused the status query (" + std::to_string(code) + ")";
        return std::nullopt;
      }
      return decodeStatus(r);
    } catch (const DecodeError& e) {
      if (error) *error = std::string("malformed status answer: ") + e.what();
      return std::nullopt;
    }
  }
  if (error) *error = "no answer";
  return std::nullopt;
}

}  // namespace rcl::protocol
