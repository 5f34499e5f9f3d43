// Hand-written server handlers for coarse-grained buffer SVM. The client
// sends the server's addresses of its pointers; every address is checked
// against the session's allocations (SvmAllocations) before the real
// platform sees it. Data moves with SVM copies on the device's queue, never
// by the server touching SVM memory itself. Shapes: codegen/opencl_calls.toml
// and protocol/include/rcl/protocol/svm.h.
#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "rcl/protocol/opencl_wire.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/custom_handlers.h"
#include "rcl/server/data/transfers.h"

namespace rcl::server::custom {
namespace {

constexpr cl_svm_mem_flags kFinerThanCoarse = CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS;

void* pointerOf(std::uint64_t address) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(address)); }

// Allocations an enqueued free hands to its pfn_free_func, which frees them
// when the command runs.
struct PendingFree {
  std::vector<SvmAllocations::Allocation> allocations;
};

void CL_CALLBACK freeWhenRun(cl_command_queue, cl_uint, void*[], void* userData) {
  const std::unique_ptr<PendingFree> pending(static_cast<PendingFree*>(userData));
  for (const auto& allocation : pending->allocations) freeSvm(allocation);
}

cl_uint count(const ArrayArg<cl_event>& waits) { return static_cast<cl_uint>(waits.size()); }

}  // namespace

// [clSVMAlloc]: context, flags, size, alignment -> status, address (0: no memory, as
// clSVMAlloc's NULL). Fine-grain and atomics allocations are refused: remote
// devices report coarse grain only.
void clSVMAlloc(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clSVMAllocRequest>();
  auto context = ctx.handleOf<cl_context>(request.context);
  const cl_svm_mem_flags flags = request.flags;
  const size_t size = request.size;
  const cl_uint alignment = request.alignment;
  void* pointer = nullptr;
  if ((flags & kFinerThanCoarse) == 0 && ctx.session().admitSvm(size) == CL_SUCCESS)
    pointer = ::clSVMAlloc(context, flags, size, alignment);
  if (pointer != nullptr) {
    ::clRetainContext(context);  // the allocation is freed with its context, even if the client released it
    ctx.session().svm().add({pointer, size, context});
  }
  ctx.reply(CL_SUCCESS);
  protocol::opencl::clSVMAllocReply{.address = reinterpret_cast<std::uintptr_t>(pointer)}.encodeRest(ctx.replyWriter());
}

// [clSVMFree]: address (nil: none). Only an allocation of the session is freed.
void clSVMFree(CallContext& ctx) {
  const auto address = ctx.request<protocol::opencl::clSVMFreeRequest>().svm_pointer;
  auto allocation = address ? ctx.session().svm().take(*address) : std::nullopt;
  if (!allocation) throw CallError(CL_INVALID_VALUE, "not the start of an SVM allocation of the session");
  freeSvm(*allocation);
  ctx.reply(CL_SUCCESS);
}

// [clEnqueueSVMFree]: queue, addresses (u64 array), wait list, event. The
// allocations leave the session now and are freed when the command runs.
// (An enqueued free with the application's pfn_free_func never comes here: the
// client sends a marker and calls it.)
void clEnqueueSVMFree(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clEnqueueSVMFreeRequest>();
  auto queue = ctx.handleOf<cl_command_queue>(request.command_queue);
  auto addresses = ctx.arrayOf<std::uint64_t>(request.svm_pointers);
  auto waits = ctx.handlesOf<cl_event>(request.event_wait_list);
  auto event = ctx.eventOf(request.event);
  if (addresses.size() == 0) throw CallError(CL_INVALID_VALUE, "no SVM pointers to free");
  std::vector<std::uint64_t> unique(addresses.data(), addresses.data() + addresses.size());
  std::sort(unique.begin(), unique.end());
  if (std::adjacent_find(unique.begin(), unique.end()) != unique.end())
    throw CallError(CL_INVALID_VALUE, "an SVM pointer named twice in one free");
  std::vector<SvmAllocations::Allocation> allocations;
  std::vector<void*> pointers;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    allocations.push_back(ctx.session().svm().startingAt(addresses.data()[i]));
    pointers.push_back(allocations.back().base);
  }
  // They leave the session first: the implementation may run the free (and
  // freeWhenRun) before clEnqueueSVMFree returns.
  for (const auto& allocation : allocations) ctx.session().svm().take(reinterpret_cast<std::uintptr_t>(allocation.base));
  auto pending = std::make_unique<PendingFree>(PendingFree{allocations});
  const cl_int status =
      ::clEnqueueSVMFree(queue, static_cast<cl_uint>(pointers.size()), pointers.data(), &freeWhenRun, pending.get(),
                         count(waits), waits.data(), event.ptr());
  if (status == CL_SUCCESS) {
    pending.release();  // freeWhenRun owns it now
  } else {
    for (const auto& allocation : allocations) ctx.session().svm().add(allocation);  // still the session's
  }
  ctx.adoptEvent(event, status);
  ctx.reply(status);
}

// [clEnqueueSVMMemcpy]: protocol::opencl::clEnqueueSVMMemcpyRequest, whose
// direction says which layout follows the queue (protocol/include/rcl/protocol/svm.h).
void clEnqueueSVMMemcpy(CallContext& ctx) {
  using Request = protocol::opencl::clEnqueueSVMMemcpyRequest;
  const auto request = ctx.request<Request>();
  auto queue = ctx.handleOf<cl_command_queue>(request.command_queue);
  if (const auto* copy = std::get_if<Request::SvmToSvm>(&request.direction)) {
    auto dst = ctx.svmOf(copy->dst_ptr);
    auto src = ctx.svmOf(copy->src_ptr);
    const std::size_t size = copy->size;
    auto waits = ctx.handlesOf<cl_event>(copy->event_wait_list);
    auto event = ctx.eventOf(copy->event);
    ctx.expectSvm(dst, size);
    ctx.expectSvm(src, size);
    const cl_int status = ::clEnqueueSVMMemcpy(queue, CL_FALSE, dst.pointer(), src.pointer(), size, count(waits),
                                               waits.data(), event.ptr());
    ctx.adoptEvent(event, status);
    return ctx.reply(status);
  }
  if (const auto* write = std::get_if<Request::HostToSvm>(&request.direction)) {
    auto dst = ctx.svmOf(write->dst_ptr);
    const std::size_t size = write->size;
    Pieces pieces;
    if (write->src_bytes)
      for (const std::string_view piece : write->src_bytes->pieces)
        pieces.push_back(std::make_shared<zmq::message_t>(ctx.takeBulkOf(piece)));
    auto waits = ctx.handlesOf<cl_event>(write->event_wait_list);
    auto event = ctx.eventOf(write->event);
    std::size_t total = 0;
    for (const auto& c : pieces) total += c->size();
    if (total != size || size == 0) throw CallError(CL_INVALID_VALUE, "data size does not match the copy");
    ctx.expectSvm(dst, size);
    auto* base = static_cast<unsigned char*>(dst.pointer());
    return writeInPieces(ctx, queue, std::move(pieces), waits, event,
                         [&](std::size_t at, std::size_t n, void* host, const ArrayArg<cl_event>& w, cl_event* part) {
                           return ::clEnqueueSVMMemcpy(queue, CL_FALSE, base + at, host, n, count(w), w.data(), part);
                         });
  }
  if (const auto* read = std::get_if<Request::SvmToHost>(&request.direction)) {
    auto src = ctx.svmOf(read->src_ptr);
    const std::size_t size = read->size;
    auto waits = ctx.handlesOf<cl_event>(read->event_wait_list);
    const auto id = readId(ctx, read->event, "clEnqueueSVMMemcpyRequest.SvmToHost.event");
    if (size == 0) throw CallError(CL_INVALID_VALUE, "an SVM copy of no bytes");
    ctx.expectSvm(src, size);
    const auto* base = static_cast<const unsigned char*>(src.pointer());
    return readInPieces(ctx, queue, size, waits, id,
                        [&](std::size_t at, std::size_t n, void* host, const ArrayArg<cl_event>& w, cl_event* part) {
                          return ::clEnqueueSVMMemcpy(queue, CL_FALSE, host, base + at, n, count(w), w.data(), part);
                        });
  }
  // HostToHost: the client copies when this marker's (empty) read data arrives, in queue order.
  const auto& marker = std::get<Request::HostToHost>(request.direction);
  auto waits = ctx.handlesOf<cl_event>(marker.event_wait_list);
  const auto id = readId(ctx, marker.event, "clEnqueueSVMMemcpyRequest.HostToHost.event");
  readInPieces(ctx, queue, 0, waits, id,
               [&](std::size_t, std::size_t, void*, const ArrayArg<cl_event>& w, cl_event* part) {
                 return ::clEnqueueMarkerWithWaitList(queue, count(w), w.data(), part);
               });
}

// [clEnqueueSVMMigrateMem]: queue, addresses (u64 array), sizes (array or nil), flags, wait list, event.
void clEnqueueSVMMigrateMem(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clEnqueueSVMMigrateMemRequest>();
  auto queue = ctx.handleOf<cl_command_queue>(request.command_queue);
  auto addresses = ctx.arrayOf<std::uint64_t>(request.svm_pointers);
  auto sizes = ctx.arrayOf<std::size_t>(request.sizes);
  const cl_mem_migration_flags flags = request.flags;
  auto waits = ctx.handlesOf<cl_event>(request.event_wait_list);
  auto event = ctx.eventOf(request.event);
  ctx.expectLength(sizes, addresses.size());
  if (addresses.size() == 0) throw CallError(CL_INVALID_VALUE, "no SVM pointers to migrate");
  std::vector<const void*> pointers;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const std::size_t size = sizes.present() ? sizes.data()[i] : 0;
    ctx.session().svm().holding(addresses.data()[i], size);
    pointers.push_back(pointerOf(addresses.data()[i]));
  }
  const cl_int status = ::clEnqueueSVMMigrateMem(queue, static_cast<cl_uint>(pointers.size()), pointers.data(),
                                                 sizes.data(), flags, count(waits), waits.data(), event.ptr());
  ctx.adoptEvent(event, status);
  ctx.reply(status);
}

// [clSetKernelArgSVMPointer]: kernel, index, address (nil: NULL).
void clSetKernelArgSVMPointer(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clSetKernelArgSVMPointerRequest>();
  auto kernel = ctx.handleOf<cl_kernel>(request.kernel);
  const cl_uint index = request.arg_index;
  auto value = ctx.svmOf(request.arg_value);
  // The argument's own error for an address outside the session's allocations.
  if (value.address() != 0) ctx.session().svm().holding(value.address(), 0, CL_INVALID_ARG_VALUE);
  ctx.expectSvm(value, 0);
  ctx.reply(::clSetKernelArgSVMPointer(kernel, index, value.pointer()));
}

// [clSetKernelExecInfo]: kernel, name, value. CL_KERNEL_EXEC_INFO_SVM_PTRS
// holds u64 addresses, each checked; CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM
// goes as it is; other names are refused (their values may hold pointers).
void clSetKernelExecInfo(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clSetKernelExecInfoRequest>();
  auto kernel = ctx.handleOf<cl_kernel>(request.kernel);
  const cl_kernel_exec_info name = request.param_name;
  const auto value = ctx.bytesOf(request.param_value);
  switch (name) {
    case CL_KERNEL_EXEC_INFO_SVM_PTRS: {
      // No value at all (the application's 0, NULL) unsets the pointers.
      if (value.data() == nullptr && value.size() == 0) return ctx.reply(::clSetKernelExecInfo(kernel, name, 0, nullptr));
      if (value.data() == nullptr || value.size() % sizeof(std::uint64_t) != 0)
        throw CallError(CL_INVALID_VALUE, "CL_KERNEL_EXEC_INFO_SVM_PTRS needs a list of pointers");
      std::vector<void*> pointers(value.size() / sizeof(std::uint64_t));
      for (std::size_t i = 0; i < pointers.size(); ++i) {
        std::uint64_t address;
        std::memcpy(&address, static_cast<const unsigned char*>(value.data()) + i * sizeof address, sizeof address);
        if (address == 0) continue;  // a NULL pointer of the application's: passed as NULL
        ctx.session().svm().holding(address, 0);
        pointers[i] = pointerOf(address);
      }
      // (An empty list goes as one, not as NULL: the implementation judges it.)
      const void* list = pointers.empty() ? value.data() : pointers.data();
      return ctx.reply(::clSetKernelExecInfo(kernel, name, pointers.size() * sizeof(void*), list));
    }
    case CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM:
      // A cl_bool: the implementation may read one whatever the size says.
      if (value.data() != nullptr && value.size() != sizeof(cl_bool))
        throw CallError(CL_INVALID_VALUE, "CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM takes a cl_bool");
      return ctx.reply(::clSetKernelExecInfo(kernel, name, value.size(), value.data()));
    default:
      throw CallError(CL_INVALID_VALUE, "a kernel exec info name the server does not forward");
  }
}

}  // namespace rcl::server::custom
