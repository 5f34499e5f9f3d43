// The client side of the cl_rcl_ops extension (CL/cl_remote.h): GEMM and
// generic operations that run on the server as one command of a queue, and
// the list of the operations a server offers. Wire: rcl/protocol/extension_calls.h.
#pragma once

#include <CL/cl.h>

namespace rcl::icd::ops {

// The extension's entry point called `name`, or nullptr.
void* function(const char* name);

// True if the platform's server offers operations (its devices list cl_rcl_ops).
bool platformOffersOps(cl_platform_id platform);

}  // namespace rcl::icd::ops
