#include "rcl/icd/data/transfers.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "rcl/icd/objects/events.h"
#include "rcl/icd/data/shm_pieces.h"

namespace rcl::icd {

void flush(cl_command_queue queue) {
  Call call(CallId::clFlush);
  call.request(protocol::opencl::clFlushRequest{call.handleId(queue)});
  call.post();
}

cl_int enqueueMarker(cl_command_queue queue, cl_uint n, const cl_event* waits, cl_event* event,
                     cl_command_type type) {
  Call call(CallId::clEnqueueMarkerWithWaitList);
  protocol::opencl::clEnqueueMarkerWithWaitListRequest request;
  request.command_queue = call.handleId(queue);
  request.num_events_in_wait_list = n;
  request.event_wait_list = call.waitListIds(waits, n);
  request.event = call.eventId(event);
  call.request(request);
  const cl_int status = call.post();
  if (status == CL_SUCCESS && event != nullptr) (*event)->commandType = type;
  return status;
}

cl_int finishBlocking(cl_command_queue queue, cl_event event, bool release) {
  flush(queue);
  const cl_int status = blockingResult(event, waitForEvent(event));
  if (release) releaseObject(CallId::clReleaseEvent, event);
  return status;
}

cl_int enqueueHostStep(cl_command_queue queue, cl_bool blocking, cl_uint n, const cl_event* waits, cl_event* event,
                       cl_command_type type, std::function<void()> step) {
  using Copy = protocol::opencl::clEnqueueSVMMemcpyRequest;
  Call call(CallId::clEnqueueSVMMemcpy);
  Copy request;
  request.command_queue = call.handleId(queue);
  Copy::HostToHost marker;
  marker.event_wait_list = call.waitListIds(waits, n);
  request.direction = std::move(marker);
  // One empty piece arrives; the step runs once.
  return enqueueRead(
      call, sendSvmCopy<Copy::HostToHost>(call, request), blocking,
      [step = std::move(step), ran = false](const void*, std::size_t, std::size_t) mutable {
        if (!std::exchange(ran, true)) step();
      },
      event, type, 0, nullptr, false);
}

namespace {
// A blocking clEnqueueReadBuffer of at most this many bytes (none through
// shared memory: kMinSharedBytes, shm_pieces.cpp) waits for its reply, which
// may carry its bytes.
constexpr std::size_t kReadInReplyMax = std::size_t{64} << 10;
}  // namespace

cl_int enqueueRead(Call& call, cl_bool blocking, Unpack unpack, cl_event* event, cl_command_type type) {
  return enqueueRead(
      call, [&call](const ReadTail& tail) { call.writer().u64(tail.event); }, blocking, std::move(unpack), event, type,
      0, nullptr, false);
}

cl_int enqueueRead(Call& call, const SendRead& send, cl_bool blocking, Unpack unpack, cl_event* event,
                   cl_command_type type, std::uint64_t token, std::shared_ptr<ReadJoin> join, bool inReply) {
  cl_event ev = call.readEvent(event);
  if (!call.failed()) send(ReadTail{.event = ev->id, .token = token, .clientWaits = inReply});
  if (call.failed()) return call.status();
  ev->commandType = type;
  cl_command_queue queue = call.queue();
  Connection* connection = call.connection();
  if (join) {
    std::lock_guard lock(join->mutex);
    join->event = ev;
  }
  connection->expectRead(ev->id, PendingRead{ev, std::move(unpack), std::move(join)});
  {
    std::lock_guard lock(queue->pendingMutex);
    // Forget reads that are done; keep this one until its bytes are here.
    std::erase_if(queue->pendingReads, [](cl_event e) {
      std::lock_guard l(e->mutex);
      if (!isFinal(e->status)) return false;
      unhold(e);
      return true;
    });
  }
  std::optional<Reply> reply;
  if (inReply) reply.emplace(call.sync());
  const cl_int status = reply ? reply->status() : call.post(/*awaited=*/blocking);
  if (status != CL_SUCCESS) {
    connection->cancelRead(ev->id);
    return status;
  }
  {
    std::lock_guard lock(queue->pendingMutex);
    queue->pendingReads.push_back(ev);  // its hold was taken when the call was sent
  }
  if (!blocking) return CL_SUCCESS;
  // The server answered with the bytes: the event is complete; otherwise
  // (a read behind a gate, a busy device) its push brings them.
  if (protocol::Reader* r = reply ? reply->reader() : nullptr; r != nullptr && !r->atEnd())
    connection->readInReply(*r, ev->id);
  else
    flush(queue);
  return blockingResult(ev, waitForEvent(ev));
}

cl_int enqueueBufferRead(Call& call, protocol::opencl::clEnqueueReadBufferRequest& request, cl_command_queue queue,
                         cl_mem buffer, void* ptr, cl_uint n, const cl_event* waits, cl_bool blocking,
                         cl_event* event, cl_command_type type) {
  const std::size_t size = request.size;
  std::shared_ptr<ReadJoin> join;
  const StagedPieces staged = stageRead(call, queue, buffer, request.offset, size, ptr, waits, n, join);
  request.event_wait_list = call.waitListIds(waits, n);
  auto* dst = static_cast<unsigned char*>(ptr);
  const std::size_t base = staged.bytes;  // the socket's bytes start after the pieces'
  const bool inReply = blocking && call.id() == CallId::clEnqueueReadBuffer && staged.token == 0 &&
                       size <= kReadInReplyMax;
  return enqueueRead(
      call, sendRequest(call, request), blocking,
      [dst, size, base](const void* bytes, std::size_t length, std::size_t at) {
        at += base;
        if (at < size) std::memcpy(dst + at, bytes, std::min(length, size - at));
      },
      event, type, staged.token, std::move(join), inReply);
}

namespace {
constexpr cl_mem_flags kHostAccess = CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_NO_ACCESS;

cl_mem_flags hostAccess(cl_mem m) {
  while ((m->flags & kHostAccess) == 0 && m->parent != nullptr) m = m->parent;
  return m->flags & kHostAccess;
}
}  // namespace

bool hostMayRead(cl_mem m) { return (hostAccess(m) & (CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_NO_ACCESS)) == 0; }
bool hostMayWrite(cl_mem m) { return (hostAccess(m) & (CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_NO_ACCESS)) == 0; }

void waitForPendingReads(cl_command_queue queue) {
  std::vector<cl_event> pending;
  {
    std::lock_guard lock(queue->pendingMutex);
    pending.swap(queue->pendingReads);
  }
  for (cl_event e : pending) {
    waitForEvent(e);
    unhold(e);
  }
}

HostRegion::HostRegion(const std::size_t* at, const std::size_t size[3], std::size_t row, std::size_t slice)
    : origin{at != nullptr ? at[0] : 0, at != nullptr ? at[1] : 0, at != nullptr ? at[2] : 0},
      extent{size[0], size[1], size[2]},
      rowPitch(row != 0 ? row : size[0]),
      slicePitch(slice != 0 ? slice : rowPitch * size[1]) {}

bool regionInImage(cl_mem image, const std::size_t* origin, const std::size_t* region) {
  if (image == nullptr || image->imageType == 0 || origin == nullptr || region == nullptr) return true;
  for (int d = 0; d < 3; ++d) {
    const std::size_t extent = image->imageExtent[d];
    if (origin[d] > extent || region[d] > extent - origin[d]) return false;
  }
  return true;
}

std::optional<std::string_view> packedRegion(const void* ptr, const HostRegion& region,
                                             std::vector<unsigned char>& packed) {
  packed.resize(region.bytes());
  packRegion(static_cast<const unsigned char*>(ptr), packed.data(), region.origin, region.extent, region.rowPitch,
             region.slicePitch);
  return Call::bytes(packed.data(), packed.size());
}

cl_int enqueueRegionRead(Call& call, const SendRead& send, cl_bool blocking, void* ptr, const HostRegion& region,
                         cl_event* event) {
  auto* dst = static_cast<unsigned char*>(ptr);
  return enqueueRead(
      call, send, blocking,
      [dst, region](const void* bytes, std::size_t n, std::size_t) {
        if (n == region.bytes())
          unpackRegion(static_cast<const unsigned char*>(bytes), dst, region.origin, region.extent, region.rowPitch,
                       region.slicePitch);
      },
      event, 0, 0, nullptr, false);
}

void unpackRegion(const unsigned char* packed, unsigned char* dst, const std::size_t origin[3],
                  const std::size_t region[3], std::size_t rowPitch, std::size_t slicePitch) {
  for (std::size_t z = 0; z < region[2]; ++z)
    for (std::size_t y = 0; y < region[1]; ++y)
      std::memcpy(dst + (origin[2] + z) * slicePitch + (origin[1] + y) * rowPitch + origin[0],
                  packed + (z * region[1] + y) * region[0], region[0]);
}

void packRegion(const unsigned char* src, unsigned char* packed, const std::size_t origin[3],
                const std::size_t region[3], std::size_t rowPitch, std::size_t slicePitch) {
  for (std::size_t z = 0; z < region[2]; ++z)
    for (std::size_t y = 0; y < region[1]; ++y)
      std::memcpy(packed + (z * region[1] + y) * region[0],
                  src + (origin[2] + z) * slicePitch + (origin[1] + y) * rowPitch + origin[0], region[0]);
}

}  // namespace rcl::icd
