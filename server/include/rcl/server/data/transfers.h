// Moving buffer bytes between the client and the device in pieces of
// protocol::kBulkPiece, each in a frame of its own: reads push their bytes
// when the command completes (the client's read id names them), writes keep
// each piece's frame until the device has it. Shared by the buffer and SVM
// handlers, which differ only in the command that moves one piece.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <CL/cl.h>
#include <zmq.hpp>

#include "rcl/protocol/profiling_times.h"
#include "rcl/protocol/pushes.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/data/shm_transfers.h"

namespace rcl::protocol::calls {
struct MapReadBuffer;  // [requests.MapReadBuffer], [requests.MapReadImage] (rcl/protocol/control_messages.h)
struct MapReadImage;
}  // namespace rcl::protocol::calls

namespace rcl::server {

using Pieces = std::vector<std::shared_ptr<zmq::message_t>>;

// Enqueues the command that moves `size` bytes at `offset` of the whole,
// from or into `host`, after `waits`; its event goes to `event`.
using PieceCommand = std::function<cl_int(std::size_t offset, std::size_t size, void* host,
                                          const ArrayArg<cl_event>& waits, cl_event* event)>;

// The read's event id (the client always picks one: the bytes complete it),
// of a decoded request's `field`: refused naming it if 0.
std::uint64_t readId(CallContext& ctx, std::uint64_t id, const char* field);

// Reads `size` bytes piece by piece (one empty piece for 0 bytes), then
// pushes them under read id `id` when the reads complete, and replies.
// `staged`: the pieces that went through shared memory (shm_transfers.h),
// the first `staged.bytes`; the pieces read the rest, and the read's event
// stands for both.
void readInPieces(CallContext& ctx, cl_command_queue queue, std::size_t size, const ArrayArg<cl_event>& waits,
                  std::uint64_t id, const PieceCommand& command, StagedTransfer staged = {},
                  bool clientWaits = false);

// Writes the client's pieces in order, each from its frame (kept until its
// command completes), after the `staged` pieces (which wrote the first
// `staged.bytes`); the caller's event stands for all of them. Replies.
void writeInPieces(CallContext& ctx, cl_command_queue queue, Pieces pieces, const ArrayArg<cl_event>& waits,
                   EventOut event, const PieceCommand& command, StagedTransfer staged = {});

// After a read was enqueued into `staging`: registers its event under the
// client's id, pushes the bytes when it completes, and replies.
// `clientWaits` (a sync call whose client said it waits for this reply,
// [clEnqueueReadBuffer] in codegen/opencl_calls.toml): the session thread
// waits a little (2 ms) for the command, and a read that ended by then is
// answered in the reply itself, [Reply, seq, CL_SUCCESS, ReadData's fields]
// (no push); past the bound the reply carries the status alone and the push
// follows, as without the flag.
void finishRead(CallContext& ctx, cl_int status, cl_event event, std::uint64_t id, std::shared_ptr<Pieces> staging,
                bool clientWaits = false);
// A read's outcome, [id, status, pieces, times]: each piece moved out of its
// frame; nil for the pieces unless `done` is CL_COMPLETE (push::ReadData).
protocol::push::ReadData readData(std::uint64_t id, cl_int done, Pieces& pieces,
                                  const std::optional<protocol::ProfilingTimes>& times);

// The push of a read's bytes, [ReadData, 0, id, status, pieces], each piece
// moved out of its frame; nil for the pieces unless `done` is CL_COMPLETE.
// With the read's profiling times when given (push::ReadData, codegen/messages.toml).
std::vector<zmq::message_t> readDataPush(std::uint64_t id, cl_int done, Pieces& pieces,
                                         const std::optional<protocol::ProfilingTimes>& times = std::nullopt);

// One event standing for all `parts` (a marker when there are several);
// the parts themselves are released.
cl_int joinEvents(cl_command_queue queue, std::vector<cl_event>& parts, cl_event* joined);

namespace custom {
// Reads for maps for writing of memory the host may not read (protocol/shm.h
// MapReadBuffer, MapReadImage: codegen/messages.toml), in custom_commands.cpp.
void mapReadBuffer(CallContext& ctx, const protocol::calls::MapReadBuffer& request);
void mapReadImage(CallContext& ctx, const protocol::calls::MapReadImage& request);
}  // namespace custom

}  // namespace rcl::server
