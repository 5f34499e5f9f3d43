// Which calls that name a command queue put a command in it: what both
// sides' clFinish fast paths count (a finished last command finishes the
// queue, if it is in order).
#pragma once

#include "rcl/protocol/call_ids.h"

namespace rcl::protocol {

constexpr bool mayEnqueue(CallId call) {
  switch (call) {
    case CallId::clFinish:
    case CallId::clFlush:
    case CallId::clGetCommandQueueInfo:
    case CallId::clRetainCommandQueue:
    case CallId::clReleaseCommandQueue:
    // cl_khr_command_buffer: a buffer names its queues when it is made, and a
    // recorded command may name one; neither puts anything in it (an enqueue does).
    case CallId::clCreateCommandBufferKHR:
    case CallId::clCommandBarrierWithWaitListKHR:
    case CallId::clCommandCopyBufferKHR:
    case CallId::clCommandCopyBufferRectKHR:
    case CallId::clCommandCopyBufferToImageKHR:
    case CallId::clCommandCopyImageKHR:
    case CallId::clCommandCopyImageToBufferKHR:
    case CallId::clCommandFillBufferKHR:
    case CallId::clCommandFillImageKHR:
    case CallId::clCommandNDRangeKernelKHR:
      return false;
    default:
      return true;
  }
}

// A command that, with no wait list and no staged pieces, ends without
// waiting for anything (a buffer write whose bytes came with it): after only
// such commands, a clFinish may be sent without waiting (icd clFinish), and
// the server finishes the queue in place (QueueProgress::settles).
constexpr bool settlesOnSend(CallId call) { return call == CallId::clEnqueueWriteBuffer; }

}  // namespace rcl::protocol
