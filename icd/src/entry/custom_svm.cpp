// Coarse-grained buffer SVM, allocation and freeing: the server allocates,
// the client keeps a shadow of each allocation (at the server's address when
// it can, svm_shadow.h) and the table every SVM pointer is translated with
// (svm_ranges.h). Shapes and reasons: codegen/opencl_calls.toml.
#include <memory>
#include <vector>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/support/log.h"
#include "rcl/icd/data/svm_ranges.h"
#include "rcl/icd/data/transfers.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {
namespace {

// Remote devices report coarse grain only: finer allocations are refused (NULL), as the spec says.
constexpr cl_svm_mem_flags kFinerThanCoarse = CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS;

void sendFree(Connection* connection, std::uint64_t address) {
  Call call(CallId::clSVMFree);
  call.via(connection);
  call.request(protocol::opencl::clSVMFreeRequest{.svm_pointer = address});
  call.post();
}

using FreeFunction = void(CL_CALLBACK*)(cl_command_queue, cl_uint, void*[], void*);

// With pfn_free_func the allocations are the callback's to free: the command
// is a step of the client, which calls it (with the application's pointers,
// on the receiver thread) before the command's event completes.
cl_int freeWithCallback(cl_command_queue queue, std::vector<void*> pointers, FreeFunction pfn, void* userData,
                        cl_uint n, const cl_event* waits, cl_event* event) {
  hold(queue);  // the callback names it, even if the application released it meanwhile
  const cl_int status = enqueueHostStep(queue, CL_FALSE, n, waits, event, CL_COMMAND_SVM_FREE,
                                        [queue, pointers = std::move(pointers), pfn, userData]() mutable {
                                          pfn(queue, static_cast<cl_uint>(pointers.size()), pointers.data(), userData);
                                        });
  if (status != CL_SUCCESS) {
    unhold(queue);
    return status;
  }
  whenComplete(*event, [queue](cl_int) { unhold(queue); });
  return CL_SUCCESS;
}

// Without it the server frees them when the command runs; the client drops
// them from its table now (the application may not use them any more) and
// its shadows once the command is done.
cl_int freeByServer(cl_command_queue queue, const std::vector<void*>& pointers, cl_uint n, const cl_event* waits,
                    cl_event* event) {
  std::vector<SvmRef> allocations;
  Call call(CallId::clEnqueueSVMFree);
  protocol::opencl::clEnqueueSVMFreeRequest request;
  request.command_queue = call.handleId(queue);
  std::vector<std::uint64_t> addresses;
  for (void* p : pointers) {
    SvmRef a = SvmRanges::instance().startingAt(p);
    if (a == nullptr || a->context != queue->context || a->connection != call.connection())
      return CL_INVALID_VALUE;
    for (const auto& seen : allocations)
      if (seen == a) return CL_INVALID_VALUE;  // freed twice
    addresses.push_back(a->server);
    allocations.push_back(std::move(a));
  }
  request.svm_pointers = Call::elements(addresses.data(), addresses.size());
  request.event_wait_list = call.waitListIds(waits, n);
  request.event = call.eventId(event);
  call.request(request);
  const cl_int status = call.post();
  if (status != CL_SUCCESS) return status;
  (*event)->commandType = CL_COMMAND_SVM_FREE;
  for (const auto& a : allocations) SvmRanges::instance().take(a->base());
  whenComplete(*event, [allocations = std::move(allocations)](cl_int) {});
  return CL_SUCCESS;
}

}  // namespace

void* CL_API_CALL clSVMAlloc(cl_context context, cl_svm_mem_flags flags, size_t size, cl_uint alignment) {
  if ((flags & kFinerThanCoarse) != 0 || size == 0) return nullptr;
  Call call(CallId::clSVMAlloc);
  call.request(protocol::opencl::clSVMAllocRequest{
      .context = call.handleId(context), .flags = flags, .size = size, .alignment = alignment});
  if (call.failed()) return nullptr;
  cl_context c = context;
  Reply reply = call.sync();
  if (reply.status() != CL_SUCCESS) return nullptr;
  // (A malformed answer is logged and counts as none.)
  const std::uint64_t address = reply.decoded<protocol::opencl::clSVMAllocReply>().address;
  if (address == 0) return nullptr;  // the server's implementation said no
  auto shadow = Shadow::place(address, size);
  if (shadow == nullptr) {
    sendFree(call.connection(), address);
    return nullptr;
  }
  if (!shadow->atServerAddress())
    log().debug("remote-cl: SVM allocation at {:#x} on the server is at {} here: pointers stored in it differ",
                address, static_cast<void*>(shadow->base()));
  auto allocation = std::make_shared<SvmAllocation>(std::move(shadow), size, address, c);
  void* pointer = allocation->base();
  SvmRanges::instance().add(std::move(allocation));
  return pointer;
}

void CL_API_CALL clSVMFree(cl_context context, void* svm_pointer) {
  cl_context c = checked(context);
  if (svm_pointer == nullptr || c == nullptr) return;
  const SvmRef a = SvmRanges::instance().startingAt(svm_pointer);
  // Not an allocation of this context: the spec defines nothing to do.
  if (a == nullptr || a->context != c) return;
  SvmRanges::instance().take(svm_pointer);
  sendFree(a->connection, a->server);
  // The shadow goes with the last reference (a transfer may still hold it).
}

cl_int CL_API_CALL clEnqueueSVMFree(cl_command_queue command_queue, cl_uint num_svm_pointers, void* svm_pointers[],
                                    FreeFunction pfn_free_func, void* user_data, cl_uint num_events_in_wait_list,
                                    const cl_event* event_wait_list, cl_event* event) {
  cl_command_queue q = checked(command_queue);
  if (q == nullptr) return CL_INVALID_COMMAND_QUEUE;
  if (num_svm_pointers == 0 || svm_pointers == nullptr) return CL_INVALID_VALUE;
  std::vector<void*> pointers(svm_pointers, svm_pointers + num_svm_pointers);
  // The client needs the command's event either way.
  cl_event internal = nullptr;
  cl_event* out = event != nullptr ? event : &internal;
  const cl_int status =
      pfn_free_func != nullptr
          ? freeWithCallback(q, std::move(pointers), pfn_free_func, user_data, num_events_in_wait_list,
                             event_wait_list, out)
          : freeByServer(q, pointers, num_events_in_wait_list, event_wait_list, out);
  if (status == CL_SUCCESS && out == &internal) releaseObject(CallId::clReleaseEvent, internal);
  return status;
}

}  // namespace rcl::icd::custom
