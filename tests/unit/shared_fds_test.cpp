// SharedFdsInFlight (icd/include/rcl/icd/objects/shared_buffer.h): a posted
// shared buffer's memfd stays open until a reply to a call sent after its
// creation came, and only those added before the call's mark close.

#include <gtest/gtest.h>
#include <fcntl.h>

#include <memory>
#include <vector>

#include "rcl/icd/objects/shared_buffer.h"

namespace rcl::icd {
namespace {

bool isOpen(int fd) { return fd >= 0 && ::fcntl(fd, F_GETFD) != -1; }

TEST(SharedFdsInFlight, ClosesOnlyTheDescriptorsAddedBeforeTheMark) {
  SharedFdsInFlight inFlight;
  auto first = SharedBuffer::create(4096);
  auto second = SharedBuffer::create(4096);
  ASSERT_TRUE(first && second) << "no memfd";
  const int firstFd = first->fd(), secondFd = second->fd();
  inFlight.add(first);
  const auto mark = inFlight.mark();  // a sync call sent after the first creation
  inFlight.add(second);
  inFlight.settled(mark);
  EXPECT_EQ(first->fd(), -1) << "the first memfd stayed open after a later call's reply";
  EXPECT_FALSE(isOpen(firstFd)) << "the first memfd's descriptor is still open";
  EXPECT_EQ(second->fd(), secondFd) << "the second memfd closed before a reply to a later call";
  EXPECT_TRUE(isOpen(secondFd));
  inFlight.settled(inFlight.mark());
  EXPECT_EQ(second->fd(), -1);
  EXPECT_NE(first->bytes(), nullptr) << "the mapping goes with the buffer, not with the descriptor";
}

TEST(SharedFdsInFlight, IsFullAtItsLimit) {
  SharedFdsInFlight inFlight;
  std::vector<std::shared_ptr<SharedBuffer>> buffers;
  for (std::size_t i = 0; i < SharedFdsInFlight::kMost; ++i) {
    EXPECT_FALSE(inFlight.full()) << i << " waiting";
    buffers.push_back(SharedBuffer::create(4096));
    ASSERT_TRUE(buffers.back()) << "no memfd";
    inFlight.add(buffers.back());
  }
  EXPECT_TRUE(inFlight.full());
  inFlight.settled(inFlight.mark());
  EXPECT_FALSE(inFlight.full());
  for (const auto& b : buffers) EXPECT_EQ(b->fd(), -1);
}

}  // namespace
}  // namespace rcl::icd
