// clFinish without a round trip: on an in-order queue, every command is done
// once the last one the client sent is (its completion is pushed); the
// server's marker path (call_context.h) serves out-of-order queues.
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
// An in-order queue's last command, held for the caller (unhold it), or
// nullptr: an out-of-order queue, or no command the client knows of.
cl_event holdLastCommand(cl_command_queue queue);

}  // namespace rcl::icd
