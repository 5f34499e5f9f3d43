// The real platform's extension functions, for the generated handlers of
// extension calls ([CALL] extension = ... in codegen/opencl_calls.toml): the
// ICD loader does not export them, so the server asks
// clGetExtensionFunctionAddressForPlatform of the platform a call's first
// handle belongs to.
#pragma once

#include <CL/cl.h>

namespace rcl::server {

// The function, or nullptr when the platform has none of that name (the real
// platform does not offer the extension: the call answers CL_INVALID_OPERATION).
// CallError(CL_INVALID_OPERATION) if the object's platform cannot be found.
void* extensionFunction(cl_platform_id platform, const char* name);
void* extensionFunction(cl_device_id device, const char* name);
void* extensionFunction(cl_context context, const char* name);
void* extensionFunction(cl_command_queue queue, const char* name);
void* extensionFunction(cl_mem mem, const char* name);
void* extensionFunction(cl_program program, const char* name);
void* extensionFunction(cl_kernel kernel, const char* name);

}  // namespace rcl::server
