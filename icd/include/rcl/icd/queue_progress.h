// clFinish without a round trip: on an in-order queue whose last command
// this client saw complete, every command is done (the server's own fast
// path, call_context.h, still costs the round trip).
#pragma once

#include <CL/cl.h>

namespace rcl::icd {

// A command was sent to `queue`; `event` (held by the caller for the queue,
// or nullptr: its completion is not known here) is its last one now.
void noteLastCommand(cl_command_queue queue, cl_event event);
// Lets go of the queue's last command (the queue is being recycled).
void forgetLastCommand(cl_command_queue queue);
// Whether every command of `queue` is known to be complete.
bool lastCommandComplete(cl_command_queue queue);

}  // namespace rcl::icd
