// Host memory for the client's emulated maps (custom_map.cpp). A big block
// that comes back is kept for the next map of that size, so mapping the same
// region again does not pay for fresh pages (their faults cost more than the
// copy itself); at most kKeptBytes are kept.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>

namespace rcl::icd {

class MappingMemory {
 public:
  MappingMemory() = default;
  ~MappingMemory();
  MappingMemory(const MappingMemory&) = delete;
  MappingMemory& operator=(const MappingMemory&) = delete;

  // At least `size` bytes, 128-byte aligned; given back (or freed) when the last owner lets go.
  std::shared_ptr<void> take(std::size_t size);

  static constexpr std::size_t kKeptFrom = std::size_t{1} << 20;  // smaller blocks are not kept
  static constexpr std::size_t kKeptBytes = std::size_t{256} << 20;

 private:
  void giveBack(void* block, std::size_t size);

  std::mutex mutex_;
  std::multimap<std::size_t, void*> kept_;  // by size
  std::size_t keptBytes_ = 0;
};

}  // namespace rcl::icd
