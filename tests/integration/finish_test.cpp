// clFinish after writes: what it finished is seen by the context's other
// queues, and a write that waits for an event is waited for. (Remotely a
// clFinish after small writes is sent without waiting, icd clFinish: the
// server finishes the queue before it reads the calls after it.)

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kGateDelay = 100ms;

class FinishTest : public ClTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ClTest::SetUp());
    cl_int error = CL_SUCCESS;
    other_.reset(clCreateCommandQueue(context_, device_, 0, &error));
    CL_CHECK(error);
  }

  // `buffer`'s first `size` bytes, read through the other queue.
  std::vector<std::uint8_t> readOnOtherQueue(cl_mem buffer, size_t size) {
    std::vector<std::uint8_t> back(size, 0xee);
    EXPECT_EQ(clEnqueueReadBuffer(other_, buffer, CL_TRUE, 0, size, back.data(), 0, nullptr, nullptr), CL_SUCCESS);
    return back;
  }

  static std::vector<std::uint8_t> pattern(size_t size, int round) {
    std::vector<std::uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + round * 13);
    return bytes;
  }

  CommandQueue other_;
};

// Round after round, a write (small, or up to 1 MiB: copied remotely when
// not through shared memory), clFinish, then a copy and a read on another
// queue: each round's bytes, never the round before's.
TEST_F(FinishTest, WritesFinishedOnOneQueueAreSeenByAnother) {
  for (const size_t size : {size_t{4096}, size_t{512} << 10}) {
    Mem source, copy;
    ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, size, nullptr, &source));
    ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, size, nullptr, &copy));
    for (int round = 0; round < 20; ++round) {
      auto bytes = pattern(size, round);
      CL_CHECK(clEnqueueWriteBuffer(queue_, source, CL_FALSE, 0, size, bytes.data(), 0, nullptr, nullptr));
      CL_CHECK(clFinish(queue_));
      const auto written = bytes;
      std::fill(bytes.begin(), bytes.end(), 0xaa);  // the write is done: its memory is the application's again
      CL_CHECK(clEnqueueCopyBuffer(other_, source, copy, 0, 0, size, 0, nullptr, nullptr));
      ASSERT_EQ(readOnOtherQueue(copy, size), written) << size << " bytes, round " << round;
    }
  }
}

// Writes into a buffer made from host memory (a shared buffer on the same
// host, remotely), small and large, each finished, read on another queue.
TEST_F(FinishTest, WritesIntoABufferOfHostMemoryFinishedAreSeenByAnotherQueue) {
  constexpr size_t kSize = 256 << 10;
  std::vector<std::uint8_t> initial(kSize, 1);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, initial.data(), &buffer));
  std::vector<std::uint8_t> expected = initial;
  int round = 0;
  for (const size_t size : {size_t{4096}, size_t{128} << 10, size_t{64}, kSize}) {
    const auto bytes = pattern(size, ++round);
    CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_FALSE, 0, size, bytes.data(), 0, nullptr, nullptr));
    CL_CHECK(clFinish(queue_));
    std::copy(bytes.begin(), bytes.end(), expected.begin());
    ASSERT_EQ(readOnOtherQueue(buffer, kSize), expected) << "after a write of " << size << " bytes";
  }
}

// A write behind a user event, then a small one: clFinish returns only once
// the event is set (from another thread), with both written.
TEST_F(FinishTest, FinishWaitsForAWriteBehindAUserEvent) {
  constexpr size_t kSize = 4096;
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 2 * kSize, nullptr, &buffer));
  cl_int error = CL_SUCCESS;
  Event gate(clCreateUserEvent(context_, &error));
  CL_CHECK(error);
  const auto first = pattern(kSize, 1);
  const auto second = pattern(kSize, 2);
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_FALSE, 0, kSize, first.data(), 1, gate.address(), nullptr));
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_FALSE, kSize, kSize, second.data(), 0, nullptr, nullptr));
  std::thread opener([event = gate.get()] {
    std::this_thread::sleep_for(kGateDelay);
    clSetUserEventStatus(event, CL_COMPLETE);
  });
  const auto start = std::chrono::steady_clock::now();
  const cl_int finished = clFinish(queue_);
  const auto waited = std::chrono::steady_clock::now() - start;
  opener.join();
  CL_CHECK(finished);
  EXPECT_GE(waited, kGateDelay / 2) << "clFinish returned before the gated write ran";
  std::vector<std::uint8_t> expected = first;
  expected.insert(expected.end(), second.begin(), second.end());
  EXPECT_EQ(readOnOtherQueue(buffer, 2 * kSize), expected);
}

}  // namespace
}  // namespace rcl::test
