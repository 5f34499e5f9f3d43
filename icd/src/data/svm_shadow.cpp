#include "rcl/icd/data/svm_shadow.h"

#include <map>
#include <mutex>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

namespace rcl::icd {
namespace {

std::uintptr_t pageSize() {
  static const auto size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

void* mapAnonymous(void* at, std::size_t length, int extraFlags) {
  return ::mmap(at, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | extraFlags, -1, 0);
}

// Maps pages at exactly `at`, never over a mapping that is there (kernels
// older than 4.17 take MAP_FIXED_NOREPLACE as a hint: a mapping elsewhere is undone).
bool mapFixed(std::uintptr_t at, std::size_t length) {
  void* wanted = reinterpret_cast<void*>(at);
  void* got = mapAnonymous(wanted, length, MAP_FIXED_NOREPLACE);
  if (got == MAP_FAILED) return false;
  if (got != wanted) {
    ::munmap(got, length);
    return false;
  }
  return true;
}

// The pages shadows hold at servers' addresses. A shadow's first and last
// page may hold other allocations too (the server's heap packs them): those
// are counted; the pages between are its own.
class FixedPages {
 public:
  // Claims the pages from `first` to `last` (page addresses, inclusive).
  bool claim(std::uintptr_t first, std::uintptr_t last) {
    std::lock_guard lock(mutex_);
    std::vector<std::uintptr_t> counted;
    auto claimEdge = [&](std::uintptr_t page) {
      if (auto it = shared_.find(page); it != shared_.end()) {
        ++it->second;
      } else {
        if (!mapFixed(page, pageSize())) return false;
        shared_[page] = 1;
      }
      counted.push_back(page);
      return true;
    };
    bool ok = claimEdge(first) && (last == first || claimEdge(last));
    if (ok && last - first > pageSize()) ok = mapFixed(first + pageSize(), last - first - pageSize());
    if (!ok)
      for (std::uintptr_t page : counted) releaseEdge(page);
    return ok;
  }

  void release(std::uintptr_t first, std::uintptr_t last) {
    std::lock_guard lock(mutex_);
    releaseEdge(first);
    if (last != first) releaseEdge(last);
    if (last - first > pageSize()) ::munmap(reinterpret_cast<void*>(first + pageSize()), last - first - pageSize());
  }

 private:
  void releaseEdge(std::uintptr_t page) {
    auto it = shared_.find(page);
    if (it == shared_.end() || --it->second != 0) return;
    ::munmap(reinterpret_cast<void*>(page), pageSize());
    shared_.erase(it);
  }

  std::mutex mutex_;
  std::map<std::uintptr_t, std::uint32_t> shared_;  // edge page -> shadows holding it
};

FixedPages& fixedPages() {
  static FixedPages pages;
  return pages;
}

std::uintptr_t pageOf(std::uintptr_t address) { return address & ~(pageSize() - 1); }

}  // namespace

Shadow::Shadow(Key, unsigned char* base, std::size_t size, bool fixed, std::uintptr_t mapStart, std::size_t mapLength)
    : base_(base), size_(size), fixed_(fixed), mapStart_(mapStart), mapLength_(mapLength) {}

std::unique_ptr<Shadow> Shadow::place(std::uint64_t address, std::size_t size) {
  if (size == 0 || address == 0 || address + size < address) return nullptr;
  const auto start = static_cast<std::uintptr_t>(address);
  const std::uintptr_t first = pageOf(start);
  const std::uintptr_t last = pageOf(start + size - 1);
  if (fixedPages().claim(first, last))
    return std::make_unique<Shadow>(Key{}, reinterpret_cast<unsigned char*>(start), size, true, 0, 0);
  // Anywhere, at the same offset in its first page (so alignments hold).
  const std::size_t length = last - first + pageSize();
  void* mapped = mapAnonymous(nullptr, length, 0);
  if (mapped == MAP_FAILED) return nullptr;
  const auto mapStart = reinterpret_cast<std::uintptr_t>(mapped);
  auto* base = reinterpret_cast<unsigned char*>(mapStart + (start - first));
  return std::make_unique<Shadow>(Key{}, base, size, false, mapStart, length);
}

Shadow::~Shadow() {
  if (!fixed_) {
    ::munmap(reinterpret_cast<void*>(mapStart_), mapLength_);
    return;
  }
  const auto start = reinterpret_cast<std::uintptr_t>(base_);
  fixedPages().release(pageOf(start), pageOf(start + size_ - 1));
}

}  // namespace rcl::icd
