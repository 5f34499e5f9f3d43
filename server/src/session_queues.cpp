#include "rcl/server/session_queues.h"

#include <algorithm>

namespace rcl::server {
namespace {
constexpr std::size_t kForgetAbove = 64;  // then queues only the session holds (no client, no commands) go
}

SessionQueues::~SessionQueues() {
  for (auto* queue : takeAll()) clReleaseCommandQueue(queue);
}

void SessionQueues::keep(cl_command_queue queue, std::shared_ptr<QueueProgress> progress) {
  std::lock_guard lock(mutex_);
  if (queues_.size() >= kForgetAbove) {
    std::erase_if(queues_, [](Queue& q) {
      cl_uint refs = 0;
      clGetCommandQueueInfo(q.queue, CL_QUEUE_REFERENCE_COUNT, sizeof refs, &refs, nullptr);
      if (refs != 1 || q.marker != nullptr) return false;
      clReleaseCommandQueue(q.queue);
      return true;
    });
  }
  if (clRetainCommandQueue(queue) == CL_SUCCESS) queues_.push_back({queue, std::move(progress)});
}

std::uint64_t SessionQueues::busy() {
  std::lock_guard lock(mutex_);
  return static_cast<std::uint64_t>(std::count_if(queues_.begin(), queues_.end(), isBusy));
}

bool SessionQueues::isBusy(Queue& q) {
  const auto markerDone = [&q] {
    cl_int status = CL_QUEUED;
    if (clGetEventInfo(q.marker, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr) != CL_SUCCESS ||
        status <= CL_COMPLETE) {  // complete, or failed: nothing before it runs any more
      q.idleAt = q.markedAt;
      dropMarker(q);
      return true;
    }
    return false;
  };
  if (q.marker != nullptr && !markerDone()) return true;
  const std::uint64_t enqueued = q.progress ? q.progress->enqueued.load() : 0;
  if (enqueued == q.idleAt) return false;
  cl_event marker = nullptr;
  if (clEnqueueMarkerWithWaitList(q.queue, 0, nullptr, &marker) != CL_SUCCESS || marker == nullptr) {
    q.idleAt = enqueued;  // a queue that takes no marker (on the device) counts as idle
    return false;
  }
  clFlush(q.queue);
  q.marker = marker;
  q.markedAt = enqueued;
  return !markerDone();
}

void SessionQueues::dropMarker(Queue& q) {
  if (q.marker != nullptr) clReleaseEvent(q.marker);
  q.marker = nullptr;
}

std::vector<cl_command_queue> SessionQueues::takeAll() {
  std::lock_guard lock(mutex_);
  std::vector<cl_command_queue> queues;
  for (auto& q : queues_) {
    dropMarker(q);
    queues.push_back(q.queue);
  }
  queues_.clear();
  return queues;
}

}  // namespace rcl::server
