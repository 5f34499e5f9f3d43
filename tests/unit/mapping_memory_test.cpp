// The client's host memory for emulated maps: big blocks come back for the
// next map of their size class, small ones are not kept, and what is kept
// stays under the cap.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "rcl/icd/transport/mapping_memory.h"

namespace rcl::icd {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

TEST(MappingMemory, ABigBlockComesBackForTheNextMapOfItsSize) {
  MappingMemory memory;
  void* first = nullptr;
  {
    auto block = memory.take(16 * kMiB);
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block.get()) % 128, 0u);
    std::memset(block.get(), 1, 16 * kMiB);
    first = block.get();
  }
  auto again = memory.take(16 * kMiB - 100);  // the same 1 MiB size class
  EXPECT_EQ(again.get(), first);
  auto other = memory.take(16 * kMiB);  // the kept one is in use
  EXPECT_NE(other.get(), first);
}

TEST(MappingMemory, SmallBlocksAreNotKept) {
  MappingMemory memory;
  auto block = memory.take(4096);
  ASSERT_NE(block, nullptr);
  std::memset(block.get(), 1, 4096);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block.get()) % 128, 0u);
}

TEST(MappingMemory, WhatIsKeptStaysUnderTheCap) {
  MappingMemory memory;
  const std::size_t size = 96 * kMiB;  // three fit under 256 MiB only twice
  std::vector<std::shared_ptr<void>> blocks;
  std::vector<void*> addresses;
  for (int i = 0; i < 3; ++i) {
    blocks.push_back(memory.take(size));
    addresses.push_back(blocks.back().get());
  }
  blocks.clear();  // two are kept, the third freed
  std::vector<std::shared_ptr<void>> again;
  int reused = 0;
  for (int i = 0; i < 3; ++i) {
    again.push_back(memory.take(size));
    for (void* a : addresses) reused += again.back().get() == a ? 1 : 0;
  }
  EXPECT_LE(reused, 3);
  EXPECT_GE(reused, 2);
  static_assert(2 * 96 * kMiB <= MappingMemory::kKeptBytes && 3 * 96 * kMiB > MappingMemory::kKeptBytes);
}

}  // namespace
}  // namespace rcl::icd
