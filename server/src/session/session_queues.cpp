#include "rcl/server/session/session_queues.h"

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
      if (refs != 1) return false;
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

bool SessionQueues::isBusy(const Queue& q) {
  return q.progress && q.progress->inOrder && q.progress->enqueued.load() > q.progress->finished.load();
}

std::vector<cl_command_queue> SessionQueues::takeAll() {
  std::lock_guard lock(mutex_);
  std::vector<cl_command_queue> queues;
  for (const auto& q : queues_) queues.push_back(q.queue);
  queues_.clear();
  return queues;
}

}  // namespace rcl::server
