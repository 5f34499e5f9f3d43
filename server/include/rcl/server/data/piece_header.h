// What a piece of a buffer transfer names, whatever moves its bytes (a shared
// memory slot, a direct copy, a shared buffer, the bulk socket): its request
// is described once, [requests.Piece] in codegen/messages.toml
// (protocol::calls::Piece, decoded by the generated stand-in table; the
// client's sendPiece encodes it), and its objects are found here.
#pragma once

#include <cstddef>
#include <cstdint>

#include <CL/cl.h>

#include "rcl/protocol/control_messages.h"
#include "rcl/server/calls/call_context.h"

namespace rcl::server {

struct PieceHeader {
  std::uint64_t token = 0;   // the transfer the piece stages (shm_transfers.h)
  std::uint64_t where = 0;   // the slot, the client's address, or the bulk id
  std::uint64_t length = 0;  // bytes
  cl_command_queue queue = nullptr;
  cl_mem buffer = nullptr;
  std::size_t offset = 0;  // in the buffer
  ArrayArg<cl_event> waits;
};

// The piece's objects, from the session's handle table (an id of another
// kind or session is the call's CL_INVALID_*). The handler checks what the
// piece's kind needs (this session takes such pieces, a slot in the segment)
// before, so that those errors come first.
PieceHeader pieceHeader(CallContext& ctx, const protocol::calls::Piece& piece);

}  // namespace rcl::server
