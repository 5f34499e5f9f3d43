#include "rcl/server/data/piece_header.h"

namespace rcl::server {

PieceHeader readPieceHeader(CallContext& ctx, const std::function<void(const PieceHeader&)>& checkWhere) {
  PieceHeader piece;
  piece.token = ctx.scalar<std::uint64_t>();
  piece.where = ctx.scalar<std::uint64_t>();
  piece.length = ctx.scalar<std::uint64_t>();
  checkWhere(piece);
  piece.queue = ctx.handle<cl_command_queue>();
  piece.buffer = ctx.handle<cl_mem>();
  piece.offset = ctx.scalar<std::size_t>();
  piece.waits = ctx.handles<cl_event>();
  return piece;
}

}  // namespace rcl::server
