// Which info values hold handles, so both sides can translate them: the
// server turns real handles into ids, the client turns ids into its proxies.
// The table behind infoResult() is generated from the `handles` of each info
// call in codegen/opencl_calls.toml.
#pragma once

#include <CL/cl.h>

#include "rcl/protocol/call_ids.h"
#include "rcl/protocol/object_kind.h"

namespace rcl::protocol {

struct InfoResult {
  enum class Shape : std::uint8_t {
    Bytes,              // plain bytes, nothing to translate
    Handle,             // one handle
    Handles,            // an array of handles
    ContextProperties,  // a property list whose CL_CONTEXT_PLATFORM value is a handle
    ProgramBinaries,    // CL_PROGRAM_BINARIES: one blob per device, into caller-owned buffers
  };
  Shape shape = Shape::Bytes;
  ObjectKind kind = ObjectKind::None;
};

InfoResult infoResult(CallId call, cl_uint param);

// Whether an info value never changes once its object exists (the
// annotations' `immutable`): the client asks for it once and keeps it.
bool infoImmutable(CallId call, cl_uint param);

}  // namespace rcl::protocol
