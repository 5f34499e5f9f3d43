// The bookkeeping of SVM on both sides: the server's per-session allocations
// (what an address may touch) and the client's shadows (placed at the
// server's address, sharing pages the server's heap shares).
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "rcl/icd/data/svm_shadow.h"
#include "rcl/server/session/svm_allocations.h"

namespace rcl {
namespace {

using server::CallError;
using server::SvmAllocations;

void* fake(std::uintptr_t address) { return reinterpret_cast<void*>(address); }

cl_int refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const CallError& e) {
    return e.status();
  }
  return CL_SUCCESS;
}

TEST(SvmAllocations, AnAddressMustLieInOneAllocationForAllItsBytes) {
  SvmAllocations svm;
  svm.add({fake(0x10000), 100, nullptr});
  svm.add({fake(0x20000), 50, nullptr});
  EXPECT_EQ(svm.bytes(), 150u);
  EXPECT_EQ(svm.count(), 2u);
  EXPECT_EQ(svm.holding(0x10000, 100).base, fake(0x10000));
  EXPECT_EQ(svm.holding(0x10063, 1).base, fake(0x10000));
  EXPECT_EQ(svm.holding(0x20010, 0).base, fake(0x20000));
  EXPECT_EQ(refusal([&] { svm.holding(0x10000, 101); }), CL_INVALID_VALUE) << "past the end";
  EXPECT_EQ(refusal([&] { svm.holding(0x10064, 0); }), CL_INVALID_VALUE) << "just past the end";
  EXPECT_EQ(refusal([&] { svm.holding(0xfff0, 4); }), CL_INVALID_VALUE) << "before the first";
  EXPECT_EQ(refusal([&] { svm.holding(0x10050, ~std::size_t{0}); }), CL_INVALID_VALUE) << "a size that wraps";
  EXPECT_EQ(refusal([&] { svm.holding(0x30000, 1, CL_INVALID_ARG_VALUE); }), CL_INVALID_ARG_VALUE);
  EXPECT_EQ(refusal([&] { svm.startingAt(0x10004); }), CL_INVALID_VALUE) << "inside is not the start";
  EXPECT_FALSE(svm.take(0x10004).has_value());
  ASSERT_TRUE(svm.take(0x10000).has_value());
  EXPECT_EQ(svm.bytes(), 50u);
  EXPECT_EQ(refusal([&] { svm.holding(0x10000, 1); }), CL_INVALID_VALUE) << "freed";
  EXPECT_EQ(svm.takeAll().size(), 1u);
  EXPECT_EQ(svm.bytes(), 0u);
}

// A free stretch of address space (reserved, then given back) for shadows to be placed in.
std::uintptr_t freeAddresses(std::size_t length) {
  void* p = ::mmap(nullptr, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EXPECT_NE(p, MAP_FAILED);
  ::munmap(p, length);
  return reinterpret_cast<std::uintptr_t>(p);
}

TEST(SvmShadow, SitsAtTheServersAddressAndSharesPagesWithItsNeighbours) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const std::uintptr_t at = freeAddresses(8 * page);
  // Three allocations packed like a heap's: two in one page, one across a page boundary.
  auto a = icd::Shadow::place(at + 16, 64);
  auto b = icd::Shadow::place(at + 128, 256);
  auto c = icd::Shadow::place(at + page - 32, 2 * page);
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(a->atServerAddress());
  EXPECT_TRUE(b->atServerAddress());
  EXPECT_TRUE(c->atServerAddress());
  EXPECT_EQ(a->base(), reinterpret_cast<unsigned char*>(at + 16));
  std::memset(a->base(), 1, 64);
  std::memset(b->base(), 2, 256);
  std::memset(c->base(), 3, 2 * page);
  // Dropping one keeps the shared page for the others.
  a.reset();
  EXPECT_EQ(b->base()[255], 2);
  EXPECT_EQ(c->base()[0], 3);
  b.reset();
  EXPECT_EQ(c->base()[2 * page - 1], 3);
  c.reset();
  // All gone: the address is free again, and a new shadow can sit there.
  auto again = icd::Shadow::place(at, page);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->atServerAddress());
}

TEST(SvmShadow, GoesElsewhereWhenTheAddressIsTaken) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> mine(4 * page);  // memory of the client's own
  const auto taken = reinterpret_cast<std::uintptr_t>(mine.data()) + page + 40;
  auto shadow = icd::Shadow::place(taken, 100);
  ASSERT_TRUE(shadow);
  EXPECT_FALSE(shadow->atServerAddress());
  EXPECT_NE(reinterpret_cast<std::uintptr_t>(shadow->base()), taken);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(shadow->base()) % page, taken % page) << "same offset in its page";
  std::memset(shadow->base(), 7, 100);
  EXPECT_EQ(icd::Shadow::place(0, 10), nullptr);
  EXPECT_EQ(icd::Shadow::place(taken, 0), nullptr);
}

}  // namespace
}  // namespace rcl
