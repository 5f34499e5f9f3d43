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

// How far openRemoteDevice goes: the platform and its device, or also a context and a queue on them.
enum class RemoteOpening { Device, Queue };

// Opens the first device of the platform the environment names (OCL_ICD_VENDORS and REMOTE_CL_SERVERS set).
RemoteDevice openRemoteDevice(RemoteOpening upTo = RemoteOpening::Queue);
// Points the loader at `vendors` (remote-cl.icd alone) and remote-cl at
// `endpoint`, then opens the first device (with a context and a queue).
RemoteDevice openRemoteDevice(const std::string& vendors, const std::string& endpoint,
                              RemoteOpening upTo = RemoteOpening::Queue);

}  // namespace rcl::test
