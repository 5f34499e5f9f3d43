// A complete command's profiling timestamps, for its completion push
// (protocol/profiling_times.h).
#pragma once

#include <optional>

#include <CL/cl.h>

#include "rcl/protocol/profiling_times.h"

namespace rcl::server {

// The timestamps of `event`, complete, as the real platform gives them; none
// if it has none (its queue does not profile, a user event). Called from the
// event's completion callback.
std::optional<protocol::ProfilingTimes> profilingTimesOf(cl_event event);

}  // namespace rcl::server
