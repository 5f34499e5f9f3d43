// Buffer transfers through the client's shared memory (protocol/shm.h) on
// the server: mapping the segment when the client offers it, the pieces a
// client sends ahead of its read or write, and what they leave for that
// command (the staged transfer its token names).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <CL/cl.h>

#include "rcl/server/session/staged_transfers.h"

namespace rcl::protocol::calls {
struct Piece;  // [requests.Piece] (rcl/protocol/control_messages.h)
}  // namespace rcl::protocol::calls

namespace rcl::server {

class CallContext;

// [ShmWritePiece], [ShmReadPiece]: one piece of a transfer through a slot.
void shmPiece(CallContext& ctx, const protocol::calls::Piece& piece, bool write);

}  // namespace rcl::server
