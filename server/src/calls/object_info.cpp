#include "rcl/server/calls/object_info.h"

namespace rcl::server {

cl_context contextOf(cl_command_queue queue) {
  cl_context context = nullptr;
  ::clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof context, &context, nullptr);
  return context;
}

cl_device_id deviceOf(cl_command_queue queue) {
  cl_device_id device = nullptr;
  ::clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof device, &device, nullptr);
  return device;
}

std::optional<std::vector<cl_device_id>> devicesOf(cl_context context) {
  std::size_t bytes = 0;
  if (context == nullptr || ::clGetContextInfo(context, CL_CONTEXT_DEVICES, 0, nullptr, &bytes) != CL_SUCCESS)
    return std::nullopt;
  std::vector<cl_device_id> devices(bytes / sizeof(cl_device_id));
  if (::clGetContextInfo(context, CL_CONTEXT_DEVICES, bytes, devices.data(), nullptr) != CL_SUCCESS)
    return std::nullopt;
  return devices;
}

cl_int devicesOfType(cl_platform_id platform, cl_device_type type, std::vector<cl_device_id>& devices) {
  cl_uint n = 0;
  cl_int status = ::clGetDeviceIDs(platform, type, 0, nullptr, &n);
  devices.assign(n, nullptr);
  if (status == CL_SUCCESS && n > 0) status = ::clGetDeviceIDs(platform, type, n, devices.data(), nullptr);
  if (status != CL_SUCCESS) devices.clear();
  return status;
}

}  // namespace rcl::server
