#include "rcl/server/support/profiling_times.h"

namespace rcl::server {

std::optional<protocol::ProfilingTimes> profilingTimesOf(cl_event event) {
  protocol::ProfilingTimes times;
  for (std::size_t i = 0; i < times.size(); ++i) {
    cl_ulong value = 0;
    if (::clGetEventProfilingInfo(event, protocol::kProfilingParams[i], sizeof value, &value, nullptr) != CL_SUCCESS) {
      if (i == 0) return std::nullopt;  // none (a queue without profiling): the client asks, if ever
      continue;                         // the client asks for this one
    }
    times[i] = value;
  }
  return times;
}

}  // namespace rcl::server
