// Buffers: write/read (blocking and not), copy, fill, offsets, COPY_HOST_PTR, info, rect transfers.

#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

using BufferTest = ClTest;

std::vector<uint8_t> bytePattern(size_t size, uint8_t start) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(start + i * 7);
  return bytes;
}

TEST_F(BufferTest, BlockingWriteThenBlockingRead) {
  const std::vector<uint8_t> data = bytePattern(1000, 3);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, data.size(), nullptr, &buffer));
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_TRUE, 0, data.size(), data.data(), 0, nullptr, nullptr));
  std::vector<uint8_t> back(data.size(), 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, back.size(), back.data(), 0, nullptr, nullptr));
  EXPECT_EQ(back, data);
}

TEST_F(BufferTest, NonBlockingWriteAndReadCompleteAfterWait) {
  const std::vector<uint8_t> data = bytePattern(64 * 1024, 11);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, data.size(), nullptr, &buffer));
  Event written, read;
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_FALSE, 0, data.size(), data.data(), 0, nullptr, written.out()));
  std::vector<uint8_t> back(data.size(), 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_FALSE, 0, back.size(), back.data(), 1, written.address(),
                               read.out()));
  CL_CHECK(clWaitForEvents(1, read.address()));
  cl_int status = 0;
  CL_CHECK(queryInfo(&status, clGetEventInfo, written.get(), CL_EVENT_COMMAND_EXECUTION_STATUS));
  EXPECT_EQ(status, CL_COMPLETE);
  EXPECT_EQ(back, data);
}

TEST_F(BufferTest, WriteAndReadAtOffsets) {
  constexpr size_t kSize = 256;
  std::vector<uint8_t> zeros(kSize, 0);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, zeros.data(), &buffer));
  const std::vector<uint8_t> piece = bytePattern(50, 200);
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_TRUE, 100, piece.size(), piece.data(), 0, nullptr, nullptr));

  std::vector<uint8_t> whole(kSize, 0xff);
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, kSize, whole.data(), 0, nullptr, nullptr));
  std::vector<uint8_t> expected(kSize, 0);
  std::copy(piece.begin(), piece.end(), expected.begin() + 100);
  EXPECT_EQ(whole, expected);

  std::vector<uint8_t> part(20, 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 110, part.size(), part.data(), 0, nullptr, nullptr));
  EXPECT_EQ(part, std::vector<uint8_t>(piece.begin() + 10, piece.begin() + 30));
}

TEST_F(BufferTest, ReadPastTheEndIsInvalidValue) {
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 64, nullptr, &buffer));
  std::vector<uint8_t> host(128);
  CL_EXPECT_ERROR(CL_INVALID_VALUE,
                  clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 32, 64, host.data(), 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE,
                  clEnqueueWriteBuffer(queue_, buffer, CL_TRUE, 0, 65, host.data(), 0, nullptr, nullptr));
}

TEST_F(BufferTest, CopyBetweenBuffersWithOffsets) {
  const std::vector<uint8_t> source = bytePattern(512, 1);
  std::vector<uint8_t> zeros(512, 0);
  Mem from, to;
  ASSERT_NO_FATAL_FAILURE(
      bufferOrFail(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, source.size(), const_cast<uint8_t*>(source.data()), &from));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, zeros.size(), zeros.data(), &to));
  Event copied;
  CL_CHECK(clEnqueueCopyBuffer(queue_, from, to, 16, 300, 128, 0, nullptr, copied.out()));
  std::vector<uint8_t> back(512, 0xff);
  CL_CHECK(clEnqueueReadBuffer(queue_, to, CL_TRUE, 0, back.size(), back.data(), 1, copied.address(), nullptr));

  std::vector<uint8_t> expected(512, 0);
  std::copy(source.begin() + 16, source.begin() + 16 + 128, expected.begin() + 300);
  EXPECT_EQ(back, expected);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, copied.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_COPY_BUFFER));
}

TEST_F(BufferTest, OverlappingCopyWithinOneBufferIsRejected) {
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 256, nullptr, &buffer));
  CL_EXPECT_ERROR(CL_MEM_COPY_OVERLAP, clEnqueueCopyBuffer(queue_, buffer, buffer, 0, 64, 128, 0, nullptr, nullptr));
  CL_EXPECT(clEnqueueCopyBuffer(queue_, buffer, buffer, 0, 128, 128, 0, nullptr, nullptr));
  CL_EXPECT(clFinish(queue_));
}

TEST_F(BufferTest, FillWithOneTwoFourAndSixteenBytePatterns) {
  constexpr size_t kSize = 256;
  const std::vector<uint8_t> background(kSize, 0xAA);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(
      bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, const_cast<uint8_t*>(background.data()), &buffer));

  for (const size_t patternSize : {1u, 2u, 4u, 16u}) {
    SCOPED_TRACE("pattern of " + std::to_string(patternSize) + " bytes");
    CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_TRUE, 0, kSize, background.data(), 0, nullptr, nullptr));
    const std::vector<uint8_t> pattern = bytePattern(patternSize, static_cast<uint8_t>(0x10 * patternSize + 1));
    const size_t offset = 2 * patternSize;
    const size_t size = 8 * patternSize;
    Event filled;
    CL_CHECK(clEnqueueFillBuffer(queue_, buffer, pattern.data(), patternSize, offset, size, 0, nullptr, filled.out()));
    std::vector<uint8_t> back(kSize, 0);
    CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, kSize, back.data(), 1, filled.address(), nullptr));

    std::vector<uint8_t> expected = background;
    for (size_t i = 0; i < size; ++i) expected[offset + i] = pattern[i % patternSize];
    EXPECT_EQ(back, expected);
  }
}

TEST_F(BufferTest, FillRejectsPatternSizeThatIsNotAPowerOfTwo) {
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 96, nullptr, &buffer));
  const uint8_t pattern[3] = {1, 2, 3};
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clEnqueueFillBuffer(queue_, buffer, pattern, 3, 0, 96, 0, nullptr, nullptr));
}

TEST_F(BufferTest, CopyHostPtrInitialisesAndLeavesHostMemoryAlone) {
  std::vector<cl_int> initial(300);
  std::iota(initial.begin(), initial.end(), -150);
  const std::vector<cl_int> original = initial;
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, initial.size() * sizeof(cl_int),
                                       initial.data(), &buffer));
  std::fill(initial.begin(), initial.end(), 0);  // The buffer owns a copy now.
  const cl_int overwrite[2] = {1000, 2000};
  CL_CHECK(clEnqueueWriteBuffer(queue_, buffer, CL_TRUE, 10 * sizeof(cl_int), sizeof overwrite, overwrite, 0, nullptr,
                                nullptr));

  std::vector<cl_int> back(original.size(), 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, back.size() * sizeof(cl_int), back.data(), 0, nullptr,
                               nullptr));
  std::vector<cl_int> expected = original;
  expected[10] = 1000;
  expected[11] = 2000;
  EXPECT_EQ(back, expected);
  EXPECT_TRUE(std::all_of(initial.begin(), initial.end(), [](cl_int v) { return v == 0; }));
}

TEST_F(BufferTest, MemObjectInfoReportsSizeFlagsContextAndType) {
  constexpr size_t kSize = 4096;
  const cl_mem_flags flags = CL_MEM_READ_ONLY | CL_MEM_HOST_WRITE_ONLY;
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(flags, kSize, nullptr, &buffer));

  size_t size = 0;
  CL_CHECK(queryInfo(&size, clGetMemObjectInfo, buffer.get(), CL_MEM_SIZE));
  EXPECT_EQ(size, kSize);
  cl_mem_flags reportedFlags = 0;
  CL_CHECK(queryInfo(&reportedFlags, clGetMemObjectInfo, buffer.get(), CL_MEM_FLAGS));
  EXPECT_EQ(reportedFlags, flags);
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetMemObjectInfo, buffer.get(), CL_MEM_CONTEXT));
  EXPECT_EQ(context, context_.get());
  cl_mem_object_type type = 0;
  CL_CHECK(queryInfo(&type, clGetMemObjectInfo, buffer.get(), CL_MEM_TYPE));
  EXPECT_EQ(type, static_cast<cl_mem_object_type>(CL_MEM_OBJECT_BUFFER));
  void* hostPtr = reinterpret_cast<void*>(0x1);
  CL_CHECK(queryInfo(&hostPtr, clGetMemObjectInfo, buffer.get(), CL_MEM_HOST_PTR));
  EXPECT_EQ(hostPtr, nullptr);
  cl_mem parent = reinterpret_cast<cl_mem>(0x1);
  CL_CHECK(queryInfo(&parent, clGetMemObjectInfo, buffer.get(), CL_MEM_ASSOCIATED_MEMOBJECT));
  EXPECT_EQ(parent, nullptr);
}

TEST_F(BufferTest, ZeroSizeBufferIsInvalidBufferSize) {
  cl_int error = CL_SUCCESS;
  Mem buffer(clCreateBuffer(context_, CL_MEM_READ_WRITE, 0, nullptr, &error));
  EXPECT_EQ(buffer.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_BUFFER_SIZE, error);
}

// A 2D view: the buffer is kRows rows of kRowPitch bytes.
constexpr size_t kRowPitch = 32;
constexpr size_t kRows = 8;

TEST_F(BufferTest, WriteRectTouchesOnlyTheRegion) {
  const std::vector<uint8_t> background(kRowPitch * kRows, 0);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, background.size(),
                                       const_cast<uint8_t*>(background.data()), &buffer));
  // Host image: 10 bytes per row, 6 rows; copy a 5x3 block from host (2,1) to buffer (4,3).
  constexpr size_t kHostPitch = 10;
  const std::vector<uint8_t> host = bytePattern(kHostPitch * 6, 1);
  const size_t bufferOrigin[3] = {4, 3, 0};
  const size_t hostOrigin[3] = {2, 1, 0};
  const size_t region[3] = {5, 3, 1};
  CL_CHECK(clEnqueueWriteBufferRect(queue_, buffer, CL_TRUE, bufferOrigin, hostOrigin, region, kRowPitch, 0,
                                    kHostPitch, 0, host.data(), 0, nullptr, nullptr));

  std::vector<uint8_t> back(background.size(), 0xff);
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, back.size(), back.data(), 0, nullptr, nullptr));
  std::vector<uint8_t> expected = background;
  for (size_t row = 0; row < region[1]; ++row) {
    for (size_t col = 0; col < region[0]; ++col) {
      expected[(bufferOrigin[1] + row) * kRowPitch + bufferOrigin[0] + col] =
          host[(hostOrigin[1] + row) * kHostPitch + hostOrigin[0] + col];
    }
  }
  EXPECT_EQ(back, expected);
}

TEST_F(BufferTest, ReadRectExtractsTheRegion) {
  const std::vector<uint8_t> contents = bytePattern(kRowPitch * kRows, 5);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, contents.size(),
                                       const_cast<uint8_t*>(contents.data()), &buffer));
  constexpr size_t kHostPitch = 12;
  std::vector<uint8_t> host(kHostPitch * 5, 0);
  const size_t bufferOrigin[3] = {7, 2, 0};
  const size_t hostOrigin[3] = {1, 1, 0};
  const size_t region[3] = {9, 4, 1};
  Event read;
  CL_CHECK(clEnqueueReadBufferRect(queue_, buffer, CL_FALSE, bufferOrigin, hostOrigin, region, kRowPitch, 0,
                                   kHostPitch, 0, host.data(), 0, nullptr, read.out()));
  CL_CHECK(clWaitForEvents(1, read.address()));

  std::vector<uint8_t> expected(host.size(), 0);
  for (size_t row = 0; row < region[1]; ++row) {
    for (size_t col = 0; col < region[0]; ++col) {
      expected[(hostOrigin[1] + row) * kHostPitch + hostOrigin[0] + col] =
          contents[(bufferOrigin[1] + row) * kRowPitch + bufferOrigin[0] + col];
    }
  }
  EXPECT_EQ(host, expected);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, read.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_READ_BUFFER_RECT));
}

}  // namespace
}  // namespace rcl::test
