// Which calls that name a command queue put a command in it: what both
// sides' clFinish fast paths count (a finished last command finishes the
// queue, if it is in order).
#pragma once

#include "rcl/protocol/call_ids.h"

namespace rcl::protocol {

constexpr bool mayEnqueue(CallId call) {
  return call != CallId::clFinish && call != CallId::clFlush && call != CallId::clGetCommandQueueInfo &&
         call != CallId::clRetainCommandQueue && call != CallId::clReleaseCommandQueue;
}

}  // namespace rcl::protocol
