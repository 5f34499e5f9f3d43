// Hand-written entry points for buffer and image reads and writes (the
// host-side checks; the bytes' ways: data/transfers.h). Shapes and reasons:
// codegen/opencl_calls.toml.
#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <memory>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/entry/image_format.h"
#include "rcl/icd/data/shm_pieces.h"
#include "rcl/icd/entry/info_copy.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/icd/data/svm_ranges.h"
#include "rcl/icd/data/transfers.h"
#include "rcl/protocol/shm.h"

namespace rcl::icd::custom {
namespace {

bool inRange(cl_mem m, std::size_t offset, std::size_t size) {
  return size != 0 && offset <= m->size && size <= m->size - offset;
}

// The arguments a rect read and a rect write share, up to the buffer pitches
// (the host side travels packed, so its origin and pitches stay here).
void encodeRect(Call& call, cl_command_queue queue, cl_mem buffer, bool (*hostMay)(cl_mem), const void* ptr,
                const size_t* buffer_origin, const size_t* host_origin, const size_t* region, size_t row_pitch,
                size_t slice_pitch, size_t host_row_pitch, size_t host_slice_pitch) {
  call.handle(queue);
  cl_mem m = call.handle(buffer);
  if (ptr == nullptr || buffer_origin == nullptr || host_origin == nullptr || region == nullptr)
    call.fail(CL_INVALID_VALUE);
  if (m != nullptr && m->image) call.fail(CL_INVALID_MEM_OBJECT);
  // The buffer's side in the buffer, the host's pitches against the region.
  if (m != nullptr && !m->image) call.check(rectError(buffer_origin, region, row_pitch, slice_pitch, m->size));
  call.check(rectError(host_origin, region, host_row_pitch, host_slice_pitch, SIZE_MAX));
  if (m != nullptr && !hostMay(m)) call.fail(CL_INVALID_OPERATION);
  call.array(buffer_origin, 3);
  call.array(region, 3);
  call.scalar(row_pitch);
  call.scalar(slice_pitch);
}

}  // namespace

cl_int CL_API_CALL clEnqueueReadBuffer(cl_command_queue command_queue, cl_mem buffer, cl_bool blocking_read,
                                       size_t offset, size_t size, void* ptr, cl_uint num_events_in_wait_list,
                                       const cl_event* event_wait_list, cl_event* event) {
  Call call(CallId::clEnqueueReadBuffer);
  call.handle(command_queue);
  cl_mem m = call.handle(buffer);
  if (m != nullptr && m->image) call.fail(CL_INVALID_MEM_OBJECT);
  if (m != nullptr && (ptr == nullptr || !inRange(m, offset, size))) call.fail(CL_INVALID_VALUE);
  if (m != nullptr && !hostMayRead(m)) call.fail(CL_INVALID_OPERATION);
  call.scalar(offset);
  call.scalar(size);
  // Same host: the first bytes come through shared memory, in pieces sent ahead.
  return enqueueBufferRead(call, command_queue, m, offset, size, ptr, num_events_in_wait_list, event_wait_list,
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
    call.handle(command_queue);
    cl_mem m = call.handle(buffer);
    if (m != nullptr && m->image) call.fail(CL_INVALID_MEM_OBJECT);
    if (m != nullptr && (ptr == nullptr || !inRange(m, offset, size))) call.fail(CL_INVALID_VALUE);
    if (m != nullptr && !hostMayWrite(m)) call.fail(CL_INVALID_OPERATION);
    call.scalar(offset);
    call.scalar(size);
    connection = call.connection();
    // Same host: the first bytes go through shared memory, in pieces sent
    // ahead (copied before this returns); the socket takes the rest.
    const StagedPieces staged =
        stageWrite(call, command_queue, m, offset, size, ptr, event_wait_list, num_events_in_wait_list, blocking_write);
    const auto* rest = static_cast<const unsigned char*>(ptr);
    call.bulkPieces(rest == nullptr ? nullptr : rest + staged.bytes, size - staged.bytes,
                    blocking_write ? &sent : nullptr);
    call.waitList(event_wait_list, num_events_in_wait_list);
    if (blocking_write && staged.direct && event == nullptr) {
      event = &internal;
      waitsForCommand = true;
    }
    call.event(event);
    if (staged.token != 0) call.scalar(staged.token);
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
  encodeRect(call, command_queue, buffer, &hostMayRead, ptr, buffer_origin, host_origin, region, buffer_row_pitch,
             buffer_slice_pitch, host_row_pitch, host_slice_pitch);
  call.waitList(event_wait_list, num_events_in_wait_list);
  if (call.failed()) return call.status();
  return enqueueRegionRead(call, blocking_read, ptr, HostRegion(host_origin, region, host_row_pitch, host_slice_pitch),
                           event);
}

cl_int CL_API_CALL clEnqueueWriteBufferRect(cl_command_queue command_queue, cl_mem buffer, cl_bool,
                                            const size_t* buffer_origin, const size_t* host_origin,
                                            const size_t* region, size_t buffer_row_pitch,
                                            size_t buffer_slice_pitch, size_t host_row_pitch,
                                            size_t host_slice_pitch, const void* ptr,
                                            cl_uint num_events_in_wait_list, const cl_event* event_wait_list,
                                            cl_event* event) {
  Call call(CallId::clEnqueueWriteBufferRect);
  encodeRect(call, command_queue, buffer, &hostMayWrite, ptr, buffer_origin, host_origin, region, buffer_row_pitch,
             buffer_slice_pitch, host_row_pitch, host_slice_pitch);
  if (!call.failed()) sendRegion(call, ptr, HostRegion(host_origin, region, host_row_pitch, host_slice_pitch));
  call.waitList(event_wait_list, num_events_in_wait_list);
  call.event(event);
  return call.post();
}

cl_int CL_API_CALL clEnqueueReadImage(cl_command_queue command_queue, cl_mem image, cl_bool blocking_read,
                                      const size_t* origin, const size_t* region, size_t row_pitch,
                                      size_t slice_pitch, void* ptr, cl_uint num_events_in_wait_list,
                                      const cl_event* event_wait_list, cl_event* event) {
  Call call(CallId::clEnqueueReadImage);
  call.handle(command_queue);
  cl_mem m = call.handle(image);
  if (ptr == nullptr || origin == nullptr || region == nullptr) call.fail(CL_INVALID_VALUE);
  if (m != nullptr && !m->image) call.fail(CL_INVALID_MEM_OBJECT);
  if (!call.failed() && !regionInImage(m, origin, region)) call.fail(CL_INVALID_VALUE);
  if (!call.failed() && !hostMayRead(m)) call.fail(CL_INVALID_OPERATION);
  call.array(origin, 3);
  call.array(region, 3);
  call.waitList(event_wait_list, num_events_in_wait_list);
  if (call.failed()) return call.status();
  const std::size_t extent[3] = {region[0] * m->elementSize, region[1], region[2]};
  return enqueueRegionRead(call, blocking_read, ptr, HostRegion(nullptr, extent, row_pitch, slice_pitch), event);
}

cl_int CL_API_CALL clEnqueueWriteImage(cl_command_queue command_queue, cl_mem image, cl_bool, const size_t* origin,
                                       const size_t* region, size_t input_row_pitch, size_t input_slice_pitch,
                                       const void* ptr, cl_uint num_events_in_wait_list,
                                       const cl_event* event_wait_list, cl_event* event) {
  Call call(CallId::clEnqueueWriteImage);
  call.handle(command_queue);
  cl_mem m = call.handle(image);
  if (ptr == nullptr || origin == nullptr || region == nullptr) call.fail(CL_INVALID_VALUE);
  if (m != nullptr && !m->image) call.fail(CL_INVALID_MEM_OBJECT);
  if (!call.failed() && !regionInImage(m, origin, region)) call.fail(CL_INVALID_VALUE);
  if (!call.failed() && !hostMayWrite(m)) call.fail(CL_INVALID_OPERATION);
  call.array(origin, 3);
  call.array(region, 3);
  if (!call.failed()) {
    const std::size_t extent[3] = {region[0] * m->elementSize, region[1], region[2]};
    sendRegion(call, ptr, HostRegion(nullptr, extent, input_row_pitch, input_slice_pitch));
  }
  call.waitList(event_wait_list, num_events_in_wait_list);
  call.event(event);
  return call.post();
}

}  // namespace rcl::icd::custom
