// The wire format shared by the client driver and the server.
//
// Every message is a ZeroMQ multipart message. Its first frame is one msgpack
// array whose first three elements form the header; bulk data (buffer
// contents, program binaries) never goes through msgpack: it rides in the
// frames after the first, and the msgpack part names them by index.
//
//   request   [Kind::Request,  seq, call_id, args...]        + bulk frames
//   reply     [Kind::Reply,    seq, status,  outputs...]     + bulk frames
//   event     [Kind::Event,    0,   event_id, status]
//   read data [Kind::ReadData, 0,   event_id, status]        + one bulk frame
//   callback  [Kind::Callback, 0,   callback_id, args...]
//   ping      [Kind::Ping,     0,   0]
//   error     [Kind::Error,    seq, status, message]         (malformed input)
//
// A request with seq 0 expects no reply (an async call); if it fails, the
// server answers with [Kind::AsyncError, 0, status, call_id, event_id].
#pragma once

#include <cstdint>

namespace rcl::protocol {

// Bumped on every incompatible change of the wire format.
inline constexpr std::uint32_t kProtocolVersion = 1;

enum class Kind : std::uint8_t {
  Request = 0,
  Reply = 1,
  Event = 2,
  ReadData = 3,
  Callback = 4,
  Ping = 5,
  Error = 6,
  AsyncError = 7,
};

// The two sockets a client session uses; the channel is the last byte of the
// ZeroMQ routing id, after the 8-byte session id.
enum class Channel : std::uint8_t {
  Control = 0,  // handshake, replies, pushes, heartbeats (server -> client)
  Calls = 1,    // requests (client -> server)
};

inline constexpr std::size_t kRoutingIdSize = 9;

// Ids the server hands out (platforms, devices, objects it creates on its
// own) have this bit set; ids the client picks never do.
inline constexpr std::uint64_t kServerIdBit = std::uint64_t{1} << 63;

}  // namespace rcl::protocol
