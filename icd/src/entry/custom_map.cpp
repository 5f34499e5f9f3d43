// Mapping, emulated on the client: a map reads the region into client
// memory (or the application's own CL_MEM_USE_HOST_PTR memory), an unmap
// writes it back if it was mapped for writing. CL_MAP_WRITE_INVALIDATE_REGION
// reads nothing. A map for writing of memory the host may not read
// (CL_MEM_HOST_WRITE_ONLY) still shows the region's current bytes (its unmap
// writes the whole region back): the server reads them through a copy on the
// device, since the real platform refuses the read. Shapes and reasons:
// codegen/opencl_calls.toml.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/data/shm_pieces.h"
#include "rcl/icd/data/transfers.h"
#include "rcl/protocol/shm.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {
namespace {

// A map's read of an image's region (packed rows): a clEnqueueReadImage, or
// a MapReadImage of an image the host may not read (the same fields).
template <class Request>
cl_int mapImageRead(CallId id, cl_command_queue q, cl_mem m, const size_t* origin, const size_t* region, cl_uint n,
                    const cl_event* waits, const Unpack& unpack, cl_event* out) {
  Call call(id);
  Request request;
  request.command_queue = call.handleId(q);
  request.image = call.handleId(m);
  if constexpr (std::is_same_v<Request, protocol::calls::MapReadImage>) {
    request.origin = std::string(*Call::elements(origin, 3));
    request.region = std::string(*Call::elements(region, 3));
  } else {
    request.origin = Call::elements(origin, 3);
    request.region = Call::elements(region, 3);
  }
  request.event_wait_list = call.waitListIds(waits, n);
  return enqueueRead(call, sendRequest(call, request), CL_FALSE, unpack, out, CL_COMMAND_MAP_IMAGE, 0, nullptr,
                     false);
}

constexpr cl_map_flags kWriteFlags = CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION;

void setError(cl_int* errcode_ret, cl_int error) {
  if (errcode_ret != nullptr) *errcode_ret = error;
}

std::shared_ptr<void> allocateHost(std::size_t size) { return Driver::instance().mappingMemory().take(size); }

// The host access flags allow the mapping (reading for CL_MAP_READ, writing for the others).
bool mapAllowed(cl_mem m, cl_map_flags flags) {
  if ((flags & CL_MAP_READ) != 0 && !hostMayRead(m)) return false;
  if ((flags & kWriteFlags) != 0 && !hostMayWrite(m)) return false;
  return true;
}

void* recordMapping(cl_mem m, void* host, _cl_mem::Mapping mapping) {
  std::lock_guard lock(m->mapMutex);
  m->mappings.emplace(host, std::move(mapping));
  return host;
}

}  // namespace

void* CL_API_CALL clEnqueueMapBuffer(cl_command_queue command_queue, cl_mem buffer, cl_bool blocking_map,
                                     cl_map_flags map_flags, size_t offset, size_t size,
                                     cl_uint num_events_in_wait_list, const cl_event* event_wait_list,
                                     cl_event* event, cl_int* errcode_ret) {
  cl_command_queue q = checked(command_queue);
  cl_mem m = checked(buffer);
  if (q == nullptr) return setError(errcode_ret, CL_INVALID_COMMAND_QUEUE), nullptr;
  if (m == nullptr || m->image) return setError(errcode_ret, CL_INVALID_MEM_OBJECT), nullptr;
  if (m->context != q->context) return setError(errcode_ret, CL_INVALID_CONTEXT), nullptr;
  if (size == 0 || offset > m->size || size > m->size - offset)
    return setError(errcode_ret, CL_INVALID_VALUE), nullptr;
  if (!mapAllowed(m, map_flags)) return setError(errcode_ret, CL_INVALID_OPERATION), nullptr;

  _cl_mem::Mapping mapping;
  mapping.offset = offset;
  mapping.size = size;
  mapping.flags = map_flags;
  void* host;
  std::size_t sharedAt = 0;
  const auto& shared = sharedMemoryOf(m, &sharedAt);
  if (shared) {
    sharedAt += offset;
    host = shared->bytes() + sharedAt;
    mapping.sharedOffset = sharedAt;
  } else if (m->hostPtr != nullptr) {
    host = static_cast<unsigned char*>(m->hostPtr) + offset;
  } else {
    mapping.owned = allocateHost(size);
    if (!mapping.owned) return setError(errcode_ret, CL_OUT_OF_HOST_MEMORY), nullptr;
    host = mapping.owned.get();
  }

  cl_event internal = nullptr;
  cl_event* out = event != nullptr ? event : (blocking_map ? &internal : nullptr);
  cl_int status;
  if (shared) {
    // The server holds the real map; the application gets this process's view of the region.
    Call call(CallId::SharedMap);
    call.request(protocol::calls::SharedMap{.queue = call.handleId(q),
                                            .buffer = call.handleId(m),
                                            .flags = map_flags,
                                            .offset = offset,
                                            .size = size,
                                            .waits = call.waitListIds(event_wait_list, num_events_in_wait_list),
                                            .event = call.eventId(out),
                                            .shared_at = sharedAt});
    status = call.post();
    if (status == CL_SUCCESS && out != nullptr) (*out)->commandType = CL_COMMAND_MAP_BUFFER;
  } else if ((map_flags & CL_MAP_WRITE_INVALIDATE_REGION) != 0) {
    status = enqueueMarker(q, num_events_in_wait_list, event_wait_list, out, CL_COMMAND_MAP_BUFFER);
  } else if (!hostMayRead(m)) {
    // A map for writing of a buffer the host may not read (CL_MEM_HOST_WRITE_ONLY)
    // still shows its bytes: the server copies them on the device and reads the copy.
    Call call(CallId::MapReadBuffer);
    protocol::calls::MapReadBuffer request;
    request.command_queue = call.handleId(q);
    request.buffer = call.handleId(m);
    request.offset = offset;
    request.size = size;
    request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
    auto* dst = static_cast<unsigned char*>(host);
    status = enqueueRead(
        call, sendRequest(call, request), CL_FALSE,
        [dst, size](const void* bytes, std::size_t n, std::size_t at) {
          if (at < size) std::memcpy(dst + at, bytes, std::min(n, size - at));
        },
        out, CL_COMMAND_MAP_BUFFER, 0, nullptr, false);
  } else {
    Call call(CallId::clEnqueueReadBuffer);
    protocol::opencl::clEnqueueReadBufferRequest request;
    request.command_queue = call.handleId(q);
    request.buffer = call.handleId(m);
    request.offset = offset;
    request.size = size;
    status = enqueueBufferRead(call, request, q, m, host, num_events_in_wait_list, event_wait_list, CL_FALSE, out,
                               CL_COMMAND_MAP_BUFFER);
  }
  if (status == CL_SUCCESS && blocking_map) status = finishBlocking(q, *out, out == &internal);
  setError(errcode_ret, status);
  if (status != CL_SUCCESS) return nullptr;
  return recordMapping(m, host, std::move(mapping));
}

void* CL_API_CALL clEnqueueMapImage(cl_command_queue command_queue, cl_mem image, cl_bool blocking_map,
                                    cl_map_flags map_flags, const size_t* origin, const size_t* region,
                                    size_t* image_row_pitch, size_t* image_slice_pitch,
                                    cl_uint num_events_in_wait_list, const cl_event* event_wait_list,
                                    cl_event* event, cl_int* errcode_ret) {
  cl_command_queue q = checked(command_queue);
  cl_mem m = checked(image);
  if (q == nullptr) return setError(errcode_ret, CL_INVALID_COMMAND_QUEUE), nullptr;
  if (m == nullptr || !m->image) return setError(errcode_ret, CL_INVALID_MEM_OBJECT), nullptr;
  if (m->context != q->context) return setError(errcode_ret, CL_INVALID_CONTEXT), nullptr;
  if (origin == nullptr || region == nullptr || image_row_pitch == nullptr)
    return setError(errcode_ret, CL_INVALID_VALUE), nullptr;
  if (!mapAllowed(m, map_flags)) return setError(errcode_ret, CL_INVALID_OPERATION), nullptr;
  if (!regionInImage(m, origin, region)) return setError(errcode_ret, CL_INVALID_VALUE), nullptr;

  // CL_MEM_USE_HOST_PTR: the mapping is the application's own memory, in its
  // layout; otherwise client memory with the region's rows packed.
  const bool own = m->hostPtr != nullptr;
  const std::size_t rowBytes = region[0] * m->elementSize;
  const std::size_t row = own ? m->hostRowPitch : rowBytes;
  const std::size_t slice = own ? m->hostSlicePitch : rowBytes * region[1];
  const std::size_t size = rowBytes * region[1] * region[2];
  _cl_mem::Mapping mapping;
  mapping.size = size;
  mapping.flags = map_flags;
  std::copy(origin, origin + 3, mapping.origin);
  std::copy(region, region + 3, mapping.region);
  void* host;
  if (own) {
    host = static_cast<unsigned char*>(m->hostPtr) + origin[2] * slice + origin[1] * row + origin[0] * m->elementSize;
  } else {
    mapping.owned = allocateHost(size);
    if (!mapping.owned) return setError(errcode_ret, CL_OUT_OF_HOST_MEMORY), nullptr;
    host = mapping.owned.get();
  }
  *image_row_pitch = row;
  // A 1D array's images are counted by the region's second coordinate: they
  // are a row apart in the mapping, and the slice pitch says so (the CTS steps
  // by it); a 2D image has one slice.
  if (image_slice_pitch != nullptr) {
    if (m->imageType == CL_MEM_OBJECT_IMAGE1D_ARRAY) *image_slice_pitch = row;
    else *image_slice_pitch = own ? slice : (region[2] > 1 ? slice : 0);
  }
  mapping.rowPitch = row;
  mapping.slicePitch = slice;

  cl_event internal = nullptr;
  cl_event* out = event != nullptr ? event : (blocking_map ? &internal : nullptr);
  cl_int status;
  if ((map_flags & CL_MAP_WRITE_INVALIDATE_REGION) != 0) {
    status = enqueueMarker(q, num_events_in_wait_list, event_wait_list, out, CL_COMMAND_MAP_IMAGE);
  } else {
    // An image the host may not read (CL_MEM_HOST_WRITE_ONLY), mapped for
    // writing: the server copies the region on the device and reads the copy.
    auto* dst = static_cast<unsigned char*>(host);
    const std::size_t extent[3] = {rowBytes, region[1], region[2]};
    const Unpack unpack = [=](const void* bytes, std::size_t n, std::size_t) {
      const std::size_t zero[3] = {0, 0, 0};
      if (n == size) unpackRegion(static_cast<const unsigned char*>(bytes), dst, zero, extent, row, slice);
    };
    status = hostMayRead(m) ? mapImageRead<protocol::opencl::clEnqueueReadImageRequest>(
                                  CallId::clEnqueueReadImage, q, m, origin, region, num_events_in_wait_list,
                                  event_wait_list, unpack, out)
                            : mapImageRead<protocol::calls::MapReadImage>(CallId::MapReadImage, q, m, origin, region,
                                                                          num_events_in_wait_list, event_wait_list,
                                                                          unpack, out);
  }
  if (status == CL_SUCCESS && blocking_map) status = finishBlocking(q, *out, out == &internal);
  setError(errcode_ret, status);
  if (status != CL_SUCCESS) return nullptr;
  return recordMapping(m, host, std::move(mapping));
}

cl_int CL_API_CALL clEnqueueUnmapMemObject(cl_command_queue command_queue, cl_mem memobj, void* mapped_ptr,
                                           cl_uint num_events_in_wait_list, const cl_event* event_wait_list,
                                           cl_event* event) {
  cl_command_queue q = checked(command_queue);
  cl_mem m = checked(memobj);
  if (q == nullptr) return CL_INVALID_COMMAND_QUEUE;
  if (m == nullptr) return CL_INVALID_MEM_OBJECT;
  if (m->context != q->context) return CL_INVALID_CONTEXT;
  _cl_mem::Mapping mapping;
  {
    std::lock_guard lock(m->mapMutex);
    auto it = m->mappings.find(mapped_ptr);
    if (it == m->mappings.end()) return CL_INVALID_VALUE;
    mapping = std::move(it->second);
    m->mappings.erase(it);
  }
  const cl_command_type type = CL_COMMAND_UNMAP_MEM_OBJECT;
  // The memory stays until the command that reads it is done.
  cl_event internal = nullptr;
  cl_event* out = event != nullptr ? event : &internal;
  cl_int status;
  if (mapping.sharedOffset) {
    Call call(CallId::SharedUnmap);
    call.request(protocol::calls::SharedUnmap{.queue = call.handleId(q),
                                              .buffer = call.handleId(m),
                                              .shared_at = *mapping.sharedOffset,
                                              .waits = call.waitListIds(event_wait_list, num_events_in_wait_list),
                                              .event = call.eventId(out)});
    status = call.post();
  } else if ((mapping.flags & kWriteFlags) == 0) {
    status = enqueueMarker(q, num_events_in_wait_list, event_wait_list, out, type);
  } else if (!m->image) {
    Call call(CallId::clEnqueueWriteBuffer);
    protocol::opencl::clEnqueueWriteBufferRequest request;
    request.command_queue = call.handleId(q);
    request.buffer = call.handleId(m);
    request.offset = mapping.offset;
    request.size = mapping.size;
    const StagedPieces staged = stageWrite(call, q, m, mapping.offset, mapping.size, mapped_ptr, event_wait_list,
                                           num_events_in_wait_list, false);
    request.ptr = call.pieces(static_cast<unsigned char*>(mapped_ptr) + staged.bytes, mapping.size - staged.bytes);
    request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
    request.event = call.eventId(out);
    request.token = staged.token;
    call.request(request);
    status = call.post();
  } else {
    // The rows go packed; a mapping of the application's memory is packed first.
    std::shared_ptr<void> packed = mapping.owned;
    if (!packed) {
      packed = allocateHost(mapping.size);
      const std::size_t extent[3] = {mapping.region[0] * m->elementSize, mapping.region[1], mapping.region[2]};
      const std::size_t zero[3] = {0, 0, 0};
      packRegion(static_cast<const unsigned char*>(mapped_ptr), static_cast<unsigned char*>(packed.get()), zero, extent,
                 mapping.rowPitch, mapping.slicePitch);
      mapping.owned = packed;
    }
    Call call(CallId::clEnqueueWriteImage);
    protocol::opencl::clEnqueueWriteImageRequest request;
    request.command_queue = call.handleId(q);
    request.image = call.handleId(m);
    request.origin = Call::elements(mapping.origin, 3);
    request.region = Call::elements(mapping.region, 3);
    request.ptr = Call::bytes(packed.get(), mapping.size);
    request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
    request.event = call.eventId(out);
    call.request(request);
    status = call.post();
  }
  if (status != CL_SUCCESS) return status;
  (*out)->commandType = type;
  whenComplete(*out, [owned = mapping.owned](cl_int) {});
  if (out == &internal) releaseObject(CallId::clReleaseEvent, internal);
  return CL_SUCCESS;
}

}  // namespace rcl::icd::custom
