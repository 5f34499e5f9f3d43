// The header every piece of a buffer transfer starts with, whatever moves its
// bytes (a shared memory slot, a direct copy, a shared buffer, the bulk
// socket): [token, slot or address, length, queue, buffer, offset, wait list]
// (protocol/shm.h, protocol/bulk_socket.h; the client's sendPiece encodes it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include <CL/cl.h>

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

// Decodes a piece's header. `checkWhere` runs once token, where and length
// are read and before the handles are, so that its errors (this session
// cannot take such pieces, a slot out of the segment) come first.
PieceHeader readPieceHeader(CallContext& ctx, const std::function<void(const PieceHeader&)>& checkWhere);

}  // namespace rcl::server
