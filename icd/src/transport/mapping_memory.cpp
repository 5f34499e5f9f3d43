#include "rcl/icd/transport/mapping_memory.h"

#include <algorithm>
#include <cstdlib>

namespace rcl::icd {

namespace {
// Blocks of a size class are interchangeable: 128 bytes for small ones, 1 MiB for kept ones.
std::size_t sizeClass(std::size_t size) {
  const std::size_t unit = size >= MappingMemory::kKeptFrom ? MappingMemory::kKeptFrom : 128;
  return (std::max<std::size_t>(size, 1) + unit - 1) / unit * unit;
}
}  // namespace

MappingMemory::~MappingMemory() {
  for (auto& [size, block] : kept_) std::free(block);
}

std::shared_ptr<void> MappingMemory::take(std::size_t size) {
  const std::size_t bytes = sizeClass(size);
  if (bytes < kKeptFrom) return std::shared_ptr<void>(std::aligned_alloc(128, bytes), std::free);
  void* block = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (auto it = kept_.find(bytes); it != kept_.end()) {
      block = it->second;
      kept_.erase(it);
      keptBytes_ -= bytes;
    }
  }
  if (block == nullptr) block = std::aligned_alloc(128, bytes);
  if (block == nullptr) return nullptr;
  return std::shared_ptr<void>(block, [this, bytes](void* b) { giveBack(b, bytes); });
}

void MappingMemory::giveBack(void* block, std::size_t size) {
  {
    std::lock_guard lock(mutex_);
    if (keptBytes_ + size <= kKeptBytes) {
      kept_.emplace(size, block);
      keptBytes_ += size;
      return;
    }
  }
  std::free(block);
}

}  // namespace rcl::icd
