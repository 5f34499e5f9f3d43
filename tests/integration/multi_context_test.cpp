// Two contexts with their own queues in one process: independent work, and cross-context misuse.

#include <vector>

#include "rcl_test.h"
#include "vector_add.h"

namespace rcl::test {
namespace {

// One context with its queue, vector_add program and kernel.
struct Side {
  Context context;
  CommandQueue queue;
  Program program;
  Kernel kernel;
};

class MultiContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(firstPlatformAndDevice(&platform_, &device_));
    ASSERT_NO_FATAL_FAILURE(makeSide(&a_));
    ASSERT_NO_FATAL_FAILURE(makeSide(&b_));
  }

  void makeSide(Side* side) {
    cl_int error = CL_SUCCESS;
    side->context = createContext(platform_, device_, &error);
    CL_CHECK(error);
    side->queue = createQueue(side->context, device_, 0, &error);
    CL_CHECK(error);
    ProgramBuild build = buildProgram(side->context, device_, kVectorAddSource);
    ASSERT_TRUE(build.ok()) << build.describe();
    side->program = std::move(build.program);
    side->kernel.reset(clCreateKernel(side->program, "vector_add", &error));
    CL_CHECK(error);
  }

  cl_platform_id platform_ = nullptr;
  cl_device_id device_ = nullptr;
  Side a_;
  Side b_;
};

TEST_F(MultiContextTest, ContextsAreDistinctObjects) {
  EXPECT_NE(a_.context.get(), b_.context.get());
  cl_context owner = nullptr;
  CL_CHECK(queryInfo(&owner, clGetCommandQueueInfo, b_.queue.get(), CL_QUEUE_CONTEXT));
  EXPECT_EQ(owner, b_.context.get());
  CL_CHECK(queryInfo(&owner, clGetKernelInfo, a_.kernel.get(), CL_KERNEL_CONTEXT));
  EXPECT_EQ(owner, a_.context.get());
}

TEST_F(MultiContextTest, EachContextComputesIndependently) {
  EXPECT_EQ(runCheckedVectorAdd(a_.context, a_.queue, a_.kernel, 1000, 11), "");
  EXPECT_EQ(runCheckedVectorAdd(b_.context, b_.queue, b_.kernel, 3000, -42), "");
  EXPECT_EQ(runCheckedVectorAdd(a_.context, a_.queue, a_.kernel, 64, 5), "");
}

TEST_F(MultiContextTest, InterleavedWorkKeepsBuffersApart) {
  constexpr size_t kCount = 256;
  std::vector<cl_int> valuesA(kCount, 1), valuesB(kCount, 2);
  cl_int error = CL_SUCCESS;
  Mem bufferA(clCreateBuffer(a_.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kCount * sizeof(cl_int),
                             valuesA.data(), &error));
  CL_CHECK(error);
  Mem bufferB(clCreateBuffer(b_.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kCount * sizeof(cl_int),
                             valuesB.data(), &error));
  CL_CHECK(error);
  const cl_int seven = 7;
  CL_CHECK(clEnqueueFillBuffer(a_.queue, bufferA, &seven, sizeof seven, 0, kCount * sizeof(cl_int), 0, nullptr,
                               nullptr));
  std::vector<cl_int> backA(kCount), backB(kCount);
  CL_CHECK(clEnqueueReadBuffer(b_.queue, bufferB, CL_TRUE, 0, kCount * sizeof(cl_int), backB.data(), 0, nullptr,
                               nullptr));
  CL_CHECK(clEnqueueReadBuffer(a_.queue, bufferA, CL_TRUE, 0, kCount * sizeof(cl_int), backA.data(), 0, nullptr,
                               nullptr));
  EXPECT_EQ(backA, std::vector<cl_int>(kCount, 7));
  EXPECT_EQ(backB, std::vector<cl_int>(kCount, 2));
}

TEST_F(MultiContextTest, BufferOfContextAInQueueOfContextBIsInvalidContext) {
  cl_int error = CL_SUCCESS;
  Mem bufferA(clCreateBuffer(a_.context, CL_MEM_READ_WRITE, 64, nullptr, &error));
  CL_CHECK(error);
  std::vector<uint8_t> host(64, 0);
  CL_EXPECT_ERROR(CL_INVALID_CONTEXT,
                  clEnqueueWriteBuffer(b_.queue, bufferA, CL_TRUE, 0, 64, host.data(), 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_CONTEXT,
                  clEnqueueReadBuffer(b_.queue, bufferA, CL_TRUE, 0, 64, host.data(), 0, nullptr, nullptr));
}

TEST_F(MultiContextTest, KernelOfContextAInQueueOfContextBIsInvalidContext) {
  cl_int error = CL_SUCCESS;
  Mem buffer(clCreateBuffer(a_.context, CL_MEM_READ_WRITE, 64 * sizeof(cl_int), nullptr, &error));
  CL_CHECK(error);
  for (cl_uint i = 0; i < 3; ++i) CL_CHECK(clSetKernelArg(a_.kernel, i, sizeof(cl_mem), buffer.address()));
  const size_t global = 64;
  CL_EXPECT_ERROR(CL_INVALID_CONTEXT,
                  clEnqueueNDRangeKernel(b_.queue, a_.kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
}

TEST_F(MultiContextTest, EventOfContextAInWaitListOfQueueBIsInvalidContext) {
  cl_int error = CL_SUCCESS;
  Event userA(clCreateUserEvent(a_.context, &error));
  CL_CHECK(error);
  CL_CHECK(clSetUserEventStatus(userA, CL_COMPLETE));
  Mem bufferB(clCreateBuffer(b_.context, CL_MEM_READ_WRITE, 64, nullptr, &error));
  CL_CHECK(error);
  std::vector<uint8_t> host(64, 0);
  CL_EXPECT_ERROR(CL_INVALID_CONTEXT,
                  clEnqueueWriteBuffer(b_.queue, bufferB, CL_TRUE, 0, 64, host.data(), 1, userA.address(), nullptr));
}

}  // namespace
}  // namespace rcl::test
