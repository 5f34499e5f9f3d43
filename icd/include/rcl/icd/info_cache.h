// Platform and device information, kept after its first query: it never
// changes, and tools like clinfo ask for all of it, twice.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include <CL/cl.h>

namespace rcl::icd {

struct Object;

class InfoCache {
 public:
  bool find(const Object* object, cl_uint param, std::vector<unsigned char>& value) {
    std::lock_guard lock(mutex_);
    const auto it = values_.find({object, param});
    if (it == values_.end()) return false;
    value = it->second;
    return true;
  }
  void store(const Object* object, cl_uint param, const std::vector<unsigned char>& value) {
    std::lock_guard lock(mutex_);
    values_[{object, param}] = value;
  }
  // Everything kept about `object` (a device that now stands for another one).
  void forget(const Object* object) {
    std::lock_guard lock(mutex_);
    values_.erase(values_.lower_bound({object, 0}), values_.upper_bound({object, ~cl_uint{0}}));
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<const Object*, cl_uint>, std::vector<unsigned char>> values_;
};

}  // namespace rcl::icd
