// Reads: the server pushes the bytes when the command completes; the client
// puts them in place, then completes the event. Shared by the read, rect,
// image, map and SVM entry points, with the markers and waits they share.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/transport/shm_segment.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd {

// Puts a piece of the bytes in place, `offset` bytes into the whole.
using Unpack = std::function<void(const void* bytes, std::size_t size, std::size_t offset)>;

// The end of a read's request: its event's id (always sent: the bytes
// complete it) and [clEnqueueReadBuffer]'s tail fields
// (codegen/opencl_calls.toml): the token of its shared memory pieces (0:
// none) and whether the client waits for the reply.
struct ReadTail {
  std::uint64_t event = 0;
  std::uint64_t token = 0;
  bool clientWaits = false;
};
// Writes a read's whole request once its tail is known.
using SendRead = std::function<void(const ReadTail&)>;

// A described read request (rcl::protocol::opencl::NAMERequest, its fields
// before the tail filled): takes the tail's fields it has, and goes.
template <class Request>
SendRead sendRequest(Call& call, Request& request) {
  return [&call, &request](const ReadTail& tail) {
    request.event = tail.event;
    if constexpr (requires { request.token; }) {
      request.token = tail.token;
      request.client_waits = tail.clientWaits;
    }
    call.request(request);
  };
}

// A clEnqueueSVMMemcpy read (its layout `Layout`: SvmToHost, or HostToHost
// for a step of the client's) whose request is filled but for its event.
template <class Layout>
SendRead sendSvmCopy(Call& call, protocol::opencl::clEnqueueSVMMemcpyRequest& request) {
  return [&call, &request](const ReadTail& tail) {
    std::get<Layout>(request.direction).event = tail.event;
    call.request(request);
  };
}

// Allocates the read's event, writes the request with `send`, sends it and
// waits when `blocking`. With shared memory pieces sent ahead
// (shm_pieces.h): their `token` goes in the tail, and `join` completes the
// event once they and the read's own bytes are in. `inReply` (a blocking
// clEnqueueReadBuffer): sent as a sync call that says the client waits, whose
// reply may carry the bytes (server finishRead, data/transfers.h).
cl_int enqueueRead(Call& call, const SendRead& send, cl_bool blocking, Unpack unpack, cl_event* event,
                   cl_command_type type, std::uint64_t token, std::shared_ptr<ReadJoin> join, bool inReply);
// A read whose `call` holds every argument up to and including the wait list,
// written field by field: its event's id follows (the extension ops' reads,
// not described yet).
cl_int enqueueRead(Call& call, cl_bool blocking, Unpack unpack, cl_event* event, cl_command_type type = 0);

// The host may read (or write) a memory object unless its host access
// flags (its own, or its parent's for a sub-buffer) forbid it.
bool hostMayRead(cl_mem m);
bool hostMayWrite(cl_mem m);

// Waits for the reads of `queue` whose bytes are still on the way.
void waitForPendingReads(cl_command_queue queue);

// Asks the server to start what is queued (before the client waits on it).
void flush(cl_command_queue queue);

// A command with nothing to move, standing for a map or unmap (of `type`) in the queue.
cl_int enqueueMarker(cl_command_queue queue, cl_uint n, const cl_event* waits, cl_event* event, cl_command_type type);

// Waits for `event` (a blocking command's), then releases it if only this call needed it.
cl_int finishBlocking(cl_command_queue queue, cl_event event, bool release);

// Work the client does on its own memory in queue order (an SVM copy between
// two host pointers, an SVM free's pfn_free_func): a marker on the server
// whose completion arrives as a read of no bytes; `step` runs on the
// receiver thread when it arrives, before the event completes. Waits when `blocking`.
cl_int enqueueHostStep(cl_command_queue queue, cl_bool blocking, cl_uint n, const cl_event* waits, cl_event* event,
                       cl_command_type type, std::function<void()> step);

// A region of host memory as rect and image transfers name it: where it
// starts (bytes, rows, slices; nullptr: at the start), its extent (bytes,
// rows, slices) and its pitches (0: rows, and slices, follow each other).
struct HostRegion {
  HostRegion(const std::size_t* origin, const std::size_t extent[3], std::size_t rowPitch, std::size_t slicePitch);
  std::size_t bytes() const { return extent[0] * extent[1] * extent[2]; }
  std::size_t origin[3];
  std::size_t extent[3];
  std::size_t rowPitch;
  std::size_t slicePitch;
};
// Whether origin + region lie in the image (else the call's CL_INVALID_VALUE;
// an empty region is left to the platform, which may take it). True for an
// image whose extent the client does not know.
bool regionInImage(cl_mem image, const std::size_t* origin, const std::size_t* region);

// A rect of a buffer or of host memory: its region has no empty side, its
// pitches (0: packed) hold the region (a slice pitch a multiple of the row
// pitch), and origin + region lie in `size` bytes (SIZE_MAX: not checked).
// CL_SUCCESS, or CL_INVALID_VALUE (checks.cpp).
cl_int rectError(const std::size_t* origin, const std::size_t* region, std::size_t rowPitch, std::size_t slicePitch,
                 std::size_t size);

// The region of `ptr`, packed into `packed` (a write's bytes, sent from
// there; none for an empty region, as Call::bytes says of no memory).
std::optional<std::string_view> packedRegion(const void* ptr, const HostRegion& region, std::vector<unsigned char>& packed);
// A buffer read into `ptr` whose `request` holds its fields up to its size
// (a clEnqueueReadBuffer's, or a map's: `call`'s id says which): its first
// bytes go as pieces sent ahead (shm_pieces.h) where they can, then its wait
// list is filled, and enqueueRead puts the socket's bytes after theirs.
cl_int enqueueBufferRead(Call& call, protocol::opencl::clEnqueueReadBufferRequest& request, cl_command_queue queue,
                         cl_mem buffer, void* ptr, cl_uint n, const cl_event* waits, cl_bool blocking,
                         cl_event* event, cl_command_type type = 0);

// enqueueRead whose bytes come packed and are laid out into the region of `ptr`.
cl_int enqueueRegionRead(Call& call, const SendRead& send, cl_bool blocking, void* ptr, const HostRegion& region,
                         cl_event* event);

// Copies a packed region into memory laid out with the given pitches, and back.
void unpackRegion(const unsigned char* packed, unsigned char* dst, const std::size_t origin[3],
                  const std::size_t region[3], std::size_t rowPitch, std::size_t slicePitch);
void packRegion(const unsigned char* src, unsigned char* packed, const std::size_t origin[3],
                const std::size_t region[3], std::size_t rowPitch, std::size_t slicePitch);

}  // namespace rcl::icd
