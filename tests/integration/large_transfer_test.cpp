// Large buffer transfers (remotely on the same host: through shared memory,
// in slots of 8 MiB): sizes that are no multiple of a slot, offsets,
// non-blocking writes from memory changed once they completed, writes held
// back by a user event, and two threads moving data at once.

#include <cstdint>
#include <thread>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

using LargeTransferTest = ClTest;

constexpr size_t kMiB = size_t{1} << 20;

std::vector<uint8_t> pattern(size_t size, uint32_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>((i * 131 + i / 8191 + seed) & 0xff);
  return bytes;
}

TEST_F(LargeTransferTest, SizesThatAreNoMultipleOfASlotAndOffsets) {
  const size_t bufferSize = 3 * 8 * kMiB + 12345;
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, bufferSize, nullptr, &buffer));
  const auto whole = pattern(bufferSize, 1);
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_TRUE, 0, bufferSize, whole.data(), 0, nullptr, nullptr));
  // Overwrite a middle part at an odd offset, then read overlapping ranges.
  const size_t at = 4097, size = 2 * 8 * kMiB + 777;
  const auto middle = pattern(size, 9);
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_TRUE, at, size, middle.data(), 0, nullptr, nullptr));
  auto expected = whole;
  std::copy(middle.begin(), middle.end(), expected.begin() + static_cast<std::ptrdiff_t>(at));
  std::vector<uint8_t> back(bufferSize, 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, bufferSize, back.data(), 0, nullptr, nullptr));
  EXPECT_TRUE(back == expected);
  const size_t readAt = 8 * kMiB - 3, readSize = 8 * kMiB + 5;
  std::vector<uint8_t> part(readSize, 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, readAt, readSize, part.data(), 0, nullptr, nullptr));
  EXPECT_TRUE(std::equal(part.begin(), part.end(), expected.begin() + static_cast<std::ptrdiff_t>(readAt)));
}

TEST_F(LargeTransferTest, NonBlockingTransfersCompleteWithTheirBytes) {
  const size_t size = 40 * kMiB + 3;
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, size, nullptr, &buffer));
  auto data = pattern(size, 5);
  const auto original = data;
  Event written;
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_FALSE, 0, size, data.data(), 0, nullptr, written.out()));
  CL_CHECK(clWaitForEvents(1, written.address()));
  std::fill(data.begin(), data.end(), uint8_t{0xee});  // the write is complete: the memory is the application's
  std::vector<uint8_t> back(size, 0);
  Event read;
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_FALSE, 0, size, back.data(), 1, written.address(), read.out()));
  CL_CHECK(clWaitForEvents(1, read.address()));
  cl_int status = CL_QUEUED;
  CL_CHECK(clGetEventInfo(read, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr));
  EXPECT_EQ(status, CL_COMPLETE);
  EXPECT_TRUE(back == original);
}

TEST_F(LargeTransferTest, AWriteHeldBackByAUserEventWaitsForIt) {
  const size_t size = 100 * kMiB + 11;  // more than the shared memory holds at once
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, size, nullptr, &buffer));
  const auto zeros = std::vector<uint8_t>(size, 0);
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_TRUE, 0, size, zeros.data(), 0, nullptr, nullptr));
  cl_int error = CL_SUCCESS;
  Event gate(clCreateUserEvent(context_, &error));
  CL_CHECK(error);
  const auto data = pattern(size, 3);
  Event written;
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_FALSE, 0, size, data.data(), 1, gate.address(), written.out()));
  std::vector<uint8_t> back(size, 1);
  Event read;
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_FALSE, 0, size, back.data(), 1, written.address(), read.out()));
  CL_CHECK(clSetUserEventStatus(gate, CL_COMPLETE));
  CL_CHECK(clWaitForEvents(1, read.address()));
  EXPECT_TRUE(back == data);
}

TEST_F(LargeTransferTest, TwoThreadsTransferAtOnce) {
  const size_t size = 24 * kMiB + 99;
  Mem buffers[2];
  for (auto& b : buffers) ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, size, nullptr, &b));
  cl_int error = CL_SUCCESS;
  CommandQueue second = createQueue(context_, device_, 0, &error);
  CL_CHECK(error);
  bool ok[2] = {false, false};
  auto work = [&](int t, cl_command_queue queue) {
    bool good = true;
    for (uint32_t round = 0; round < 3 && good; ++round) {
      const auto data = pattern(size, round * 2 + static_cast<uint32_t>(t));
      std::vector<uint8_t> back(size, 0);
      good = clEnqueueWriteBuffer(queue, buffers[t], CL_FALSE, 0, size, data.data(), 0, nullptr, nullptr) ==
                 CL_SUCCESS &&
             clEnqueueReadBuffer(queue, buffers[t], CL_TRUE, 0, size, back.data(), 0, nullptr, nullptr) ==
                 CL_SUCCESS &&
             back == data;
    }
    ok[t] = good;
  };
  std::thread other(work, 1, static_cast<cl_command_queue>(second));
  work(0, queue_);
  other.join();
  EXPECT_TRUE(ok[0]);
  EXPECT_TRUE(ok[1]);
}

}  // namespace
}  // namespace rcl::test
