// What the client checks a kernel launch against (checks.cpp), asked once
// per kernel function and device in one round trip
// (protocol/kernel_launch_info.h) and kept in the function's record
// (objects.h: KernelFunction), which a rebuild of the program forgets.
#pragma once

#include <optional>

#include <CL/cl.h>

#include "rcl/icd/objects/objects.h"

namespace rcl::icd {

// CL_KERNEL_NUM_ARGS of the kernel's function (nullopt: the server would not
// say). With a device, the function's information on it comes in the same
// round trip.
std::optional<cl_uint> kernelNumArgs(cl_kernel k, cl_device_id device);

// The function's information on `device` (nullopt: unknown; the server decides).
std::optional<KernelFunction::OnDevice> kernelOnDevice(cl_kernel k, cl_device_id device);

}  // namespace rcl::icd
