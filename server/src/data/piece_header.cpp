#include "rcl/server/data/piece_header.h"

namespace rcl::server {

PieceHeader pieceHeader(CallContext& ctx, const protocol::calls::Piece& piece) {
  PieceHeader header;
  header.token = piece.token;
  header.where = piece.where;
  header.length = piece.length;
  header.queue = ctx.handleOf<cl_command_queue>(piece.queue);
  header.buffer = ctx.handleOf<cl_mem>(piece.buffer);
  header.offset = static_cast<std::size_t>(piece.offset);
  header.waits = ctx.handlesOf<cl_event>(piece.waits);
  return header;
}

}  // namespace rcl::server
