#include "rcl/protocol/status.h"

#include <CL/cl.h>

#include "rcl/protocol/control.h"
#include "rcl/protocol/message.h"
#include "rcl/protocol/transport.h"

namespace rcl::protocol {

namespace {
constexpr std::uint32_t kPlatformFields = 3;
constexpr std::uint32_t kSessionFields = 9;
constexpr std::uint32_t kVersion2Parts = 4;
constexpr std::uint32_t kEndedFields = 13;

void encodeCounts(Writer& w, const NamedCounts& counts) {
  w.array(static_cast<std::uint32_t>(counts.size()));
  for (const auto& [name, n] : counts) {
    w.array(2);
    w.str(name);
    w.u64(n);
  }
}

void expectArray(Reader& r, std::uint32_t fields, const char* what) {
  if (r.array() != fields) throw DecodeError(std::string("a status ") + what + " has the wrong number of fields");
}

NamedCounts decodeCounts(Reader& r) {
  NamedCounts counts;
  const std::uint32_t n = r.array();
  for (std::uint32_t i = 0; i < n; ++i) {
    expectArray(r, 2, "count");
    std::string name = r.str();
    counts.emplace_back(std::move(name), r.u64());
  }
  return counts;
}

// The version 2 parts, after version 1's last value.
void encodeVersion2(Writer& w, const ServerStatus& s) {
  w.array(kVersion2Parts);
  w.array(static_cast<std::uint32_t>(s.sessions.size()));
  for (const auto& row : s.sessions) {
    w.array(2);
    w.u64(row.id);
    w.u64(row.workerPid);
  }
  w.array(static_cast<std::uint32_t>(s.recentlyEnded.size()));
  for (const auto& e : s.recentlyEnded) {
    w.array(kEndedFields);
    w.u64(e.id);
    w.str(e.client);
    w.str(e.keyName);
    w.u64(e.workerPid);
    w.str(e.reason);
    w.str(e.detail);
    w.u64(e.secondsAgo);
    w.u64(e.durationSeconds);
    w.u64(e.bytesIn);
    w.u64(e.bytesOut);
    w.u64(e.memoryBytesFreed);
    encodeCounts(w, e.freed);
    w.u64(e.releasesFailed);
  }
  encodeCounts(w, s.endedByReason);
  encodeCounts(w, s.refusedByReason);
}

void decodeVersion2(Reader& r, ServerStatus& s) {
  expectArray(r, kVersion2Parts, "version 2 part");
  const std::uint32_t pids = r.array();
  for (std::uint32_t i = 0; i < pids; ++i) {
    expectArray(r, 2, "worker");
    const std::uint64_t id = r.u64();
    const std::uint64_t pid = r.u64();
    for (auto& row : s.sessions)
      if (row.id == id) row.workerPid = pid;
  }
  const std::uint32_t ended = r.array();
  for (std::uint32_t i = 0; i < ended; ++i) {
    expectArray(r, kEndedFields, "ended session");
    EndedSessionStatus e;
    e.id = r.u64();
    e.client = r.str();
    e.keyName = r.str();
    e.workerPid = r.u64();
    e.reason = r.str();
    e.detail = r.str();
    e.secondsAgo = r.u64();
    e.durationSeconds = r.u64();
    e.bytesIn = r.u64();
    e.bytesOut = r.u64();
    e.memoryBytesFreed = r.u64();
    e.freed = decodeCounts(r);
    e.releasesFailed = r.u64();
    s.recentlyEnded.push_back(std::move(e));
  }
  s.endedByReason = decodeCounts(r);
  s.refusedByReason = decodeCounts(r);
  s.statusVersion = kStatusVersion;
}
}  // namespace

std::uint64_t countOf(const NamedCounts& counts, const std::string& name) {
  for (const auto& [n, count] : counts)
    if (n == name) return count;
  return 0;
}

std::uint64_t EndedSessionStatus::objectsFreed() const {
  std::uint64_t n = 0;
  for (const auto& [kind, count] : freed) n += count;
  return n;
}

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

void encodeStatus(Writer& w, const ServerStatus& s, std::uint64_t version) {
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
  if (version >= 2) encodeVersion2(w, s);
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
  if (!r.atEnd()) decodeVersion2(r, s);
  if (!r.atEnd()) throw DecodeError("a status answer has trailing values");
  return s;
}

std::optional<ServerStatus> askStatus(zmq::socket_t& socket, std::uint64_t seq,
                                      std::chrono::steady_clock::time_point deadline, std::string* error,
                                      std::uint64_t version) {
  using Clock = std::chrono::steady_clock;
  Writer w;
  w.integer(Kind::Request);
  w.u64(seq);
  w.integer(ControlCall::Status);
  if (version >= 2) w.u64(version);
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
