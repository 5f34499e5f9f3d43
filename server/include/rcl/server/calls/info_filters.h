// Edits of info values before they leave the server: what cannot work
// remotely is masked, the same way in every query that mentions it.
#pragma once

#include <functional>
#include <vector>

#include <CL/cl.h>

#include "rcl/server/session/session.h"

namespace rcl::server {

// Asks the object being queried for another parameter (as the real clGet*Info).
using InfoQuery = std::function<cl_int(cl_uint param, size_t size, void* value, size_t* size_ret)>;

// Filters return CL_SUCCESS, or the error the query answers instead.

// Native kernels, fine-grained SVM and SVM atomics (coarse-grained buffer SVM
// stays), host-unified memory and GL/D3D/DX9/EGL/VA sharing are removed from
// the device's capabilities and extension lists, and so is every extension
// whose entry points are not forwarded (codegen/opencl_calls.toml
// [extensions]), with its queries (CL_INVALID_VALUE); cl_rcl_ops is
// added to them when the server offers operations (options.ops).
cl_int maskDeviceInfo(const SessionOptions& options, cl_uint param, std::vector<unsigned char>& value,
                      const InfoQuery& query);

// The platform's extension lists, masked as the devices'.
cl_int maskPlatformInfo(const SessionOptions& options, cl_uint param, std::vector<unsigned char>& value,
                        const InfoQuery& query);

// Reference counts without the one the session holds of every queue and user
// event (Session::keepQueue, keepUserEvent): the client sees its own.
cl_int sessionQueueInfo(const SessionOptions& options, cl_uint param, std::vector<unsigned char>& value,
                        const InfoQuery& query);
cl_int sessionEventInfo(const SessionOptions& options, cl_uint param, std::vector<unsigned char>& value,
                        const InfoQuery& query);

// A command buffer's queues and properties are answered by the client from
// what it made the buffer with: refused here (PoCL 3.1 answers pointers of its own).
cl_int commandBufferInfo(const SessionOptions& options, cl_uint param, std::vector<unsigned char>& value,
                         const InfoQuery& query);

// True for extensions a remote platform or device cannot offer.
bool isMaskedExtension(const char* name);

}  // namespace rcl::server
