// The wire format shared by the client driver and the server.
//
// Every message is a ZeroMQ multipart message. Its first frame is one msgpack
// array whose first three elements form the header; bulk data (buffer
// contents, program binaries) never goes through msgpack: it rides in the
// frames after the first, and the msgpack part names them by index.
//
//   request   [Kind::Request,  seq, call_id, args...]        + bulk frames
//   reply     [Kind::Reply,    seq, status,  outputs...]     + bulk frames
//   push      [Kind::NAME,     0,   fields...]               + bulk frames (ReadData's pieces)
//
// A push is what the server sends unasked: every Kind but Request and Reply
// (an event's completion, a read's bytes, a callback, a ping, an error, the
// kernels' printf, shared-memory slots). Each is described once, field by
// field with its types and limits, in codegen/messages.toml; the generator
// writes rcl::protocol::push::NAME (rcl/protocol/pushes.h in the build tree)
// with its encoder and its checked decoder, used by both sides, and their
// round-trip test. Error carries the refused request's seq in its header.
// codegen/README.md walks one push from its description to its handler.
// A Callback's arguments follow its id, as [callbacks.KIND] there says.
//
// A request with seq 0 expects no reply (an async call); if it fails, the
// server pushes an AsyncError (the call's id, status and event id).
#pragma once

#include <cstddef>
#include <cstdint>

namespace rcl::protocol {

// Bumped on every incompatible change of the wire format or of what one side
// relies on the other to do. 2: the server pushes the failure of every command
// whose completion it owes, callback or not (FailureWatch, server/src/session/callbacks.cpp),
// and the client's waits rely on it (a server of 1 would leave a failed wait
// to the client's 30 s last resort): the hello refuses the mismatch instead.
inline constexpr std::uint32_t kProtocolVersion = 2;

enum class Kind : std::uint8_t {
  Request = 0,
  Reply = 1,
  Event = 2,
  ReadData = 3,
  Callback = 4,
  Ping = 5,
  Error = 6,
  AsyncError = 7,
  Output = 8,  // what the session's kernels printed, for the client's stdout
  SlotFree = 9,   // a shared memory slot the server is done with (shm.h)
  SlotData = 10,  // a shared memory slot holds a read piece's bytes (shm.h)
  CopyNow = 11,   // a shared buffer's region is mapped: the client copies (shm.h)
};

// The sockets of a client session. A ZeroMQ routing id is the 8-byte
// session id, the channel byte, and a 4-byte reply index (reply sockets only).
enum class Channel : std::uint8_t {
  Control = 0,  // handshake, pushes, heartbeats, replies of reply index 0 (server -> client)
  Calls = 1,    // requests (client -> server)
  Reply = 2,    // one per client thread that waits for replies itself
};

inline constexpr std::size_t kRoutingIdSize = 13;

// Buffer data travels in frames of at most this size: the frames of one
// message are received into memory the allocator reuses (a single huge frame
// would be fresh pages every time), and the server copies each to the device
// as soon as it can.
inline constexpr std::size_t kBulkPiece = std::size_t{8} << 20;
inline constexpr std::size_t pieceCount(std::size_t size) { return (size + kBulkPiece - 1) / kBulkPiece; }

// A request's sequence number says where its reply goes: the top 16 bits
// are the reply index (0: the control channel), the rest count requests.
inline constexpr int kReplyIndexShift = 48;
inline constexpr std::uint64_t replyIndexOf(std::uint64_t seq) { return seq >> kReplyIndexShift; }

// Ids the server hands out (platforms, devices, objects it creates on its
// own) have this bit set; ids the client picks never do.
inline constexpr std::uint64_t kServerIdBit = std::uint64_t{1} << 63;

}  // namespace rcl::protocol
