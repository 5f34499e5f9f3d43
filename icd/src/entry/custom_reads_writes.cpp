// Hand-written entry points for buffer and image reads and writes (the
// host-side checks; the bytes' ways: data/transfers.h). Shapes and reasons:
// codegen/opencl_calls.toml.
#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/entry/image_format.h"
#include "rcl/icd/data/shm_pieces.h"
#include "rcl/icd/entry/info_copy.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/icd/data/svm_ranges.h"
#include "rcl/icd/data/transfers.h"
#include "rcl/protocol/opencl_wire.h"
#include "rcl/protocol/shm.h"

namespace rcl::icd::custom {
namespace {

namespace wire = protocol::opencl;

// A non-blocking write up to this size whose clFinish could skip its round
// trip is copied into its frames (1 MiB: ~0.1 ms of memcpy) rather than lent.
constexpr std::size_t kSettledCopyMax = std::size_t{1} << 20;

bool inRange(cl_mem m, std::size_t offset, std::size_t size) {
  return size != 0 && offset <= m->size && size <= m->size - offset;
}

// The fields a rect read and a rect write share, up to the buffer pitches
// (the host side travels packed, so its origin and pitches stay here).
template <class Request>
void fillRect(Call& call, Request& request, cl_command_queue queue, cl_mem buffer, bool (*hostMay)(cl_mem),
              const void* ptr, const size_t* buffer_origin, const size_t* host_origin, const size_t* region,
              size_t row_pitch, size_t slice_pitch, size_t host_row_pitch, size_t host_slice_pitch) {
  request.command_queue = call.handleId(queue);
  request.buffer = call.handleId(buffer);
  cl_mem m = call.unlessFailed(buffer);
  if (ptr == nullptr || buffer_origin == nullptr || host_origin == nullptr || region == nullptr)
    call.fail(CL_INVALID_VALUE);
  if (m != nullptr && m->image) call.fail(CL_INVALID_MEM_OBJECT);
  // The buffer's side in the buffer, the host's pitches against the region.
  if (m != nullptr && !m->image) call.check(rectError(buffer_origin, region, row_pitch, slice_pitch, m->size));
  call.check(rectError(host_origin, region, host_row_pitch, host_slice_pitch, SIZE_MAX));
  if (m != nullptr && !hostMay(m)) call.fail(CL_INVALID_OPERATION);
  request.buffer_origin = Call::elements(buffer_origin, 3);
  request.region = Call::elements(region, 3);
  request.buffer_row_pitch = row_pitch;
  request.buffer_slice_pitch = slice_pitch;
}

// The fields an image read and an image write share: the image checked for
// the host's access, the region in it. The image, or nullptr once the call failed.
template <class Request>
cl_mem fillImage(Call& call, Request& request, cl_command_queue queue, cl_mem image, bool (*hostMay)(cl_mem),
                 const void* ptr, const size_t* origin, const size_t* region) {
  request.command_queue = call.handleId(queue);
  request.image = call.handleId(image);
  cl_mem m = call.unlessFailed(image);
  if (ptr == nullptr || origin == nullptr || region == nullptr) call.fail(CL_INVALID_VALUE);
  if (m != nullptr && !m->image) call.fail(CL_INVALID_MEM_OBJECT);
  if (!call.failed() && !regionInImage(m, origin, region)) call.fail(CL_INVALID_VALUE);
  if (!call.failed() && !hostMay(m)) call.fail(CL_INVALID_OPERATION);
  request.origin = Call::elements(origin, 3);
  request.region = Call::elements(region, 3);
  return call.unlessFailed(m);
}

}  // namespace

cl_int CL_API_CALL clEnqueueReadBuffer(cl_command_queue command_queue, cl_mem buffer, cl_bool blocking_read,
                                       size_t offset, size_t size, void* ptr, cl_uint num_events_in_wait_list,
                                       const cl_event* event_wait_list, cl_event* event) {
  Call call(CallId::clEnqueueReadBuffer);
  wire::clEnqueueReadBufferRequest request;
  request.command_queue = call.handleId(command_queue);
  request.buffer = call.handleId(buffer);
  cl_mem m = call.unlessFailed(buffer);
  if (m != nullptr && m->image) call.fail(CL_INVALID_MEM_OBJECT);
  if (m != nullptr && (ptr == nullptr || !inRange(m, offset, size))) call.fail(CL_INVALID_VALUE);
  if (m != nullptr && !hostMayRead(m)) call.fail(CL_INVALID_OPERATION);
  request.offset = offset;
  request.size = size;
  // Same host: the first bytes come through shared memory, in pieces sent ahead.
  return enqueueBufferRead(call, request, command_queue, m, ptr, num_events_in_wait_list, event_wait_list,
                           blocking_read, event);
}

cl_int CL_API_CALL clEnqueueWriteBuffer(cl_command_queue command_queue, cl_mem buffer, cl_bool blocking_write,
                                        size_t offset, size_t size, const void* ptr, cl_uint num_events_in_wait_list,
                                        const cl_event* event_wait_list, cl_event* event) {
  // Sent straight from the application's memory: a non-blocking write leaves
  // it to the implementation until its event completes; a blocking one
  // returns once ZeroMQ is done reading it (after the call, and its frames, are gone).
  SendLatch sent;
  cl_int status;
  Connection* connection = nullptr;
  // A direct piece is copied while the command runs: a blocking write waits for it.
  cl_event internal = nullptr;
  bool waitsForCommand = blocking_write && event != nullptr;
  {
    Call call(CallId::clEnqueueWriteBuffer);
    wire::clEnqueueWriteBufferRequest request;
    request.command_queue = call.handleId(command_queue);
    request.buffer = call.handleId(buffer);
    cl_mem m = call.unlessFailed(buffer);
    if (m != nullptr && m->image) call.fail(CL_INVALID_MEM_OBJECT);
    if (m != nullptr && (ptr == nullptr || !inRange(m, offset, size))) call.fail(CL_INVALID_VALUE);
    if (m != nullptr && !hostMayWrite(m)) call.fail(CL_INVALID_OPERATION);
    request.offset = offset;
    request.size = size;
    connection = call.connection();
    // Same host: the first bytes go through shared memory, in pieces sent
    // ahead (copied before this returns); the socket takes the rest.
    const StagedPieces staged =
        stageWrite(call, command_queue, m, offset, size, ptr, event_wait_list, num_events_in_wait_list, blocking_write);
    // Settled on send: all its bytes go with the call (a blocking write waits
    // until ZeroMQ is done with them; a non-blocking one of up to
    // kSettledCopyMax bytes is copied, which costs less than a round trip on
    // any network), it waits for nothing and nobody asks its status: a
    // clFinish after it has nothing to wait for here.
    const bool settles = staged.bytes == 0 && num_events_in_wait_list == 0 && event == nullptr &&
                         (blocking_write || size <= kSettledCopyMax);
    if (settles) call.settledOnSend();
    const auto* rest = static_cast<const unsigned char*>(ptr);
    request.ptr = call.pieces(rest == nullptr ? nullptr : rest + staged.bytes, size - staged.bytes,
                              blocking_write ? &sent : nullptr,
                              settles && !blocking_write ? kSettledCopyMax : Call::kCopiedPiecesMax);
    request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
    if (blocking_write && staged.direct && event == nullptr) {
      event = &internal;
      waitsForCommand = true;
    }
    request.event = call.eventId(event);
    request.token = staged.token;
    call.request(request);
    status = call.post();
  }
  sent.wait();
  // The server was lost before it had every byte: ZeroMQ dropped the rest.
  if (status == CL_SUCCESS && blocking_write && connection != nullptr && !connection->alive())
    return CL_OUT_OF_RESOURCES;
  // With an event asked for, a blocking write returns with its command done,
  // as natively (the application may ask its profiling times at once).
  if (status == CL_SUCCESS && waitsForCommand) return finishBlocking(command_queue, *event, event == &internal);
  return status;
}

cl_int CL_API_CALL clEnqueueReadBufferRect(cl_command_queue command_queue, cl_mem buffer, cl_bool blocking_read,
                                           const size_t* buffer_origin, const size_t* host_origin,
                                           const size_t* region, size_t buffer_row_pitch, size_t buffer_slice_pitch,
                                           size_t host_row_pitch, size_t host_slice_pitch, void* ptr,
                                           cl_uint num_events_in_wait_list, const cl_event* event_wait_list,
                                           cl_event* event) {
  Call call(CallId::clEnqueueReadBufferRect);
  wire::clEnqueueReadBufferRectRequest request;
  fillRect(call, request, command_queue, buffer, &hostMayRead, ptr, buffer_origin, host_origin, region,
           buffer_row_pitch, buffer_slice_pitch, host_row_pitch, host_slice_pitch);
  request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
  if (call.failed()) return call.status();
  return enqueueRegionRead(call, sendRequest(call, request), blocking_read, ptr,
                           HostRegion(host_origin, region, host_row_pitch, host_slice_pitch), event);
}

cl_int CL_API_CALL clEnqueueWriteBufferRect(cl_command_queue command_queue, cl_mem buffer, cl_bool,
                                            const size_t* buffer_origin, const size_t* host_origin,
                                            const size_t* region, size_t buffer_row_pitch,
                                            size_t buffer_slice_pitch, size_t host_row_pitch,
                                            size_t host_slice_pitch, const void* ptr,
                                            cl_uint num_events_in_wait_list, const cl_event* event_wait_list,
                                            cl_event* event) {
  Call call(CallId::clEnqueueWriteBufferRect);
  wire::clEnqueueWriteBufferRectRequest request;
  fillRect(call, request, command_queue, buffer, &hostMayWrite, ptr, buffer_origin, host_origin, region,
           buffer_row_pitch, buffer_slice_pitch, host_row_pitch, host_slice_pitch);
  std::vector<unsigned char> packed;
  if (!call.failed())
    request.ptr = packedRegion(ptr, HostRegion(host_origin, region, host_row_pitch, host_slice_pitch), packed);
  request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
  request.event = call.eventId(event);
  call.request(request);
  return call.post();
}

cl_int CL_API_CALL clEnqueueReadImage(cl_command_queue command_queue, cl_mem image, cl_bool blocking_read,
                                      const size_t* origin, const size_t* region, size_t row_pitch,
                                      size_t slice_pitch, void* ptr, cl_uint num_events_in_wait_list,
                                      const cl_event* event_wait_list, cl_event* event) {
  Call call(CallId::clEnqueueReadImage);
  wire::clEnqueueReadImageRequest request;
  cl_mem m = fillImage(call, request, command_queue, image, &hostMayRead, ptr, origin, region);
  request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
  if (call.failed()) return call.status();
  const std::size_t extent[3] = {region[0] * m->elementSize, region[1], region[2]};
  return enqueueRegionRead(call, sendRequest(call, request), blocking_read, ptr,
                           HostRegion(nullptr, extent, row_pitch, slice_pitch), event);
}

cl_int CL_API_CALL clEnqueueWriteImage(cl_command_queue command_queue, cl_mem image, cl_bool, const size_t* origin,
                                       const size_t* region, size_t input_row_pitch, size_t input_slice_pitch,
                                       const void* ptr, cl_uint num_events_in_wait_list,
                                       const cl_event* event_wait_list, cl_event* event) {
  Call call(CallId::clEnqueueWriteImage);
  wire::clEnqueueWriteImageRequest request;
  cl_mem m = fillImage(call, request, command_queue, image, &hostMayWrite, ptr, origin, region);
  std::vector<unsigned char> packed;
  if (m != nullptr) {
    const std::size_t extent[3] = {region[0] * m->elementSize, region[1], region[2]};
    request.ptr = packedRegion(ptr, HostRegion(nullptr, extent, input_row_pitch, input_slice_pitch), packed);
  }
  request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
  request.event = call.eventId(event);
  call.request(request);
  return call.post();
}

}  // namespace rcl::icd::custom
