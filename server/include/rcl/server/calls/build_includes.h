// The client's headers for a build (protocol/include/rcl/protocol/build_includes.h):
// written under the server's temporary folder, in a folder named by a hash of
// their contents, so the same headers give the same build options every time
// (PoCL's build cache keys on them) and sessions never share a folder whose
// contents they did not check.
#pragma once

#include <string>

#include "rcl/protocol/build_includes.h"

namespace rcl::server {

// The options to give the real compiler: each root's marker replaced by the
// folder holding that root's files. CallError(CL_INVALID_BUILD_OPTIONS) if
// the options name a root that does not exist; CallError(CL_OUT_OF_RESOURCES)
// if the files cannot be written.
std::string materializeIncludes(const protocol::IncludeBundle& bundle);

}  // namespace rcl::server
