#include "rcl/server/data/shm_transfers.h"

#include "rcl/protocol/pushes.h"
#include "rcl/protocol/shm.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/support/call_error.h"
#include "rcl/server/support/checked_sizes.h"
#include "rcl/server/session/outbox.h"
#include "rcl/server/data/piece_header.h"
#include "rcl/server/data/shm_segment.h"

namespace rcl::server {

namespace {
// Tells the client that `slot` is free again (a write piece) or holds its bytes (a read piece).
// (`slot` is in the segment: shmPiece checked it.)
void pushSlot(Outbox& outbox, bool write, std::uint64_t slot, cl_int status) {
  const auto index = static_cast<std::uint32_t>(slot);
  outbox.post(write ? protocol::push::SlotFree{.slot = index}.frames()
                    : protocol::push::SlotData{.slot = index, .status = status}.frames());
}
}  // namespace

void shmPiece(CallContext& ctx, const protocol::calls::Piece& request, bool write) {
  Session& session = ctx.session();
  const auto segment = session.shm();
  if (!segment) throw CallError(CL_INVALID_OPERATION, "this session has no shared memory");
  unsigned char* bytes = segment->slot(request.where, request.length);  // checked against the mapping, first of all
  const PieceHeader piece = pieceHeader(ctx, request);
  const auto& [token, slot, length, queue, buffer, offset, waits] = piece;
  StagedTransfer& staged = session.staged().at(token);
  if (!staged.add(length)) return pushSlot(*session.outbox(), write, slot, staged.status);
  if (!inBuffer(buffer, offset, length)) {  // (an offset that wraps must not slip past the enqueue's own check)
    staged.status = CL_INVALID_VALUE;
    return pushSlot(*session.outbox(), write, slot, staged.status);
  }
  cl_event part = nullptr;
  const auto n = static_cast<cl_uint>(waits.size());
  const cl_int status =
      write ? ::clEnqueueWriteBuffer(queue, buffer, CL_FALSE, offset, length, bytes, n, waits.data(), &part)
            : ::clEnqueueReadBuffer(queue, buffer, CL_FALSE, offset, length, bytes, n, waits.data(), &part);
  if (status != CL_SUCCESS) {
    staged.status = status;
    return pushSlot(*session.outbox(), write, slot, status);
  }
  staged.parts.push_back(part);
  // The mapping stays while the device may still use the slot.
  session.completions().onComplete(part, [outbox = session.outbox(), segment, write, slot = slot](cl_int done) {
    pushSlot(*outbox, write, slot, done);
  });
  ::clFlush(queue);  // start now: the client fills the next slot meanwhile
}

}  // namespace rcl::server
