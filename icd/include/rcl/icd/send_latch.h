// Counts the bulk frames ZeroMQ still reads from the application's memory;
// a blocking write returns once it reaches zero (the memory is free again).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace rcl::icd {

class SendLatch {
 public:
  void add() {
    std::lock_guard lock(mutex_);
    ++pending_;
  }
  void done() {
    std::lock_guard lock(mutex_);
    if (--pending_ == 0) zero_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    zero_.wait(lock, [this] { return pending_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  std::size_t pending_ = 0;
};

}  // namespace rcl::icd
