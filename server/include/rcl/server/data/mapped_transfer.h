// A piece of a buffer transfer whose bytes move straight between the mapped
// region of the buffer and somewhere outside OpenCL: the client's memory
// (direct_copy.h) or the bulk socket (bulk_socket.h). In the queue's order:
// map the region, run the step on the mapped bytes (off the session thread),
// unmap once the step is finished; the unmap's event stands for the piece in
// the transfer its token stages (shm_transfers.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace rcl::protocol::calls {
struct Piece;  // [requests.Piece] (rcl/protocol/control_messages.h)
}  // namespace rcl::protocol::calls

namespace rcl::server {

class CallContext;

// Moves `length` bytes between `host` (the mapped region) and `where` (what
// the piece named: an address, a bulk id) for the transfer `token`, then
// calls `finished` once, from any thread: `ok` false fails the piece (its
// unmap, and so the transfer's command, ends in an error).
using MappedStep = std::function<void(unsigned char* host, std::uint64_t token, std::uint64_t where,
                                      std::size_t length, std::function<void(bool ok)> finished)>;

// Decodes a piece (piece_header.h) and enqueues map -> `step` -> unmap. `step` empty: this session cannot
// take `kind` pieces (CL_INVALID_OPERATION). Errors of the enqueues are kept
// for the transfer's command.
void mappedPiece(CallContext& ctx, const protocol::calls::Piece& request, bool write, const char* kind,
                 MappedStep step);

}  // namespace rcl::server
