// Edits of info values before they leave the server: what cannot work
// remotely is masked, the same way in every query that mentions it.
#pragma once

#include <vector>

#include <CL/cl.h>

#include "rcl/server/session.h"

namespace rcl::server {

// Native kernels, fine-grained SVM and SVM atomics (coarse-grained buffer SVM
// stays), host-unified memory and GL/D3D/DX9/EGL/VA sharing are removed from
// the device's capabilities and extension lists; cl_rcl_ops is
// added to them when the server offers operations (options.ops).
void maskDeviceInfo(const SessionOptions& options, cl_uint param, std::vector<unsigned char>& value);

// True for extensions a remote device cannot offer.
bool isMaskedExtension(const char* name);

}  // namespace rcl::server
