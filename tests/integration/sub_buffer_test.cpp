// Sub-buffers: aligned origins, data shared with the parent both ways, info, misalignment errors.

#include <numeric>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

class SubBufferTest : public ClTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ClTest::SetUp());
    cl_uint alignBits = 0;
    CL_CHECK(queryInfo(&alignBits, clGetDeviceInfo, device_, CL_DEVICE_MEM_BASE_ADDR_ALIGN));
    ASSERT_GE(alignBits, 8u);
    align_ = alignBits / 8;
    parentSize_ = 4 * align_;
    std::vector<uint8_t> zeros(parentSize_, 0);
    ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, parentSize_, zeros.data(), &parent_));
  }

  // A sub-buffer of `size` bytes at `origin`; nullptr and *error set on failure.
  Mem subBuffer(size_t origin, size_t size, cl_int* error) {
    const cl_buffer_region region{origin, size};
    return Mem(clCreateSubBuffer(parent_, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &region, error));
  }

  std::vector<uint8_t> readAll(cl_mem buffer, size_t size) {
    std::vector<uint8_t> bytes(size, 0xee);
    EXPECT_EQ(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, size, bytes.data(), 0, nullptr, nullptr), CL_SUCCESS);
    return bytes;
  }

  size_t align_ = 0;
  size_t parentSize_ = 0;
  Mem parent_;
};

std::vector<uint8_t> counting(size_t size, uint8_t start) {
  std::vector<uint8_t> bytes(size);
  std::iota(bytes.begin(), bytes.end(), start);
  return bytes;
}

TEST_F(SubBufferTest, ParentWritesAreVisibleThroughTheSubBuffer) {
  cl_int error = CL_SUCCESS;
  Mem sub = subBuffer(align_, 2 * align_, &error);
  CL_CHECK(error);
  const std::vector<uint8_t> data = counting(parentSize_, 1);
  CL_CHECK(clEnqueueWriteBuffer(queue_, parent_, CL_TRUE, 0, data.size(), data.data(), 0, nullptr, nullptr));

  const std::vector<uint8_t> seen = readAll(sub, 2 * align_);
  EXPECT_EQ(seen, std::vector<uint8_t>(data.begin() + align_, data.begin() + 3 * align_));
}

TEST_F(SubBufferTest, SubBufferWritesLandAtTheOriginInTheParent) {
  cl_int error = CL_SUCCESS;
  Mem sub = subBuffer(2 * align_, align_, &error);
  CL_CHECK(error);
  const std::vector<uint8_t> data = counting(align_, 100);
  CL_CHECK(clEnqueueWriteBuffer(queue_, sub, CL_TRUE, 0, data.size(), data.data(), 0, nullptr, nullptr));

  std::vector<uint8_t> expected(parentSize_, 0);
  std::copy(data.begin(), data.end(), expected.begin() + 2 * align_);
  EXPECT_EQ(readAll(parent_, parentSize_), expected);
}

TEST_F(SubBufferTest, KernelWritesThroughTheSubBufferOnly) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail("__kernel void mark(__global uchar* p) { p[get_global_id(0)] = 0x5a; }",
                                      &program));
  Kernel kernel;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "mark", &kernel));
  cl_int error = CL_SUCCESS;
  Mem sub = subBuffer(align_, align_, &error);
  CL_CHECK(error);
  CL_CHECK(clSetKernelArg(kernel, 0, sizeof(cl_mem), sub.address()));
  const size_t global = align_;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));

  std::vector<uint8_t> expected(parentSize_, 0);
  std::fill(expected.begin() + align_, expected.begin() + 2 * align_, 0x5a);
  EXPECT_EQ(readAll(parent_, parentSize_), expected);
}

TEST_F(SubBufferTest, InfoNamesParentOffsetAndSize) {
  cl_int error = CL_SUCCESS;
  Mem sub = subBuffer(3 * align_, align_ / 2, &error);
  CL_CHECK(error);
  cl_mem associated = nullptr;
  CL_CHECK(queryInfo(&associated, clGetMemObjectInfo, sub.get(), CL_MEM_ASSOCIATED_MEMOBJECT));
  EXPECT_EQ(associated, parent_.get());
  size_t offset = 0;
  CL_CHECK(queryInfo(&offset, clGetMemObjectInfo, sub.get(), CL_MEM_OFFSET));
  EXPECT_EQ(offset, 3 * align_);
  size_t size = 0;
  CL_CHECK(queryInfo(&size, clGetMemObjectInfo, sub.get(), CL_MEM_SIZE));
  EXPECT_EQ(size, align_ / 2);
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetMemObjectInfo, sub.get(), CL_MEM_CONTEXT));
  EXPECT_EQ(context, context_.get());
  size_t parentOffset = 1;
  CL_CHECK(queryInfo(&parentOffset, clGetMemObjectInfo, parent_.get(), CL_MEM_OFFSET));
  EXPECT_EQ(parentOffset, 0u);
}

TEST_F(SubBufferTest, MisalignedOriginIsRejected) {
  ASSERT_GT(align_, 1u) << "device has byte alignment; nothing to misalign";
  cl_int error = CL_SUCCESS;
  Mem sub = subBuffer(1, 16, &error);
  EXPECT_EQ(sub.get(), nullptr);
  CL_EXPECT_ERROR(CL_MISALIGNED_SUB_BUFFER_OFFSET, error);
}

TEST_F(SubBufferTest, RegionOutsideTheParentIsInvalidValue) {
  cl_int error = CL_SUCCESS;
  Mem sub = subBuffer(3 * align_, 2 * align_, &error);
  EXPECT_EQ(sub.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, error);
}

TEST_F(SubBufferTest, SubBufferOfASubBufferIsInvalidMemObject) {
  cl_int error = CL_SUCCESS;
  Mem sub = subBuffer(0, 2 * align_, &error);
  CL_CHECK(error);
  const cl_buffer_region region{0, 16};
  Mem nested(clCreateSubBuffer(sub, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &region, &error));
  EXPECT_EQ(nested.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_MEM_OBJECT, error);
}

}  // namespace
}  // namespace rcl::test
