#include "rcl/protocol/status.h"

#include <CL/cl.h>

#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/message.h"
#include "rcl/protocol/transport.h"

namespace rcl::protocol {

namespace {
// ServerStatus (the operator's view) and the answer on the wire
// (control::StatusReply, from [control.Status] in codegen/messages.toml).
std::vector<control::NamedCount> toWire(const NamedCounts& counts) {
  std::vector<control::NamedCount> out;
  for (const auto& [name, n] : counts) out.push_back({name, n});
  return out;
}

NamedCounts fromWire(std::vector<control::NamedCount> counts) {
  NamedCounts out;
  for (auto& c : counts) out.emplace_back(std::move(c.name), c.count);
  return out;
}

control::StatusReply toWire(const ServerStatus& s, std::uint64_t version) {
  control::StatusReply m;
  m.version = s.version;
  m.protocol_version = s.protocolVersion;
  m.server_name = s.serverName;
  m.uptime_seconds = s.uptimeSeconds;
  m.active_sessions = s.activeSessions;
  m.ended_sessions = s.endedSessions;
  m.bytes_in = s.bytesIn;
  m.bytes_out = s.bytesOut;
  for (const auto& p : s.platforms) m.platforms.push_back({p.name, p.version, p.devices});
  for (const auto& row : s.sessions)
    m.sessions.push_back({row.id, row.client, row.keyName, row.ageSeconds, row.objects, row.memoryBytes, row.bytesIn,
                          row.bytesOut, row.busyQueues});
  m.draining = s.draining;
  if (version < 2) return m;  // a version 1 answer, byte for byte as before version 2
  auto& v2 = m.version_2.emplace();
  for (const auto& row : s.sessions) v2.workers.push_back({row.id, row.workerPid});
  for (const auto& e : s.recentlyEnded)
    v2.ended.push_back({e.id, e.client, e.keyName, e.workerPid, e.reason, e.detail, e.secondsAgo, e.durationSeconds,
                        e.bytesIn, e.bytesOut, e.memoryBytesFreed, toWire(e.freed), e.releasesFailed});
  v2.ended_by_reason = toWire(s.endedByReason);
  v2.refused_by_reason = toWire(s.refusedByReason);
  return m;
}

ServerStatus fromWire(control::StatusReply m) {
  ServerStatus s;
  s.version = std::move(m.version);
  s.protocolVersion = m.protocol_version;
  s.serverName = std::move(m.server_name);
  s.uptimeSeconds = m.uptime_seconds;
  s.activeSessions = m.active_sessions;
  s.endedSessions = m.ended_sessions;
  s.bytesIn = m.bytes_in;
  s.bytesOut = m.bytes_out;
  for (auto& p : m.platforms) s.platforms.push_back({std::move(p.name), std::move(p.version), std::move(p.devices)});
  for (auto& row : m.sessions)
    s.sessions.push_back({row.id, std::move(row.client), std::move(row.key_name), row.age_seconds, row.objects,
                          row.memory_bytes, row.bytes_in, row.bytes_out, row.busy_queues, 0});
  s.draining = m.draining;
  if (!m.version_2) return s;  // a version 1 answer (a server from before version 2)
  auto& v2 = *m.version_2;
  for (const auto& w : v2.workers)
    for (auto& row : s.sessions)
      if (row.id == w.session_id) row.workerPid = w.worker_pid;
  for (auto& e : v2.ended)
    s.recentlyEnded.push_back({e.id, std::move(e.client), std::move(e.key_name), e.worker_pid, std::move(e.reason),
                               std::move(e.detail), e.seconds_ago, e.duration_seconds, e.bytes_in, e.bytes_out,
                               e.memory_bytes_freed, fromWire(std::move(e.freed)), e.releases_failed});
  s.endedByReason = fromWire(std::move(v2.ended_by_reason));
  s.refusedByReason = fromWire(std::move(v2.refused_by_reason));
  s.statusVersion = kStatusVersion;
  return s;
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

void encodeStatus(Writer& w, const ServerStatus& s, std::uint64_t version) { toWire(s, version).encodeBody(w); }

control::StatusReply statusReply(const ServerStatus& status, std::uint64_t seq, std::uint64_t version) {
  auto m = toWire(status, version);
  m.seq = seq;
  return m;
}

ServerStatus decodeStatus(Reader& r) { return fromWire(control::StatusReply::decodeBody(r, 0)); }

std::optional<ServerStatus> askStatus(zmq::socket_t& socket, std::uint64_t seq,
                                      std::chrono::steady_clock::time_point deadline, std::string* error,
                                      std::uint64_t version) {
  using Clock = std::chrono::steady_clock;
  control::Status query{.seq = seq};
  if (version >= 2) query.version = version;  // [Status] alone asks version 1
  auto frames = query.frames();
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
