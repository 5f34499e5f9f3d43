// Client-side checks of async calls: what the server would refuse, found
// before the call is sent, so its error is still returned at the call.
// Invalid handles are left to the handle checks of the call itself.
#include <cstdint>

#include "rcl/icd/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/events.h"
#include "rcl/icd/lifetime.h"
#include "rcl/icd/transfers.h"

namespace rcl::icd::checks {
namespace {

bool inRange(cl_mem m, std::size_t offset, std::size_t size) {
  return size != 0 && offset <= m->size && size <= m->size - offset;
}

// The buffer at the root of a sub-buffer, and the offset in it.
cl_mem root(cl_mem m, std::size_t& offset) {
  while (m->parent != nullptr) {
    offset += m->offset;
    m = m->parent;
  }
  return m;
}

// reqd_work_group_size of a kernel (zeros if none); asked once per kernel
// function (objects.h: KernelFunction).
const std::size_t* requiredWorkGroupSize(cl_kernel k) {
  KernelFunction& f = *k->function;
  std::lock_guard lock(f.mutex);
  if (!f.requiredSizeKnown) {
    Call call(CallId::clGetKernelWorkGroupInfo);
    call.handle(k);
    call.optionalHandle<_cl_device_id>(nullptr);
    call.scalar(CL_KERNEL_COMPILE_WORK_GROUP_SIZE);
    f.requiredSizeKnown =
        call.info(CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof f.requiredSize, f.requiredSize, nullptr) == CL_SUCCESS;
  }
  return f.requiredSize;
}

// The device a queue runs on (CL_QUEUE_DEVICE never changes), asked once.
cl_device_id deviceOf(cl_command_queue q) {
  {
    std::lock_guard lock(q->lastMutex);
    if (q->device != nullptr) return q->device;
  }
  Call call(CallId::clGetCommandQueueInfo);
  call.handle(q);
  call.scalar(static_cast<cl_command_queue_info>(CL_QUEUE_DEVICE));
  cl_device_id device = nullptr;
  if (call.info(CL_QUEUE_DEVICE, sizeof device, &device, nullptr) != CL_SUCCESS) return nullptr;
  std::lock_guard lock(q->lastMutex);
  q->device = device;
  return device;
}

// Whether the device runs work-groups of non-uniform size (a cached device
// query: the device's information comes once, all at once).
bool nonUniformWorkGroups(cl_command_queue q) {
  cl_device_id device = deviceOf(q);
  if (device == nullptr) return true;  // unknown: the server decides
  cl_bool supported = CL_TRUE;
  if (kDispatchTable.clGetDeviceInfo(device, CL_DEVICE_NON_UNIFORM_WORK_GROUP_SUPPORT, sizeof supported, &supported,
                                     nullptr) != CL_SUCCESS)
    return false;  // an OpenCL 1.x device: uniform groups only
  return supported == CL_TRUE;
}

// A buffer that holds `bytes` from `offset` on (images: their region's bytes).
bool bufferHolds(cl_mem buffer, std::size_t offset, const std::size_t* region, std::size_t elementSize) {
  if (region == nullptr) return true;
  std::size_t bytes = elementSize;
  for (int d = 0; d < 3; ++d) {
    if (region[d] != 0 && bytes > SIZE_MAX / region[d]) return false;
    bytes *= region[d];
  }
  return inRange(buffer, offset, bytes);
}

cl_uint numArgs(cl_kernel k) {
  KernelFunction& f = *k->function;
  std::lock_guard lock(f.mutex);
  if (f.numArgs == 0) {
    Call call(CallId::clGetKernelInfo);
    call.handle(k);
    call.scalar(CL_KERNEL_NUM_ARGS);
    if (call.info(CL_KERNEL_NUM_ARGS, sizeof f.numArgs, &f.numArgs, nullptr) != CL_SUCCESS) f.numArgs = 0;
  }
  return f.numArgs;
}

bool allArgsSet(cl_kernel k) {
  const cl_uint n = numArgs(k);
  std::lock_guard lock(k->infoMutex);
  return k->acceptedArgs.size() >= n;
}

}  // namespace

cl_int clGetEventProfilingInfo(cl_event, cl_profiling_info param_name, size_t, void*, size_t*) {
  switch (param_name) {
    case CL_PROFILING_COMMAND_QUEUED:
    case CL_PROFILING_COMMAND_SUBMIT:
    case CL_PROFILING_COMMAND_START:
    case CL_PROFILING_COMMAND_END:
    case CL_PROFILING_COMMAND_COMPLETE:
      return CL_SUCCESS;
    default:
      return CL_INVALID_VALUE;
  }
}

cl_int clEnqueueNDRangeKernel(cl_command_queue command_queue, cl_kernel kernel, cl_uint work_dim, const size_t*,
                              const size_t* global_work_size, const size_t* local_work_size, cl_uint,
                              const cl_event*, cl_event*) {
  cl_kernel k = checked(kernel);
  if (k == nullptr) return CL_SUCCESS;
  if (work_dim < 1 || work_dim > 3) return CL_INVALID_WORK_DIMENSION;
  if (!allArgsSet(k)) return CL_INVALID_KERNEL_ARGS;
  if (global_work_size == nullptr || local_work_size == nullptr) return CL_SUCCESS;
  // Groups that do not divide the range need a device that runs non-uniform
  // groups (asked only then: the common launch costs nothing).
  bool uniform = true;
  for (cl_uint d = 0; d < work_dim; ++d)
    if (local_work_size[d] != 0 && global_work_size[d] % local_work_size[d] != 0) uniform = false;
  if (cl_command_queue q = checked(command_queue); !uniform && q != nullptr && !nonUniformWorkGroups(q))
    return CL_INVALID_WORK_GROUP_SIZE;
  const std::size_t* required = requiredWorkGroupSize(k);
  if (required[0] == 0) return CL_SUCCESS;
  for (cl_uint d = 0; d < work_dim; ++d)
    if (local_work_size[d] != required[d]) return CL_INVALID_WORK_GROUP_SIZE;
  return CL_SUCCESS;
}

cl_int clEnqueueCopyBuffer(cl_command_queue, cl_mem src_buffer, cl_mem dst_buffer, size_t src_offset,
                           size_t dst_offset, size_t size, cl_uint, const cl_event*, cl_event*) {
  cl_mem src = checked(src_buffer);
  cl_mem dst = checked(dst_buffer);
  if (src == nullptr || dst == nullptr) return CL_SUCCESS;
  if (!inRange(src, src_offset, size) || !inRange(dst, dst_offset, size)) return CL_INVALID_VALUE;
  std::size_t a = src_offset, b = dst_offset;
  if (root(src, a) == root(dst, b) && a < b + size && b < a + size) return CL_MEM_COPY_OVERLAP;
  return CL_SUCCESS;
}

cl_int clEnqueueFillBuffer(cl_command_queue, cl_mem buffer, const void* pattern, size_t pattern_size, size_t offset,
                           size_t size, cl_uint, const cl_event*, cl_event*) {
  cl_mem m = checked(buffer);
  if (m == nullptr) return CL_SUCCESS;
  const bool powerOfTwo = pattern_size != 0 && (pattern_size & (pattern_size - 1)) == 0 && pattern_size <= 128;
  if (pattern == nullptr || !powerOfTwo) return CL_INVALID_VALUE;
  if (offset % pattern_size != 0 || size % pattern_size != 0 || !inRange(m, offset, size)) return CL_INVALID_VALUE;
  return CL_SUCCESS;
}

cl_int clEnqueueSVMMemFill(cl_command_queue, void* svm_ptr, const void* pattern, size_t pattern_size, size_t size,
                           cl_uint, const cl_event*, cl_event*) {
  const bool powerOfTwo = pattern_size != 0 && (pattern_size & (pattern_size - 1)) == 0 && pattern_size <= 128;
  if (svm_ptr == nullptr || pattern == nullptr || !powerOfTwo || size == 0) return CL_INVALID_VALUE;
  // (A shadow keeps its allocation's offset in the page: alignments are the server's.)
  if (reinterpret_cast<std::uintptr_t>(svm_ptr) % pattern_size != 0 || size % pattern_size != 0)
    return CL_INVALID_VALUE;
  return CL_SUCCESS;
}

cl_int clEnqueueMigrateMemObjects(cl_command_queue command_queue, cl_uint num_mem_objects, const cl_mem* mem_objects,
                                  cl_mem_migration_flags flags, cl_uint, const cl_event*, cl_event*) {
  constexpr cl_mem_migration_flags kKnown = CL_MIGRATE_MEM_OBJECT_HOST | CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED;
  if (num_mem_objects == 0 || mem_objects == nullptr || (flags & ~kKnown) != 0) return CL_INVALID_VALUE;
  if (cl_command_queue q = checked(command_queue); q != nullptr) {
    for (cl_uint i = 0; i < num_mem_objects; ++i)
      if (cl_mem m = checked(mem_objects[i]); m != nullptr && m->context != q->context) return CL_INVALID_CONTEXT;
  }
  return CL_SUCCESS;
}

cl_int clEnqueueFillImage(cl_command_queue, cl_mem image, const void* fill_color, const size_t* origin,
                          const size_t* region, cl_uint, const cl_event*, cl_event*) {
  if (fill_color == nullptr || origin == nullptr || region == nullptr) return CL_INVALID_VALUE;
  cl_mem m = checked(image);
  if (m != nullptr && m->image && !regionInImage(m, origin, region)) return CL_INVALID_VALUE;
  return CL_SUCCESS;
}

cl_int clEnqueueCopyImage(cl_command_queue, cl_mem src_image, cl_mem dst_image, const size_t* src_origin,
                          const size_t* dst_origin, const size_t* region, cl_uint, const cl_event*, cl_event*) {
  if (src_origin == nullptr || dst_origin == nullptr || region == nullptr) return CL_INVALID_VALUE;
  cl_mem src = checked(src_image);
  cl_mem dst = checked(dst_image);
  if (src != nullptr && src->image && !regionInImage(src, src_origin, region)) return CL_INVALID_VALUE;
  if (dst != nullptr && dst->image && !regionInImage(dst, dst_origin, region)) return CL_INVALID_VALUE;
  return CL_SUCCESS;
}

cl_int clEnqueueCopyImageToBuffer(cl_command_queue, cl_mem src_image, cl_mem dst_buffer, const size_t* src_origin,
                                  const size_t* region, size_t dst_offset, cl_uint, const cl_event*, cl_event*) {
  if (src_origin == nullptr || region == nullptr) return CL_INVALID_VALUE;
  cl_mem src = checked(src_image);
  cl_mem dst = checked(dst_buffer);
  if (src == nullptr || !src->image) return CL_SUCCESS;
  if (!regionInImage(src, src_origin, region)) return CL_INVALID_VALUE;
  if (dst != nullptr && !dst->image && !bufferHolds(dst, dst_offset, region, src->elementSize)) return CL_INVALID_VALUE;
  return CL_SUCCESS;
}

cl_int clEnqueueCopyBufferToImage(cl_command_queue, cl_mem src_buffer, cl_mem dst_image, size_t src_offset,
                                  const size_t* dst_origin, const size_t* region, cl_uint, const cl_event*, cl_event*) {
  if (dst_origin == nullptr || region == nullptr) return CL_INVALID_VALUE;
  cl_mem src = checked(src_buffer);
  cl_mem dst = checked(dst_image);
  if (dst == nullptr || !dst->image) return CL_SUCCESS;
  if (!regionInImage(dst, dst_origin, region)) return CL_INVALID_VALUE;
  if (src != nullptr && !src->image && !bufferHolds(src, src_offset, region, dst->elementSize)) return CL_INVALID_VALUE;
  return CL_SUCCESS;
}

cl_int clSetUserEventStatus(cl_event event, cl_int execution_status) {
  cl_event e = checked(event);
  if (e == nullptr || e->commandType != CL_COMMAND_USER) return CL_INVALID_EVENT;
  if (execution_status > CL_COMPLETE) return CL_INVALID_VALUE;
  if (e->userStatusSet.exchange(true)) return CL_INVALID_OPERATION;
  // The status is known now: waits on the user event need not ask the server.
  setEventStatus(e, execution_status);
  return CL_SUCCESS;
}

}  // namespace rcl::icd::checks
