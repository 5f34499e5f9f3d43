#include "rcl/icd/objects/queue_progress.h"

#include <algorithm>
#include <utility>

#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/objects/object_host.h"

namespace rcl::icd {

namespace {
// CL_QUEUE_PROPERTIES asked once per queue (they never change after creation).
bool runsInOrder(cl_command_queue queue) {
  int known = queue->inOrder.load();
  if (known < 0) {
    cl_command_queue_properties properties = 0;
    if (objectHost().queueProperties(queue, properties) != CL_SUCCESS) return false;
    known = (properties & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) == 0 ? 1 : 0;
    queue->inOrder = known;
  }
  return known == 1;
}
}  // namespace

void noteLastCommand(cl_command_queue queue, cl_event event, bool settledOnSend) {
  cl_event previous;
  cl_event previousToWaitFor = nullptr;
  {
    std::lock_guard lock(queue->lastMutex);
    previous = std::exchange(queue->lastCommand, event);
    ++queue->commandsSent;
    if (!settledOnSend) {
      queue->lastToWaitFor = queue->commandsSent;
      if (event != nullptr) hold(event);
      previousToWaitFor = std::exchange(queue->lastToWaitForEvent, event);
    }
  }
  if (previous != nullptr) unhold(previous);
  if (previousToWaitFor != nullptr) unhold(previousToWaitFor);
}

std::optional<std::uint64_t> settledUpTo(cl_command_queue queue) {
  cl_event last;
  std::uint64_t upTo;
  {
    std::lock_guard lock(queue->lastMutex);
    // Nothing sent since: the server says (a queue whose creation failed, say).
    if (queue->commandsSent == queue->finishedUpTo) return std::nullopt;
    if (queue->lastToWaitFor <= queue->finishedUpTo) return queue->commandsSent;
    last = queue->lastToWaitForEvent;
    if (last == nullptr) return std::nullopt;
    hold(last);
    upTo = queue->lastToWaitFor;
  }
  // On an in-order queue, the last command to wait for completed (a blocking
  // read, a command waited for): so did every one before it.
  bool complete = false;
  if (runsInOrder(queue)) {
    std::lock_guard lock(last->mutex);
    complete = last->status == CL_COMPLETE;
  }
  unhold(last);
  if (!complete) return std::nullopt;
  noteFinished(queue, upTo, /*byServer=*/true);
  std::lock_guard lock(queue->lastMutex);
  if (queue->lastToWaitFor > queue->finishedUpTo) return std::nullopt;
  return queue->commandsSent;
}

void noteFinished(cl_command_queue queue, std::uint64_t upTo, bool byServer) {
  std::lock_guard lock(queue->lastMutex);
  queue->finishedUpTo = std::max(queue->finishedUpTo, upTo);
  if (byServer) {
    queue->serverFinishedUpTo = std::max(queue->serverFinishedUpTo, upTo);
    queue->serverFinished = true;
  }
}

bool finishedAsServerSaid(cl_command_queue queue) {
  std::lock_guard lock(queue->lastMutex);
  return queue->serverFinished && queue->serverFinishedUpTo == queue->commandsSent;
}

std::uint64_t commandsSent(cl_command_queue queue) {
  std::lock_guard lock(queue->lastMutex);
  return queue->commandsSent;
}

void forgetLastCommand(cl_command_queue queue) { noteLastCommand(queue, nullptr); }

bool lastCommandComplete(cl_command_queue queue) {
  cl_event last = holdLastCommand(queue);
  if (last == nullptr) return false;
  bool complete;
  {
    std::lock_guard lock(last->mutex);
    complete = last->status == CL_COMPLETE;
  }
  unhold(last);
  return complete;
}

cl_event holdLastCommand(cl_command_queue queue) {
  {
    std::lock_guard lock(queue->lastMutex);
    if (queue->lastCommand == nullptr) return nullptr;
  }
  if (!runsInOrder(queue)) return nullptr;
  std::lock_guard lock(queue->lastMutex);
  cl_event last = queue->lastCommand;
  if (last != nullptr) hold(last);
  return last;
}

}  // namespace rcl::icd
