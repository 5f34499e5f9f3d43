// The status query: anyone may ask a server's listening endpoint how it is
// (protocol/control.h, ControlCall::Status). The answer is described once,
// [control.Status] in codegen/messages.toml (control::StatusReply, generated);
// ServerStatus is what the server's router fills and `remote-cl status` and
// the driver (ordering servers by load) read, converted here.
//
//   status  [Request, seq, Status]
//     ->    [Reply, seq, CL_SUCCESS, version, protocol_version, server_name,
//            uptime_seconds, active_sessions, ended_sessions, bytes_in, bytes_out,
//            [[platform_name, platform_version, [device_name...]]...],
//            [[session_id, client, key_name, age_seconds, objects, memory_bytes,
//              bytes_in, bytes_out, busy_queues]...],
//            draining]
//
// Status version 2 adds what an operator asks after something went wrong:
// which worker serves each session, the last kEndedHistory sessions that
// ended (why, what they freed) and counters of endings and refusals. It is
// asked for with a fourth value, [Request, seq, Status, 2]; the answer is
// then version 1's followed by one more array:
//            [[[session_id, worker_pid]...],
//             [[session_id, client, key_name, worker_pid, reason, detail, seconds_ago,
//               duration_seconds, bytes_in, bytes_out, memory_bytes_freed,
//               [[object_kind, count]...], releases_failed]...],   (oldest first)
//             [[reason, sessions]...],                   (sessions ended, by reason)
//             [[reason, handshakes]...]]                 (handshakes refused, by reason)
// Compatibility: a version 1 query gets the version 1 answer, byte for byte,
// so decoders from before (which refuse trailing values) still read it; a
// server from before ignores the 2 and answers version 1, which this decoder
// reads with statusVersion 1 and the version 2 parts empty.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/control_messages.h"

namespace rcl::protocol {

struct PlatformStatus {
  std::string name, version;
  std::vector<std::string> devices;
};

// One running session, as its worker last reported it.
struct SessionStatus {
  std::uint64_t id = 0;
  std::string client;   // the client's own name for itself (host, program, pid)
  std::string keyName;  // the name of its CURVE key in the allowed-clients file ("" without keys)
  std::uint64_t ageSeconds = 0, objects = 0, memoryBytes = 0, bytesIn = 0, bytesOut = 0;
  std::uint64_t busyQueues = 0;  // queues with commands not yet complete
  std::uint64_t workerPid = 0;   // version 2: the worker process serving it (0: a thread of the server, --threads)
};

// Counts by name: objects freed by kind, sessions ended or handshakes refused by reason.
using NamedCounts = std::vector<std::pair<std::string, std::uint64_t>>;
// The count of `name` (0 if absent).
std::uint64_t countOf(const NamedCounts& counts, const std::string& name);

// Version 2: one session that ended.
struct EndedSessionStatus {
  std::uint64_t id = 0;
  std::string client, keyName;
  std::uint64_t workerPid = 0;  // 0: a thread of the server
  // Why, in a few fixed words (what endedByReason counts): "client silent",
  // "the client's connection closed", "client said goodbye", "server shutting
  // down", "worker failed" (it died or gave up freeing: the objects it held
  // went with its process); `detail`: the whole story ("client silent for
  // more than 15000 ms", "worker killed by signal Segmentation fault").
  std::string reason, detail;
  std::uint64_t secondsAgo = 0, durationSeconds = 0, bytesIn = 0, bytesOut = 0;
  std::uint64_t memoryBytesFreed = 0;  // device memory (memory objects and SVM) it still held at the end
  NamedCounts freed;                   // objects it still held at the end, by kind ("memory object", "context", ...)
  std::uint64_t releasesFailed = 0;    // of those, releases the real platform refused

  std::uint64_t objectsFreed() const;
};

// How many ended sessions a server keeps for version 2 answers.
constexpr std::size_t kEndedHistory = 32;
constexpr std::uint64_t kStatusVersion = 2;

struct ServerStatus {
  std::string version;
  std::uint64_t protocolVersion = 0;
  std::string serverName;
  std::uint64_t uptimeSeconds = 0;
  std::uint64_t activeSessions = 0;  // running and starting
  std::uint64_t endedSessions = 0;
  std::uint64_t bytesIn = 0, bytesOut = 0;  // all sessions, running and ended
  std::vector<PlatformStatus> platforms;
  std::vector<SessionStatus> sessions;
  bool draining = false;  // refuses new sessions (SIGTERM); not ready
  // Version 2 (empty when the server answered version 1).
  std::uint64_t statusVersion = 1;
  std::vector<EndedSessionStatus> recentlyEnded;  // the last kEndedHistory, oldest first
  NamedCounts endedByReason;                      // every session ended since start, by reason
  NamedCounts refusedByReason;                    // every handshake refused since start, by reason

  std::uint64_t memoryBytes() const;  // device memory held by the running sessions
  std::uint64_t busyQueues() const;
};

// The body of a status answer, after [Reply, seq, CL_SUCCESS], in `version`
// (1: without the version 2 parts; 2 and above: with them).
void encodeStatus(Writer& w, const ServerStatus& status, std::uint64_t version = 1);
// Throws DecodeError on a malformed answer (control::StatusReply::decodeBody, every field checked).
ServerStatus decodeStatus(Reader& r);
// The whole answer to the query `seq`, in `version` (as encodeStatus).
control::StatusReply statusReply(const ServerStatus& status, std::uint64_t seq, std::uint64_t version);

// Sends a status query with `seq` on a connected DEALER socket and waits for
// its answer until `deadline`. nullopt if none came, or a refusal or a
// malformed answer came (then `error` says which, when given). `version` 2
// asks for the version 2 parts too (a server from before answers version 1).
std::optional<ServerStatus> askStatus(zmq::socket_t& socket, std::uint64_t seq,
                                      std::chrono::steady_clock::time_point deadline, std::string* error = nullptr,
                                      std::uint64_t version = 1);

}  // namespace rcl::protocol
