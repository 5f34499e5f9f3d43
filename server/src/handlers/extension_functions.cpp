#include "rcl/server/handlers/extension_functions.h"

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "rcl/server/support/call_error.h"
#include "rcl/server/calls/object_info.h"

namespace rcl::server {
namespace {

// A handle-valued information of `handle` (its platform or context).
template <class Handle, class Query>
void* infoOf(Handle handle, cl_uint param, Query query) {
  void* value = nullptr;
  if (query(handle, param, sizeof value, &value, nullptr) != CL_SUCCESS || value == nullptr)
    throw CallError(CL_INVALID_OPERATION, "cannot find the platform of an extension call's object");
  return value;
}

}  // namespace

void* extensionFunction(cl_platform_id platform, const char* name) {
  // Looked up once per platform and name: the answer never changes.
  static std::mutex mutex;
  static std::map<std::pair<cl_platform_id, std::string>, void*> found;
  std::lock_guard lock(mutex);
  auto key = std::make_pair(platform, std::string(name));
  auto it = found.find(key);
  if (it == found.end()) it = found.emplace(key, ::clGetExtensionFunctionAddressForPlatform(platform, name)).first;
  return it->second;
}

void* extensionFunction(cl_device_id device, const char* name) {
  return extensionFunction(static_cast<cl_platform_id>(infoOf(device, CL_DEVICE_PLATFORM, &::clGetDeviceInfo)), name);
}

void* extensionFunction(cl_context context, const char* name) {
  const auto devices = devicesOf(context);
  if (!devices || devices->empty())
    throw CallError(CL_INVALID_OPERATION, "cannot find the devices of an extension call's context");
  return extensionFunction(devices->front(), name);
}

void* extensionFunction(cl_command_queue queue, const char* name) {
  return extensionFunction(static_cast<cl_context>(infoOf(queue, CL_QUEUE_CONTEXT, &::clGetCommandQueueInfo)), name);
}

void* extensionFunction(cl_mem mem, const char* name) {
  return extensionFunction(static_cast<cl_context>(infoOf(mem, CL_MEM_CONTEXT, &::clGetMemObjectInfo)), name);
}

void* extensionFunction(cl_program program, const char* name) {
  return extensionFunction(static_cast<cl_context>(infoOf(program, CL_PROGRAM_CONTEXT, &::clGetProgramInfo)), name);
}

void* extensionFunction(cl_kernel kernel, const char* name) {
  return extensionFunction(static_cast<cl_context>(infoOf(kernel, CL_KERNEL_CONTEXT, &::clGetKernelInfo)), name);
}

namespace {

// Command buffers and their platforms. A real handle is noted when it is
// made; an address the driver reuses for a new buffer is noted again then.
struct BufferPlatforms {
  std::mutex mutex;
  std::map<cl_command_buffer_khr, std::pair<cl_platform_id, cl_command_queue>> platforms;
};

BufferPlatforms& bufferPlatforms() {
  static auto* kept = new BufferPlatforms;  // outlives every session
  return *kept;
}

}  // namespace

void noteCommandBuffer(cl_command_buffer_khr buffer, cl_platform_id platform, cl_command_queue queue) {
  auto& kept = bufferPlatforms();
  std::lock_guard lock(kept.mutex);
  kept.platforms[buffer] = {platform, queue};
}

cl_command_queue firstQueueOf(cl_command_buffer_khr buffer) {
  auto& kept = bufferPlatforms();
  std::lock_guard lock(kept.mutex);
  const auto it = kept.platforms.find(buffer);
  return it == kept.platforms.end() ? nullptr : it->second.second;
}

void* extensionFunction(cl_command_buffer_khr buffer, const char* name) {
  cl_platform_id platform = nullptr;
  {
    auto& kept = bufferPlatforms();
    std::lock_guard lock(kept.mutex);
    const auto it = kept.platforms.find(buffer);
    if (it == kept.platforms.end()) throw CallError(CL_INVALID_OPERATION, "a command buffer of no known platform");
    platform = it->second.first;
  }
  return extensionFunction(platform, name);
}

cl_platform_id platformOf(cl_command_queue queue) {
  auto* device = static_cast<cl_device_id>(infoOf(queue, CL_QUEUE_DEVICE, &::clGetCommandQueueInfo));
  return static_cast<cl_platform_id>(infoOf(device, CL_DEVICE_PLATFORM, &::clGetDeviceInfo));
}

}  // namespace rcl::server
