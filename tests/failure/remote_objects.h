#pragma once
// In a child that runs remote-cl's ICD (OwnServerTest::useOwnServer): the
// remote platform and device, and a context and queue on them, each opened
// once here for every failure test.

#include <CL/cl.h>

#include "child_process.h"
#include "cl_error_names.h"

namespace rcl::test {

struct Remote {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
};

// The first remote platform and its first device; what failed, in words (empty if nothing did).
inline Outcome openRemoteDevice(Remote& r) {
  if (clGetPlatformIDs(1, &r.platform, nullptr) != CL_SUCCESS) return "clGetPlatformIDs found no remote platform";
  if (clGetDeviceIDs(r.platform, CL_DEVICE_TYPE_ALL, 1, &r.device, nullptr) != CL_SUCCESS)
    return "clGetDeviceIDs found no remote device";
  return {};
}

// The same, and a context of that device with a queue on it.
inline Outcome openRemote(Remote& r) {
  if (auto failed = openRemoteDevice(r); !failed.empty()) return failed;
  cl_int error = CL_SUCCESS;
  r.context = clCreateContext(nullptr, 1, &r.device, nullptr, nullptr, &error);
  if (error != CL_SUCCESS) return "clCreateContext failed: " + clErrorName(error);
  r.queue = clCreateCommandQueueWithProperties(r.context, r.device, nullptr, &error);
  if (error != CL_SUCCESS) return "clCreateCommandQueueWithProperties failed: " + clErrorName(error);
  return {};
}

}  // namespace rcl::test
