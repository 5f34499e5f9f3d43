// Where proxies live. A released proxy is not freed at once: it stays dead
// (and recognisably so) in a quarantine, so a call on a released handle gets
// the right error instead of touching freed memory. Memory is bounded by the
// peak number of live objects plus the quarantine.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

namespace rcl::icd {

template <class T>
class ObjectPool {
 public:
  static constexpr std::size_t kQuarantine = 4096;

  T* allocate() {
    std::lock_guard lock(mutex_);
    if (free_.size() > kQuarantine) {
      T* p = free_.front();
      free_.pop_front();
      std::destroy_at(p);
      std::construct_at(p);
      return p;
    }
    all_.push_back(std::make_unique<T>());
    return all_.back().get();
  }

  void recycle(T* p) {
    std::lock_guard lock(mutex_);
    free_.push_back(p);
  }

 private:
  std::mutex mutex_;
  std::deque<std::unique_ptr<T>> all_;
  std::deque<T*> free_;
};

}  // namespace rcl::icd
