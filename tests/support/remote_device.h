#pragma once
// For tests that run OpenCL in a child process (outcomes in words, not gtest
// assertions): remote-cl as the only platform, through one server.

#include <CL/cl.h>

#include <string>

#include "child_process.h"

namespace rcl::test {

struct RemoteDevice {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;  // in order
  Outcome failed;  // empty, or the step that failed
};

// Points the loader at `vendors` (remote-cl.icd alone) and remote-cl at
// `endpoint`, then opens the first device with a context and a queue.
RemoteDevice openRemoteDevice(const std::string& vendors, const std::string& endpoint);

}  // namespace rcl::test
