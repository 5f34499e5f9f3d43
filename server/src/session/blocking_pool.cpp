#include "rcl/server/session/blocking_pool.h"

namespace rcl::server {

BlockingPool::~BlockingPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void BlockingPool::run(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  jobs_.push_back(std::move(job));
  if (waiting_ < jobs_.size()) threads_.emplace_back([this] { work(); });
  ready_.notify_one();
}

void BlockingPool::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return jobs_.empty() && running_ == 0; });
}

void BlockingPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++waiting_;
    ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    --waiting_;
    if (jobs_.empty()) return;  // stopping
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    ++running_;
    lock.unlock();
    job();
    lock.lock();
    --running_;
    if (jobs_.empty() && running_ == 0) idle_.notify_all();
  }
}

}  // namespace rcl::server
