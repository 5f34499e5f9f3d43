// Vector add with write -> kernel -> read chained through event wait lists.

#include <vector>

#include "rcl_test.h"
#include "vector_add.h"

namespace rcl::test {
namespace {

class VectorAddTest : public ClTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ClTest::SetUp());
    ASSERT_NO_FATAL_FAILURE(buildOrFail(kVectorAddSource, &program_));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "vector_add", &kernel_));
  }

  void expectEventFinished(cl_event event, cl_command_type expectedType) {
    cl_int status = 0;
    CL_EXPECT(queryInfo(&status, clGetEventInfo, event, CL_EVENT_COMMAND_EXECUTION_STATUS));
    EXPECT_EQ(status, CL_COMPLETE);
    cl_command_type type = 0;
    CL_EXPECT(queryInfo(&type, clGetEventInfo, event, CL_EVENT_COMMAND_TYPE));
    EXPECT_EQ(type, expectedType);
    cl_command_queue queue = nullptr;
    CL_EXPECT(queryInfo(&queue, clGetEventInfo, event, CL_EVENT_COMMAND_QUEUE));
    EXPECT_EQ(queue, queue_.get());
    cl_context context = nullptr;
    CL_EXPECT(queryInfo(&context, clGetEventInfo, event, CL_EVENT_CONTEXT));
    EXPECT_EQ(context, context_.get());
  }

  Program program_;
  Kernel kernel_;
};

TEST_F(VectorAddTest, ChainedCommandsProduceCpuReferenceAndCompleteEvents) {
  constexpr size_t kCount = 4096;
  constexpr size_t kBytes = kCount * sizeof(cl_int);
  const std::vector<cl_int> a = vectorAddInputA(kCount, 7);
  const std::vector<cl_int> b = vectorAddInputB(kCount, 7);
  std::vector<cl_int> c(kCount, -1);

  Mem bufferA, bufferB, bufferC;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY, kBytes, nullptr, &bufferA));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY, kBytes, nullptr, &bufferB));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_WRITE_ONLY, kBytes, nullptr, &bufferC));

  Event writeA, writeB, ran, read;
  CL_CHECK(clEnqueueWriteBuffer(queue_, bufferA, CL_FALSE, 0, kBytes, a.data(), 0, nullptr, writeA.out()));
  CL_CHECK(clEnqueueWriteBuffer(queue_, bufferB, CL_FALSE, 0, kBytes, b.data(), 0, nullptr, writeB.out()));
  CL_CHECK(clSetKernelArg(kernel_, 0, sizeof(cl_mem), bufferA.address()));
  CL_CHECK(clSetKernelArg(kernel_, 1, sizeof(cl_mem), bufferB.address()));
  CL_CHECK(clSetKernelArg(kernel_, 2, sizeof(cl_mem), bufferC.address()));
  const cl_event writes[] = {writeA, writeB};
  CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel_, 1, nullptr, &kCount, nullptr, 2, writes, ran.out()));
  CL_CHECK(clEnqueueReadBuffer(queue_, bufferC, CL_FALSE, 0, kBytes, c.data(), 1, ran.address(), read.out()));
  CL_CHECK(clWaitForEvents(1, read.address()));

  for (size_t i = 0; i < kCount; ++i) ASSERT_EQ(c[i], a[i] + b[i]) << "element " << i;
  expectEventFinished(writeA, CL_COMMAND_WRITE_BUFFER);
  expectEventFinished(writeB, CL_COMMAND_WRITE_BUFFER);
  expectEventFinished(ran, CL_COMMAND_NDRANGE_KERNEL);
  expectEventFinished(read, CL_COMMAND_READ_BUFFER);
}

TEST_F(VectorAddTest, ExplicitLocalSizeAndWaitOnAllEvents) {
  constexpr size_t kCount = 1024;
  constexpr size_t kLocal = 64;
  constexpr size_t kBytes = kCount * sizeof(cl_int);
  std::vector<cl_int> a = vectorAddInputA(kCount, -3);
  std::vector<cl_int> b = vectorAddInputB(kCount, -3);
  std::vector<cl_int> c(kCount, 0);

  Mem bufferA, bufferB, bufferC;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, kBytes, a.data(), &bufferA));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, kBytes, b.data(), &bufferB));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_WRITE_ONLY, kBytes, nullptr, &bufferC));
  CL_CHECK(clSetKernelArg(kernel_, 0, sizeof(cl_mem), bufferA.address()));
  CL_CHECK(clSetKernelArg(kernel_, 1, sizeof(cl_mem), bufferB.address()));
  CL_CHECK(clSetKernelArg(kernel_, 2, sizeof(cl_mem), bufferC.address()));

  Event ran, read;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel_, 1, nullptr, &kCount, &kLocal, 0, nullptr, ran.out()));
  CL_CHECK(clEnqueueReadBuffer(queue_, bufferC, CL_FALSE, 0, kBytes, c.data(), 1, ran.address(), read.out()));
  const cl_event both[] = {ran, read};
  CL_CHECK(clWaitForEvents(2, both));

  for (size_t i = 0; i < kCount; ++i) ASSERT_EQ(c[i], a[i] + b[i]) << "element " << i;
  expectEventFinished(ran, CL_COMMAND_NDRANGE_KERNEL);
  expectEventFinished(read, CL_COMMAND_READ_BUFFER);
}

TEST_F(VectorAddTest, GlobalOffsetLimitsTheWrittenRange) {
  constexpr size_t kCount = 256;
  constexpr size_t kBytes = kCount * sizeof(cl_int);
  constexpr size_t kOffset = 64;
  constexpr size_t kRange = 128;
  std::vector<cl_int> a = vectorAddInputA(kCount, 1);
  std::vector<cl_int> b = vectorAddInputB(kCount, 1);
  std::vector<cl_int> c(kCount, -1);

  Mem bufferA, bufferB, bufferC;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, kBytes, a.data(), &bufferA));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, kBytes, b.data(), &bufferB));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kBytes, c.data(), &bufferC));
  CL_CHECK(clSetKernelArg(kernel_, 0, sizeof(cl_mem), bufferA.address()));
  CL_CHECK(clSetKernelArg(kernel_, 1, sizeof(cl_mem), bufferB.address()));
  CL_CHECK(clSetKernelArg(kernel_, 2, sizeof(cl_mem), bufferC.address()));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel_, 1, &kOffset, &kRange, nullptr, 0, nullptr, nullptr));
  CL_CHECK(clEnqueueReadBuffer(queue_, bufferC, CL_TRUE, 0, kBytes, c.data(), 0, nullptr, nullptr));

  for (size_t i = 0; i < kCount; ++i) {
    const bool inRange = i >= kOffset && i < kOffset + kRange;
    ASSERT_EQ(c[i], inRange ? a[i] + b[i] : -1) << "element " << i;
  }
}

TEST_F(VectorAddTest, KernelCanBeRerunWithNewArguments) {
  constexpr size_t kCount = 512;
  for (int seed = 0; seed < 3; ++seed) {
    const std::string problem = runCheckedVectorAdd(context_, queue_, kernel_, kCount, seed * 100);
    ASSERT_EQ(problem, "") << "round " << seed;
  }
}

}  // namespace
}  // namespace rcl::test
