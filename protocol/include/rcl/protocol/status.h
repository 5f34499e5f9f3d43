// The status query: anyone may ask a server's listening endpoint how it is
// (protocol/control.h, ControlCall::Status). One description of the answer,
// encoded by the server's router and decoded by `remote-cl status` and by the
// driver when it orders servers by load.
//
//   status  [Request, seq, Status]
//     ->    [Reply, seq, CL_SUCCESS, version, protocol_version, server_name,
//            uptime_seconds, active_sessions, ended_sessions, bytes_in, bytes_out,
//            [[platform_name, platform_version, [device_name...]]...],
//            [[session_id, client, key_name, age_seconds, objects, memory_bytes,
//              bytes_in, bytes_out, busy_queues]...],
//            draining]
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "rcl/protocol/codec.h"

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
};

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

  std::uint64_t memoryBytes() const;  // device memory held by the running sessions
  std::uint64_t busyQueues() const;
};

// The body of a status answer, after [Reply, seq, CL_SUCCESS].
void encodeStatus(Writer& w, const ServerStatus& status);
// Throws DecodeError on a malformed answer.
ServerStatus decodeStatus(Reader& r);

// Sends a status query with `seq` on a connected DEALER socket and waits for
// its answer until `deadline`. nullopt if none came, or a refusal or a
// malformed answer came (then `error` says which, when given).
std::optional<ServerStatus> askStatus(zmq::socket_t& socket, std::uint64_t seq,
                                      std::chrono::steady_clock::time_point deadline, std::string* error = nullptr);

}  // namespace rcl::protocol
