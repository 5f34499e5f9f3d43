#include "rcl/icd/data/svm_ranges.h"

#include <algorithm>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/objects/lifetime.h"

namespace rcl::icd {

SvmAllocation::SvmAllocation(std::unique_ptr<Shadow> memory, std::size_t bytes, std::uint64_t address, cl_context owner)
    : shadow(std::move(memory)), size(bytes), server(address), context(owner), connection(owner->connection) {
  hold(context);
}

SvmAllocation::~SvmAllocation() { unhold(context); }

bool SvmAllocation::holds(const void* p, std::size_t n) const {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  const auto start = reinterpret_cast<std::uintptr_t>(base());
  if (at < start) return false;
  const std::uintptr_t offset = at - start;
  return offset < size && n <= size - offset;
}

void SvmAllocation::addMapping(const Mapping& mapping) {
  std::lock_guard lock(mapMutex_);
  mappings_.push_back(mapping);
}

std::optional<SvmAllocation::Mapping> SvmAllocation::takeMapping(const void* pointer) {
  std::lock_guard lock(mapMutex_);
  const auto it = std::find_if(mappings_.rbegin(), mappings_.rend(),
                               [pointer](const Mapping& m) { return m.pointer == pointer; });
  if (it == mappings_.rend()) return std::nullopt;
  Mapping found = *it;
  mappings_.erase(std::next(it).base());
  return found;
}

SvmRanges& SvmRanges::instance() {
  // Process-wide: an SVM pointer names one allocation whatever server it is on.
  static SvmRanges ranges;
  return ranges;
}

void SvmRanges::add(SvmRef allocation) {
  std::unique_lock lock(mutex_);
  byBase_[reinterpret_cast<std::uintptr_t>(allocation->base())] = std::move(allocation);
}

SvmRef SvmRanges::find(const void* p) const {
  std::shared_lock lock(mutex_);
  auto it = byBase_.upper_bound(reinterpret_cast<std::uintptr_t>(p));
  if (it == byBase_.begin()) return nullptr;
  --it;
  return it->second->holds(p, 0) ? it->second : nullptr;
}

SvmRef SvmRanges::startingAt(const void* p) const {
  std::shared_lock lock(mutex_);
  const auto it = byBase_.find(reinterpret_cast<std::uintptr_t>(p));
  return it == byBase_.end() ? nullptr : it->second;
}

SvmRef SvmRanges::take(const void* p) {
  std::unique_lock lock(mutex_);
  const auto it = byBase_.find(reinterpret_cast<std::uintptr_t>(p));
  if (it == byBase_.end()) return nullptr;
  SvmRef found = std::move(it->second);
  byBase_.erase(it);
  return found;
}

std::shared_ptr<SvmAllocation> Call::svm(const void* p, std::size_t size, cl_int error) {
  auto a = svmAllocation(p, size, error);
  if (failed()) return nullptr;
  if (a == nullptr) writer_.nil();
  else writer_.u64(a->serverAddress(p));
  return a;
}

std::optional<std::uint64_t> Call::svmAddress(const void* p, std::size_t size, cl_int error) {
  const auto a = svmAllocation(p, size, error);
  if (a == nullptr) return std::nullopt;
  return a->serverAddress(p);
}

std::shared_ptr<SvmAllocation> Call::svmAllocation(const void* p, std::size_t size, cl_int error) {
  if (failed() || p == nullptr) return nullptr;
  SvmRef a = SvmRanges::instance().find(p);
  if (a == nullptr || !a->holds(p, size) || (context_ != nullptr && a->context != context_)) {
    fail(error);
    return nullptr;
  }
  if (!useConnection(a->connection)) return nullptr;
  return a;
}

}  // namespace rcl::icd
