// The real platform's extension functions, for the generated handlers of
// extension calls ([CALL] extension = ... in codegen/opencl_calls.toml): the
// ICD loader does not export them, so the server asks
// clGetExtensionFunctionAddressForPlatform of the platform a call's first
// handle belongs to.
#pragma once

#include <CL/cl.h>
#include <CL/cl_ext.h>

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
// A command buffer's platform is the one noted when it was made (its own
// queries are extension functions too): CallError(CL_INVALID_OPERATION) for
// one never noted.
void* extensionFunction(cl_command_buffer_khr buffer, const char* name);
// Notes a new command buffer's platform and first queue (PoCL 3.1's
// CL_COMMAND_BUFFER_QUEUES_KHR answers the address of its array of queues).
void noteCommandBuffer(cl_command_buffer_khr buffer, cl_platform_id platform, cl_command_queue queue);
// The first queue a noted command buffer was made for (nullptr if not noted).
cl_command_queue firstQueueOf(cl_command_buffer_khr buffer);
// The platform of a queue (CallError(CL_INVALID_OPERATION) if it has none).
cl_platform_id platformOf(cl_command_queue queue);

}  // namespace rcl::server
