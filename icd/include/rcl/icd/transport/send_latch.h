// Counts the bulk frames ZeroMQ still reads from the application's memory;
// a blocking write returns once it reaches zero (the memory is free again).
// A connection counts all of its own, so that a lost server's calls fail only
// once ZeroMQ has let go of the memory they lent it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace rcl::icd {

class SendLatch {
 public:
  // Frames counted here count in `also` too (set before the first add).
  void chain(SendLatch* also) { also_ = also; }
  void add() {
    if (also_ != nullptr) also_->add();
    std::lock_guard lock(mutex_);
    ++pending_;
  }
  void done() {
    // `also` first: once this count reaches zero, its waiter may destroy it.
    if (also_ != nullptr) also_->done();
    std::lock_guard lock(mutex_);
    if (--pending_ == 0) zero_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    zero_.wait(lock, [this] { return pending_ == 0; });
  }
  // false if frames are still held after `timeout`.
  bool waitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return zero_.wait_for(lock, timeout, [this] { return pending_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  std::size_t pending_ = 0;
  SendLatch* also_ = nullptr;
};

}  // namespace rcl::icd
