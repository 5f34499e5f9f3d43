// clFinish without a round trip: on an in-order queue, every command is done
// once the last one the client sent is (its completion is pushed); the
// server's marker path (call_context.h) serves out-of-order queues.
#pragma once

#include <CL/cl.h>

#include <cstdint>
#include <optional>

namespace rcl::icd {

// A command was sent to `queue`; `event` (held by the caller for the queue,
// or nullptr: its completion is not known here) is its last one now.
// `settledOnSend`: nothing of it is left for clFinish to wait for (a write
// whose bytes went with the call, with no wait list and no event asked for).
void noteLastCommand(cl_command_queue queue, cl_event event, bool settledOnSend = false);
// clFinish without waiting: if commands were sent to `queue` since it was
// last known finished and all were settled on send, the number of the last
// (for noteFinished, once the finish is sent); nothing otherwise.
std::optional<std::uint64_t> settledUpTo(cl_command_queue queue);
// The commands of `queue` up to `upTo` are done (or need no waiting for);
// `byServer`: the server said so (it answered a clFinish, or pushed the
// completion of the last of them), which also says the queue exists there.
void noteFinished(cl_command_queue queue, std::uint64_t upTo, bool byServer = false);
// Whether nothing was sent to `queue` since the server last said it was
// finished: clFinish has nothing to ask (a queue whose pipelined creation
// failed never gets there, and its clFinish still asks).
bool finishedAsServerSaid(cl_command_queue queue);
// The number of the last command sent to `queue` (for noteFinished).
std::uint64_t commandsSent(cl_command_queue queue);
// Lets go of the queue's last command (the queue is being recycled).
void forgetLastCommand(cl_command_queue queue);
// Whether every command of `queue` is known to be complete.
bool lastCommandComplete(cl_command_queue queue);
// An in-order queue's last command, held for the caller (unhold it), or
// nullptr: an out-of-order queue, or no command the client knows of.
cl_event holdLastCommand(cl_command_queue queue);

}  // namespace rcl::icd
