// Threads for calls that block (clFinish): reused, grown on demand, so one
// blocking call never holds up another and no thread is made per call.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rcl::server {

class BlockingPool {
 public:
  BlockingPool() = default;
  ~BlockingPool();  // waits for every job
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  void run(std::function<void()> job);
  // Waits for every job so far.
  void drain();

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t waiting_ = 0;  // threads waiting for a job
  std::size_t running_ = 0;  // jobs being run
  bool stopping_ = false;
};

}  // namespace rcl::server
