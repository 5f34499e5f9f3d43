// What the server asks the real platform of the objects a call names: a
// queue's context and device, a context's devices, a platform's devices of a type.
#pragma once

#include <optional>
#include <vector>

#include <CL/cl.h>

namespace rcl::server {

// The context (device) of `queue`; nullptr if the platform cannot say.
cl_context contextOf(cl_command_queue queue);
cl_device_id deviceOf(cl_command_queue queue);

// The devices of `context`; nullopt if it cannot say (not a context: the call gives its own error).
std::optional<std::vector<cl_device_id>> devicesOf(cl_context context);

// clGetDeviceIDs of `type` with room for every device (asks the count, then
// the list): its status, and the devices in `devices` (none if it failed).
cl_int devicesOfType(cl_platform_id platform, cl_device_type type, std::vector<cl_device_id>& devices);

}  // namespace rcl::server
