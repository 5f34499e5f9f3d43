// Coarse-grained buffer SVM, the commands: the host may touch SVM only
// between clEnqueueSVMMap and clEnqueueSVMUnmap, so a map reads the region
// from the server into the client's shadow and an unmap of a region mapped
// for writing sends it back; copies move bytes between the client's host
// memory and the server's SVM, or within either. A pointer in no SVM
// allocation is host memory. Shapes and reasons: codegen/opencl_calls.toml
// and protocol/include/rcl/protocol/svm.h.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/data/svm_ranges.h"
#include "rcl/icd/data/transfers.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {
namespace {

using Copy = protocol::opencl::clEnqueueSVMMemcpyRequest;

constexpr cl_map_flags kWriteFlags = CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION;

// The allocation holding the `size` bytes at `p` for a command of `queue`;
// nullptr for host memory. `error` is set for a pointer into SVM of another
// context, or bytes that run past its allocation's end.
SvmRef svmFor(cl_command_queue queue, const void* p, std::size_t size, cl_int& error) {
  SvmRef a = SvmRanges::instance().find(p);
  if (a != nullptr && (a->context != queue->context || !a->holds(p, size))) error = CL_INVALID_VALUE;
  return a;
}

bool validMapFlags(cl_map_flags flags) {
  constexpr cl_map_flags kKnown = CL_MAP_READ | CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION;
  if ((flags & ~kKnown) != 0) return false;
  return (flags & CL_MAP_WRITE_INVALIDATE_REGION) == 0 || (flags & (CL_MAP_READ | CL_MAP_WRITE)) == 0;
}

// The bytes of an allocation's shadow, sent straight from it in pieces. Each
// piece's frame holds the allocation until ZeroMQ is done with it, so a
// clSVMFree meanwhile cannot unmap the shadow under it.
protocol::opencl::BulkPieces shadowPieces(const SvmRef& allocation, const void* p, std::size_t size) {
  protocol::opencl::BulkPieces out;
  const auto* bytes = static_cast<const char*>(p);
  for (std::size_t at = 0; at < size; at += protocol::kBulkPiece)
    out.pieces.emplace_back(bytes + at, std::min(protocol::kBulkPiece, size - at));
  out.lend = [allocation](protocol::Writer& w, std::string_view piece) {
    auto holder = std::make_unique<SvmRef>(allocation);
    w.bulkBorrow(
        piece.data(), piece.size(),
        [](void*, void* hint) { std::unique_ptr<SvmRef>(static_cast<SvmRef*>(hint)).reset(); }, holder.release());
  };
  return out;
}

// Bytes arriving for the `size` bytes at `dst`; `keep` stays alive until they have.
Unpack into(unsigned char* dst, std::size_t size, SvmRef keep) {
  return [dst, size, keep = std::move(keep)](const void* bytes, std::size_t n, std::size_t at) {
    if (at < size) std::memcpy(dst + at, bytes, std::min(n, size - at));
  };
}

// A copy of SVM into host memory (a map's too: `type`, and `keep`, the SVM
// kept while its bytes are on the way into it).
cl_int copySvmToHost(cl_command_queue queue, cl_bool blocking, void* dst, const void* src, std::size_t size,
                     cl_uint n, const cl_event* waits, cl_event* event, cl_command_type type = CL_COMMAND_SVM_MEMCPY,
                     SvmRef keep = nullptr) {
  Call call(CallId::clEnqueueSVMMemcpy);
  Copy request;
  request.command_queue = call.handleId(queue);
  Copy::SvmToHost read;
  read.src_ptr = call.svmAddress(src, size);
  read.size = size;
  read.event_wait_list = call.waitListIds(waits, n);
  request.direction = std::move(read);
  return enqueueRead(call, sendSvmCopy<Copy::SvmToHost>(call, request), blocking,
                     into(static_cast<unsigned char*>(dst), size, std::move(keep)), event, type, 0, nullptr, false);
}

// Sent straight from the application's memory, as clEnqueueWriteBuffer does;
// a blocking copy returns once the bytes are in the SVM.
cl_int copyHostToSvm(cl_command_queue queue, cl_bool blocking, void* dst, const void* src, std::size_t size,
                     cl_uint n, const cl_event* waits, cl_event* event) {
  cl_event internal = nullptr;
  cl_event* out = event != nullptr ? event : (blocking ? &internal : nullptr);
  SendLatch sent;
  cl_int status;
  {
    Call call(CallId::clEnqueueSVMMemcpy);
    Copy request;
    request.command_queue = call.handleId(queue);
    Copy::HostToSvm write;
    write.dst_ptr = call.svmAddress(dst, size);
    write.size = size;
    write.src_bytes = call.pieces(src, size, blocking ? &sent : nullptr);
    write.event_wait_list = call.waitListIds(waits, n);
    write.event = call.eventId(out);
    request.direction = std::move(write);
    call.request(request);
    status = call.post();
  }
  sent.wait();
  if (status == CL_SUCCESS && out != nullptr) (*out)->commandType = CL_COMMAND_SVM_MEMCPY;
  if (status == CL_SUCCESS && blocking) status = finishBlocking(queue, *out, out == &internal);
  return status;
}

cl_int copySvmToSvm(cl_command_queue queue, cl_bool blocking, void* dst, const void* src, std::size_t size,
                    cl_uint n, const cl_event* waits, cl_event* event) {
  cl_event internal = nullptr;
  cl_event* out = event != nullptr ? event : (blocking ? &internal : nullptr);
  Call call(CallId::clEnqueueSVMMemcpy);
  Copy request;
  request.command_queue = call.handleId(queue);
  Copy::SvmToSvm copy;
  copy.dst_ptr = call.svmAddress(dst, size);
  copy.src_ptr = call.svmAddress(src, size);
  copy.size = size;
  copy.event_wait_list = call.waitListIds(waits, n);
  copy.event = call.eventId(out);
  request.direction = std::move(copy);
  call.request(request);
  cl_int status = call.post();
  if (status == CL_SUCCESS && blocking) status = finishBlocking(queue, *out, out == &internal);
  return status;
}

}  // namespace

cl_int CL_API_CALL clEnqueueSVMMap(cl_command_queue command_queue, cl_bool blocking_map, cl_map_flags flags,
                                   void* svm_ptr, size_t size, cl_uint num_events_in_wait_list,
                                   const cl_event* event_wait_list, cl_event* event) {
  cl_command_queue q = checked(command_queue);
  if (q == nullptr) return CL_INVALID_COMMAND_QUEUE;
  if (svm_ptr == nullptr || size == 0 || !validMapFlags(flags)) return CL_INVALID_VALUE;
  cl_int status = CL_SUCCESS;
  const SvmRef a = svmFor(q, svm_ptr, size, status);
  if (status != CL_SUCCESS) return status;

  cl_event internal = nullptr;
  cl_event* out = event != nullptr ? event : (blocking_map ? &internal : nullptr);
  if (a == nullptr || (flags & CL_MAP_WRITE_INVALIDATE_REGION) != 0) {
    // Host memory is the application's already; an invalidating map reads nothing.
    status = enqueueMarker(q, num_events_in_wait_list, event_wait_list, out, CL_COMMAND_SVM_MAP);
  } else {
    status = copySvmToHost(q, CL_FALSE, svm_ptr, svm_ptr, size, num_events_in_wait_list, event_wait_list, out,
                           CL_COMMAND_SVM_MAP, a);
  }
  if (status == CL_SUCCESS && blocking_map) status = finishBlocking(q, *out, out == &internal);
  if (status == CL_SUCCESS && a != nullptr) a->addMapping({svm_ptr, size, flags});
  return status;
}

cl_int CL_API_CALL clEnqueueSVMUnmap(cl_command_queue command_queue, void* svm_ptr, cl_uint num_events_in_wait_list,
                                     const cl_event* event_wait_list, cl_event* event) {
  cl_command_queue q = checked(command_queue);
  if (q == nullptr) return CL_INVALID_COMMAND_QUEUE;
  if (svm_ptr == nullptr) return CL_INVALID_VALUE;
  cl_int status = CL_SUCCESS;
  const SvmRef a = svmFor(q, svm_ptr, 0, status);
  if (status != CL_SUCCESS) return status;
  const auto mapping = a != nullptr ? a->takeMapping(svm_ptr) : std::nullopt;
  // Host memory, a region not mapped (the implementation decides nothing
  // then), or one only read: nothing to send.
  if (!mapping || (mapping->flags & kWriteFlags) == 0)
    return enqueueMarker(q, num_events_in_wait_list, event_wait_list, event, CL_COMMAND_SVM_UNMAP);

  Call call(CallId::clEnqueueSVMMemcpy);
  Copy request;
  request.command_queue = call.handleId(q);
  Copy::HostToSvm write;
  write.dst_ptr = call.svmAddress(svm_ptr, mapping->size);
  write.size = mapping->size;
  write.src_bytes = shadowPieces(a, svm_ptr, mapping->size);
  write.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
  write.event = call.eventId(event);
  request.direction = std::move(write);
  call.request(request);
  status = call.post();
  if (status != CL_SUCCESS) {
    a->addMapping(*mapping);  // still mapped
    return status;
  }
  if (event != nullptr) (*event)->commandType = CL_COMMAND_SVM_UNMAP;
  return CL_SUCCESS;
}

cl_int CL_API_CALL clEnqueueSVMMemcpy(cl_command_queue command_queue, cl_bool blocking_copy, void* dst_ptr,
                                      const void* src_ptr, size_t size, cl_uint num_events_in_wait_list,
                                      const cl_event* event_wait_list, cl_event* event) {
  cl_command_queue q = checked(command_queue);
  if (q == nullptr) return CL_INVALID_COMMAND_QUEUE;
  if (dst_ptr == nullptr || src_ptr == nullptr || size == 0) return CL_INVALID_VALUE;
  const auto d = reinterpret_cast<std::uintptr_t>(dst_ptr);
  const auto s = reinterpret_cast<std::uintptr_t>(src_ptr);
  if (d < s + size && s < d + size) return CL_MEM_COPY_OVERLAP;
  cl_int status = CL_SUCCESS;
  const SvmRef to = svmFor(q, dst_ptr, size, status);
  const SvmRef from = svmFor(q, src_ptr, size, status);
  if (status != CL_SUCCESS) return status;

  const cl_uint n = num_events_in_wait_list;
  const cl_event* waits = event_wait_list;
  if (to != nullptr && from != nullptr) return copySvmToSvm(q, blocking_copy, dst_ptr, src_ptr, size, n, waits, event);
  if (to != nullptr) return copyHostToSvm(q, blocking_copy, dst_ptr, src_ptr, size, n, waits, event);
  if (from != nullptr) return copySvmToHost(q, blocking_copy, dst_ptr, src_ptr, size, n, waits, event);
  // Host to host: the client copies when the queue gets there.
  return enqueueHostStep(q, blocking_copy, n, waits, event, CL_COMMAND_SVM_MEMCPY,
                         [dst_ptr, src_ptr, size] { std::memcpy(dst_ptr, src_ptr, size); });
}

cl_int CL_API_CALL clEnqueueSVMMigrateMem(cl_command_queue command_queue, cl_uint num_svm_pointers,
                                          const void** svm_pointers, const size_t* sizes,
                                          cl_mem_migration_flags flags, cl_uint num_events_in_wait_list,
                                          const cl_event* event_wait_list, cl_event* event) {
  constexpr cl_mem_migration_flags kKnown = CL_MIGRATE_MEM_OBJECT_HOST | CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED;
  Call call(CallId::clEnqueueSVMMigrateMem);
  protocol::opencl::clEnqueueSVMMigrateMemRequest request;
  request.command_queue = call.handleId(command_queue);
  cl_command_queue q = command_queue;
  if (num_svm_pointers == 0 || svm_pointers == nullptr || (flags & ~kKnown) != 0) call.fail(CL_INVALID_VALUE);
  if (call.failed()) return call.status();
  // Every pointer must be SVM of the queue's context, for its size (0: the byte it points at).
  std::vector<std::uint64_t> addresses;
  for (cl_uint i = 0; i < num_svm_pointers; ++i) {
    const std::size_t size = sizes != nullptr ? sizes[i] : 0;
    cl_int status = CL_SUCCESS;
    const SvmRef a = svmFor(q, svm_pointers[i], size, status);
    if (a == nullptr || status != CL_SUCCESS || a->connection != call.connection()) return CL_INVALID_VALUE;
    addresses.push_back(a->serverAddress(svm_pointers[i]));
  }
  request.svm_pointers = Call::elements(addresses.data(), addresses.size());
  request.sizes = Call::elements(sizes, num_svm_pointers);
  request.flags = flags;
  request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
  request.event = call.eventId(event);
  call.request(request);
  return call.post();
}

}  // namespace rcl::icd::custom
