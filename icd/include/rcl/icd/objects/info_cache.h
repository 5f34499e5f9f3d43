// Platform and device information, kept after its first query: it never
// changes, and tools like clinfo ask for all of it, twice. A device's whole
// information comes at its first query (protocol/device_info.h), refusals
// included.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include <CL/cl.h>

namespace rcl::icd {

struct Object;

class InfoCache {
 public:
  // A value kept (CL_SUCCESS, `value` set) or a refusal kept (its status);
  // nullopt-like false: nothing known.
  bool find(const Object* object, cl_uint param, std::vector<unsigned char>& value, cl_int& status) {
    std::lock_guard lock(mutex_);
    const auto it = values_.find({object, param});
    if (it == values_.end()) return false;
    value = it->second.value;
    status = it->second.status;
    return true;
  }
  void store(const Object* object, cl_uint param, const std::vector<unsigned char>& value) {
    std::lock_guard lock(mutex_);
    values_[{object, param}] = Entry{CL_SUCCESS, value};
  }
  void storeRefusal(const Object* object, cl_uint param, cl_int status) {
    std::lock_guard lock(mutex_);
    values_[{object, param}] = Entry{status, {}};
  }
  // Whether `object`'s whole information was asked for (whatever came of it).
  bool askedAll(const Object* object) {
    std::lock_guard lock(mutex_);
    return askedAll_.count(object) != 0;
  }
  void setAskedAll(const Object* object) {
    std::lock_guard lock(mutex_);
    askedAll_.insert(object);
  }
  // Everything kept about `object` (a device that now stands for another one).
  void forget(const Object* object) {
    std::lock_guard lock(mutex_);
    values_.erase(values_.lower_bound({object, 0}), values_.upper_bound({object, ~cl_uint{0}}));
    askedAll_.erase(object);
  }

 private:
  struct Entry {
    cl_int status = CL_SUCCESS;
    std::vector<unsigned char> value;
  };
  std::mutex mutex_;
  std::map<std::pair<const Object*, cl_uint>, Entry> values_;
  std::set<const Object*> askedAll_;
};

}  // namespace rcl::icd
