// Client-side checks of async calls: what the server would refuse, found
// before the call is sent, so its error is still returned at the call.
// Invalid handles are left to the handle checks of the call itself.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "rcl/icd/entry/kernel_args.h"
#include "rcl/icd/entry/build_options.h"
#include "rcl/protocol/kernel_arg_info_option.h"
#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/entry/kernel_launch_info.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/entry/queue_device.h"
#include "rcl/icd/data/transfers.h"

namespace rcl::icd {

bool asksUniformWorkGroups(const char* options) {
  if (options == nullptr) return false;
  const std::string_view all(options);
  bool uniform = false;
  for (std::size_t at = 0; at < all.size();) {
    const std::size_t end = std::min(all.find_first_of(" \t\n", at), all.size());
    const std::string_view word = all.substr(at, end - at);
    if (word == "-cl-uniform-work-group-size") uniform = true;
    if (word.rfind("-cl-std=", 0) == 0) uniform = uniform || word.rfind("-cl-std=CL1.", 0) == 0;
    at = end + 1;
  }
  return uniform;
}

cl_int rectError(const std::size_t* origin, const std::size_t* region, std::size_t rowPitch, std::size_t slicePitch,
                 std::size_t size) {
  if (origin == nullptr || region == nullptr) return CL_INVALID_VALUE;
  if (region[0] == 0 || region[1] == 0 || region[2] == 0) return CL_INVALID_VALUE;
  const std::size_t row = rowPitch != 0 ? rowPitch : region[0];
  std::size_t minSlice = 0;
  if (row < region[0] || __builtin_mul_overflow(row, region[1], &minSlice)) return CL_INVALID_VALUE;
  const std::size_t slice = slicePitch != 0 ? slicePitch : minSlice;
  if (slice < minSlice || slice % row != 0) return CL_INVALID_VALUE;
  if (size == SIZE_MAX) return CL_SUCCESS;
  // The byte after the last: origin's, plus the last slice's and row's, plus a row of the region.
  std::size_t end = 0, a = 0, b = 0;
  if (__builtin_mul_overflow(origin[2] + region[2] - 1, slice, &a) ||
      __builtin_mul_overflow(origin[1] + region[1] - 1, row, &b) || __builtin_add_overflow(a, b, &end) ||
      __builtin_add_overflow(end, origin[0] + region[0], &end) || origin[2] > SIZE_MAX - region[2] ||
      origin[1] > SIZE_MAX - region[1] || origin[0] > SIZE_MAX - region[0])
    return CL_INVALID_VALUE;
  return end <= size ? CL_SUCCESS : CL_INVALID_VALUE;
}

}  // namespace rcl::icd

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

// Whether the device runs work-groups of non-uniform size (a cached device
// query: the device's information comes once, all at once).
bool nonUniformWorkGroups(cl_device_id device) {
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

// A local size within the device's limits (cached device information):
// each dimension within CL_DEVICE_MAX_WORK_ITEM_SIZES, the group within
// CL_DEVICE_MAX_WORK_GROUP_SIZE. (The kernel's own limit, which may be
// lower: kernelLimitsError.)
cl_int localSizeError(cl_device_id device, cl_uint workDim, const std::size_t* local) {
  if (device == nullptr) return CL_SUCCESS;
  std::size_t items[3] = {0, 0, 0}, group = 0;
  if (kDispatchTable.clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof items, items, nullptr) !=
          CL_SUCCESS ||
      kDispatchTable.clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof group, &group, nullptr) !=
          CL_SUCCESS)
    return CL_SUCCESS;
  std::size_t total = 1;
  for (cl_uint d = 0; d < workDim; ++d) {
    if (local[d] == 0) return CL_INVALID_WORK_GROUP_SIZE;
    if (__builtin_mul_overflow(total, local[d], &total)) return CL_INVALID_WORK_GROUP_SIZE;
  }
  if (total > group) return CL_INVALID_WORK_GROUP_SIZE;
  for (cl_uint d = 0; d < workDim; ++d)
    if (local[d] > items[d]) return CL_INVALID_WORK_ITEM_SIZE;
  return CL_SUCCESS;
}

bool allArgsSet(cl_kernel k, cl_device_id device) {
  const std::optional<cl_uint> n = kernelNumArgs(k, device);
  if (!n) return true;  // unknown: the server decides
  std::lock_guard lock(k->infoMutex);
  return k->acceptedArgs.size() >= *n;
}

// The bytes of __local memory a launch of `k` takes per group: its own
// __local variables and the sizes its __local arguments were set with.
cl_ulong localBytes(cl_kernel k, const KernelFunction::OnDevice& on) {
  cl_ulong bytes = on.staticLocalBytes;
  std::lock_guard lock(k->infoMutex);
  for (const auto& [index, shape] : k->acceptedArgs)
    if (argKindOf(shape) == ArgKind::Local) bytes += argSizeOf(shape);
  return bytes;
}

// What the kernel's function on the queue's device refuses: a group larger
// than its CL_KERNEL_WORK_GROUP_SIZE (which may be below the device's), one
// of another size than its reqd_work_group_size, more __local memory than
// the device has (CL_OUT_OF_RESOURCES, as the specification gives it: PoCL
// 3.1 takes it and overruns its local memory).
cl_int kernelLimitsError(cl_kernel k, cl_device_id device, cl_uint workDim, const std::size_t* local) {
  const std::optional<KernelFunction::OnDevice> on = kernelOnDevice(k, device);
  if (!on) return CL_SUCCESS;
  if (local != nullptr) {
    std::size_t total = 1;
    for (cl_uint d = 0; d < workDim; ++d)
      if (__builtin_mul_overflow(total, local[d], &total)) return CL_INVALID_WORK_GROUP_SIZE;
    if (total > on->groupSize) return CL_INVALID_WORK_GROUP_SIZE;
    if (on->requiredSize[0] != 0)
      for (cl_uint d = 0; d < workDim; ++d)
        if (local[d] != on->requiredSize[d]) return CL_INVALID_WORK_GROUP_SIZE;
  }
  cl_ulong deviceLocal = 0;
  if (kDispatchTable.clGetDeviceInfo(device, CL_DEVICE_LOCAL_MEM_SIZE, sizeof deviceLocal, &deviceLocal, nullptr) ==
          CL_SUCCESS &&
      localBytes(k, *on) > deviceLocal)
    return CL_OUT_OF_RESOURCES;
  return CL_SUCCESS;
}

}  // namespace

cl_int clEnqueueNDRangeKernel(cl_command_queue command_queue, cl_kernel kernel, cl_uint work_dim, const size_t*,
                              const size_t* global_work_size, const size_t* local_work_size, cl_uint,
                              const cl_event*, cl_event*) {
  cl_kernel k = checked(kernel);
  if (k == nullptr) return CL_SUCCESS;
  if (work_dim < 1 || work_dim > 3) return CL_INVALID_WORK_DIMENSION;
  cl_command_queue q = checked(command_queue);
  cl_device_id device = q != nullptr ? deviceOf(q) : nullptr;
  if (!allArgsSet(k, device)) return CL_INVALID_KERNEL_ARGS;
  if (global_work_size == nullptr) return CL_SUCCESS;
  if (local_work_size != nullptr) {
    if (cl_int error = localSizeError(device, work_dim, local_work_size); error != CL_SUCCESS) return error;
    // Groups that do not divide the range need a device that runs non-uniform
    // groups (asked only then: the common launch costs nothing).
    bool uniform = true;
    for (cl_uint d = 0; d < work_dim; ++d)
      if (local_work_size[d] != 0 && global_work_size[d] % local_work_size[d] != 0) uniform = false;
    // (A kernel whose program asked for uniform groups refuses them on any device.)
    if (!uniform && q != nullptr && (k->uniformGroups || !nonUniformWorkGroups(device)))
      return CL_INVALID_WORK_GROUP_SIZE;
  }
  return kernelLimitsError(k, device, work_dim, local_work_size);
}

// A recorded kernel takes what its launch would: __local memory beyond the
// device's is CL_OUT_OF_RESOURCES at the recording (PoCL 3.1 records it and
// overruns its local memory at each run); the rest the platform answers (a sync call).
cl_int clCommandNDRangeKernelKHR(cl_command_buffer_khr command_buffer, cl_command_queue command_queue,
                                 const cl_ndrange_kernel_command_properties_khr*, cl_kernel kernel, cl_uint work_dim,
                                 const size_t*, const size_t*, const size_t* local_work_size, cl_uint,
                                 const cl_sync_point_khr*, cl_sync_point_khr*, cl_mutable_command_khr*) {
  cl_kernel k = checked(kernel);
  cl_command_buffer_khr b = checked(command_buffer);
  cl_command_queue q = command_queue != nullptr ? checked(command_queue) : b != nullptr ? b->queue : nullptr;
  if (k == nullptr || q == nullptr || work_dim < 1 || work_dim > 3) return CL_SUCCESS;
  cl_device_id device = deviceOf(q);
  if (local_work_size != nullptr && localSizeError(device, work_dim, local_work_size) != CL_SUCCESS)
    return CL_SUCCESS;  // the platform's own error
  const cl_int error = kernelLimitsError(k, device, work_dim, local_work_size);
  return error == CL_OUT_OF_RESOURCES ? error : CL_SUCCESS;
}

// Not checks: what the client keeps of compile options (of build options: custom_programs.cpp).
cl_int clCompileProgram(cl_program program, cl_uint, const cl_device_id*, const char* options, cl_uint,
                        const cl_program*, const char**, void(CL_CALLBACK*)(cl_program, void*), void*) {
  if (cl_program p = checked(program)) {
    p->uniformGroups = asksUniformWorkGroups(options);
    p->argInfoHidden = protocol::addsKernelArgInfo(options);
  }
  return CL_SUCCESS;
}

cl_int clEnqueueTask(cl_command_queue command_queue, cl_kernel kernel, cl_uint, const cl_event*, cl_event*) {
  cl_kernel k = checked(kernel);
  if (k == nullptr) return CL_SUCCESS;
  cl_command_queue q = checked(command_queue);
  cl_device_id device = q != nullptr ? deviceOf(q) : nullptr;
  if (!allArgsSet(k, device)) return CL_INVALID_KERNEL_ARGS;
  // A task is one group of one item: a kernel that requires another size refuses it.
  const std::size_t one[3] = {1, 1, 1};
  return kernelLimitsError(k, device, 3, one);
}

cl_int clEnqueueMarker(cl_command_queue, cl_event* event) { return event == nullptr ? CL_INVALID_VALUE : CL_SUCCESS; }

cl_int clEnqueueWaitForEvents(cl_command_queue command_queue, cl_uint num_events, const cl_event* event_list) {
  if (num_events == 0 || event_list == nullptr) return CL_INVALID_VALUE;
  cl_command_queue q = checked(command_queue);
  for (cl_uint i = 0; i < num_events; ++i) {
    cl_event e = checked(event_list[i]);
    if (e == nullptr) return CL_INVALID_EVENT;
    if (q != nullptr && e->context != q->context) return CL_INVALID_CONTEXT;
  }
  return CL_SUCCESS;
}

cl_int clEnqueueCopyBufferRect(cl_command_queue, cl_mem src_buffer, cl_mem dst_buffer, const size_t* src_origin,
                               const size_t* dst_origin, const size_t* region, size_t src_row_pitch,
                               size_t src_slice_pitch, size_t dst_row_pitch, size_t dst_slice_pitch, cl_uint,
                               const cl_event*, cl_event*) {
  cl_mem src = checked(src_buffer);
  cl_mem dst = checked(dst_buffer);
  if (src == nullptr || dst == nullptr) return CL_SUCCESS;
  if (src->image || dst->image) return CL_INVALID_MEM_OBJECT;
  if (cl_int error = rectError(src_origin, region, src_row_pitch, src_slice_pitch, src->size); error != CL_SUCCESS)
    return error;
  if (cl_int error = rectError(dst_origin, region, dst_row_pitch, dst_slice_pitch, dst->size); error != CL_SUCCESS)
    return error;
  if (src != dst) return CL_SUCCESS;
  // One buffer: the same pitches, and boxes that do not meet.
  const std::size_t srcRow = src_row_pitch != 0 ? src_row_pitch : region[0];
  const std::size_t dstRow = dst_row_pitch != 0 ? dst_row_pitch : region[0];
  const std::size_t srcSlice = src_slice_pitch != 0 ? src_slice_pitch : srcRow * region[1];
  const std::size_t dstSlice = dst_slice_pitch != 0 ? dst_slice_pitch : dstRow * region[1];
  if (srcRow != dstRow || srcSlice != dstSlice) return CL_INVALID_VALUE;
  for (int d = 0; d < 3; ++d)
    if (src_origin[d] + region[d] <= dst_origin[d] || dst_origin[d] + region[d] <= src_origin[d]) return CL_SUCCESS;
  return CL_MEM_COPY_OVERLAP;
}

cl_int clEnqueueCopyBuffer(cl_command_queue, cl_mem src_buffer, cl_mem dst_buffer, size_t src_offset,
                           size_t dst_offset, size_t size, cl_uint, const cl_event*, cl_event*) {
  cl_mem src = checked(src_buffer);
  cl_mem dst = checked(dst_buffer);
  if (src == nullptr || dst == nullptr) return CL_SUCCESS;
  if (src->image || dst->image) return CL_INVALID_MEM_OBJECT;
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
  if (src == nullptr || dst == nullptr) return CL_SUCCESS;
  if (!src->image || !dst->image) return CL_INVALID_MEM_OBJECT;
  if (src->format.image_channel_order != dst->format.image_channel_order ||
      src->format.image_channel_data_type != dst->format.image_channel_data_type)
    return CL_IMAGE_FORMAT_MISMATCH;
  if (!regionInImage(src, src_origin, region) || !regionInImage(dst, dst_origin, region)) return CL_INVALID_VALUE;
  if (src == dst) {
    for (int d = 0; d < 3; ++d)
      if (src_origin[d] + region[d] <= dst_origin[d] || dst_origin[d] + region[d] <= src_origin[d]) return CL_SUCCESS;
    return CL_MEM_COPY_OVERLAP;
  }
  return CL_SUCCESS;
}

cl_int clEnqueueCopyImageToBuffer(cl_command_queue, cl_mem src_image, cl_mem dst_buffer, const size_t* src_origin,
                                  const size_t* region, size_t dst_offset, cl_uint, const cl_event*, cl_event*) {
  if (src_origin == nullptr || region == nullptr) return CL_INVALID_VALUE;
  cl_mem src = checked(src_image);
  cl_mem dst = checked(dst_buffer);
  if (src == nullptr || dst == nullptr) return CL_SUCCESS;
  if (!src->image || dst->image) return CL_INVALID_MEM_OBJECT;
  if (!regionInImage(src, src_origin, region)) return CL_INVALID_VALUE;
  if (dst != nullptr && !dst->image && !bufferHolds(dst, dst_offset, region, src->elementSize)) return CL_INVALID_VALUE;
  return CL_SUCCESS;
}

cl_int clEnqueueCopyBufferToImage(cl_command_queue, cl_mem src_buffer, cl_mem dst_image, size_t src_offset,
                                  const size_t* dst_origin, const size_t* region, cl_uint, const cl_event*, cl_event*) {
  if (dst_origin == nullptr || region == nullptr) return CL_INVALID_VALUE;
  cl_mem src = checked(src_buffer);
  cl_mem dst = checked(dst_image);
  if (src == nullptr || dst == nullptr) return CL_SUCCESS;
  if (src->image || !dst->image) return CL_INVALID_MEM_OBJECT;
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
