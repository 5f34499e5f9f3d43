// Client-side event status: the server pushes each event's completion, so
// waits and status queries of complete events need no round trip.
#pragma once

#include <array>
#include <functional>
#include <optional>

#include <CL/cl.h>

#include "rcl/icd/objects/objects.h"

namespace rcl::icd {

// Records a status from the server; a final one (<= CL_COMPLETE) wakes
// waiters and runs the event's CL_COMPLETE callbacks on the callback thread.
void setEventStatus(cl_event event, cl_int status);
// Records a command's profiling timestamps (pushed with its completion).
void setProfilingTimes(cl_event event, const std::array<std::optional<cl_ulong>, 5>& times);
// Answers clGetEventProfilingInfo's `param` of a complete event whose
// timestamps came (CL_SUCCESS, `value` set), of a user event
// (CL_PROFILING_INFO_NOT_AVAILABLE), or nothing: the server must be asked.
std::optional<cl_int> localProfilingInfo(cl_event event, cl_profiling_info param, cl_ulong& value);
// Waits for a final status and returns it.
cl_int waitForEvent(cl_event event);
bool isFinal(cl_int status);
// What a blocking command returns once its event is final: success, the
// server's error if it refused the command, or the wait-list error.
cl_int blockingResult(cl_event event, cl_int status);
// Runs `action(status)` once the event is final (now if it already is).
void whenComplete(cl_event event, std::function<void(cl_int)> action);

}  // namespace rcl::icd
