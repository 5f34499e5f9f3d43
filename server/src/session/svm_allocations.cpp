#include "rcl/server/session/svm_allocations.h"

namespace rcl::server {

void SvmAllocations::add(const Allocation& allocation) {
  byBase_[reinterpret_cast<std::uintptr_t>(allocation.base)] = allocation;
  bytes_ += allocation.size;
}

const SvmAllocations::Allocation& SvmAllocations::holding(std::uint64_t address, std::size_t size,
                                                          cl_int error) const {
  auto it = byBase_.upper_bound(static_cast<std::uintptr_t>(address));
  if (it != byBase_.begin()) {
    --it;
    const std::uint64_t offset = address - it->first;
    const std::size_t extent = it->second.size;
    // Overflow-free: the address is inside, then the bytes after it fit.
    if (offset < extent && size <= extent - offset) return it->second;
  }
  throw CallError(error, "an SVM address outside the session's allocations");
}

const SvmAllocations::Allocation& SvmAllocations::startingAt(std::uint64_t address) const {
  const auto it = byBase_.find(static_cast<std::uintptr_t>(address));
  if (it == byBase_.end()) throw CallError(CL_INVALID_VALUE, "not the start of an SVM allocation of the session");
  return it->second;
}

std::optional<SvmAllocations::Allocation> SvmAllocations::take(std::uint64_t address) {
  const auto it = byBase_.find(static_cast<std::uintptr_t>(address));
  if (it == byBase_.end()) return std::nullopt;
  Allocation a = it->second;
  bytes_ -= a.size;
  byBase_.erase(it);
  return a;
}

std::vector<SvmAllocations::Allocation> SvmAllocations::takeAll() {
  std::vector<Allocation> all;
  all.reserve(byBase_.size());
  for (const auto& [base, a] : byBase_) all.push_back(a);
  byBase_.clear();
  bytes_ = 0;
  return all;
}

void freeSvm(const SvmAllocations::Allocation& allocation) {
  ::clSVMFree(allocation.context, allocation.base);
  ::clReleaseContext(allocation.context);
}

}  // namespace rcl::server
