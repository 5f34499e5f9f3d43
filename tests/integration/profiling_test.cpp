// Profiling timestamps with CL_QUEUE_PROFILING_ENABLE, and their absence without it.

#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

constexpr const char* kSpinSource = R"CLC(
__kernel void busy(__global float* data) {
  const size_t i = get_global_id(0);
  float x = data[i];
  for (int k = 0; k < 200; ++k) x = x * 0.999f + 1.0f;
  data[i] = x;
}
)CLC";

class ProfilingTest : public ClTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ClTest::SetUp());
    cl_int error = CL_SUCCESS;
    profilingQueue_ = createQueue(context_, device_, CL_QUEUE_PROFILING_ENABLE, &error);
    CL_CHECK(error);
    ASSERT_NO_FATAL_FAILURE(buildOrFail(kSpinSource, &program_));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "busy", &kernel_));
    ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, kCount * sizeof(float), nullptr, &buffer_));
    CL_CHECK(clSetKernelArg(kernel_, 0, sizeof(cl_mem), buffer_.address()));
  }

  static constexpr size_t kCount = 4096;
  CommandQueue profilingQueue_;
  Program program_;
  Kernel kernel_;
  Mem buffer_;
};

struct Timestamps {
  cl_ulong queued = 0, submit = 0, start = 0, end = 0;
};

void readTimestamps(cl_event event, Timestamps* t) {
  CL_CHECK(queryInfo(&t->queued, clGetEventProfilingInfo, event, CL_PROFILING_COMMAND_QUEUED));
  CL_CHECK(queryInfo(&t->submit, clGetEventProfilingInfo, event, CL_PROFILING_COMMAND_SUBMIT));
  CL_CHECK(queryInfo(&t->start, clGetEventProfilingInfo, event, CL_PROFILING_COMMAND_START));
  CL_CHECK(queryInfo(&t->end, clGetEventProfilingInfo, event, CL_PROFILING_COMMAND_END));
}

void expectOrdered(const Timestamps& t) {
  EXPECT_NE(t.queued, 0u);
  EXPECT_LE(t.queued, t.submit);
  EXPECT_LE(t.submit, t.start);
  EXPECT_LE(t.start, t.end);
  EXPECT_NE(t.end, 0u);
}

TEST_F(ProfilingTest, KernelTimestampsAreOrderedAndNonZero) {
  const std::vector<float> zeros(kCount, 0.0f);
  CL_CHECK(clEnqueueWriteBuffer(profilingQueue_, buffer_, CL_TRUE, 0, kCount * sizeof(float), zeros.data(), 0,
                                nullptr, nullptr));
  Event ran;
  CL_CHECK(clEnqueueNDRangeKernel(profilingQueue_, kernel_, 1, nullptr, &kCount, nullptr, 0, nullptr, ran.out()));
  CL_CHECK(clWaitForEvents(1, ran.address()));
  Timestamps t;
  ASSERT_NO_FATAL_FAILURE(readTimestamps(ran, &t));
  expectOrdered(t);
}

TEST_F(ProfilingTest, TransferTimestampsAreOrderedAndFollowEachOther) {
  std::vector<float> data(kCount, 1.5f);
  Event written, read;
  CL_CHECK(clEnqueueWriteBuffer(profilingQueue_, buffer_, CL_FALSE, 0, kCount * sizeof(float), data.data(), 0,
                                nullptr, written.out()));
  CL_CHECK(clEnqueueReadBuffer(profilingQueue_, buffer_, CL_TRUE, 0, kCount * sizeof(float), data.data(), 1,
                               written.address(), read.out()));
  Timestamps first, second;
  ASSERT_NO_FATAL_FAILURE(readTimestamps(written, &first));
  ASSERT_NO_FATAL_FAILURE(readTimestamps(read, &second));
  expectOrdered(first);
  expectOrdered(second);
  EXPECT_LE(first.end, second.start);
}

// CL_PROFILING_COMMAND_COMPLETE (OpenCL 2.0): its status and value, as the platform answers.
struct Complete {
  cl_int status = CL_SUCCESS;
  cl_ulong value = 0;
};

Complete readComplete(cl_event event) {
  Complete c;
  c.status = clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_COMPLETE, sizeof c.value, &c.value, nullptr);
  return c;
}

void expectSame(const Timestamps& a, const Timestamps& b, const char* what) {
  EXPECT_EQ(a.queued, b.queued) << what;
  EXPECT_EQ(a.submit, b.submit) << what;
  EXPECT_EQ(a.start, b.start) << what;
  EXPECT_EQ(a.end, b.end) << what;
}

// remote-cl answers a complete command's timestamps from its completion: they
// are the device's (one clock with the next command's), the same every time.
TEST_F(ProfilingTest, AKernelAndItsReadKeepTheirDeviceTimestamps) {
  std::vector<float> data(kCount, 0.0f);
  CL_CHECK(clEnqueueWriteBuffer(profilingQueue_, buffer_, CL_TRUE, 0, kCount * sizeof(float), data.data(), 0,
                                nullptr, nullptr));
  Event ran, read;
  CL_CHECK(clEnqueueNDRangeKernel(profilingQueue_, kernel_, 1, nullptr, &kCount, nullptr, 0, nullptr, ran.out()));
  CL_CHECK(clEnqueueReadBuffer(profilingQueue_, buffer_, CL_TRUE, 0, kCount * sizeof(float), data.data(), 0, nullptr,
                               read.out()));
  EXPECT_GT(data[0], 1.0f) << "the kernel ran before the read";
  CL_CHECK(clWaitForEvents(1, ran.address()));
  Timestamps kernel, transfer;
  ASSERT_NO_FATAL_FAILURE(readTimestamps(ran, &kernel));
  ASSERT_NO_FATAL_FAILURE(readTimestamps(read, &transfer));
  expectOrdered(kernel);
  expectOrdered(transfer);
  EXPECT_LE(kernel.end, transfer.start) << "the read follows the kernel on an in-order queue";
  for (int again = 0; again < 3; ++again) {
    Timestamps k, t;
    ASSERT_NO_FATAL_FAILURE(readTimestamps(ran, &k));
    ASSERT_NO_FATAL_FAILURE(readTimestamps(read, &t));
    expectSame(kernel, k, "the kernel's timestamps asked again");
    expectSame(transfer, t, "the read's timestamps asked again");
  }
  for (cl_event e : {ran.get(), read.get()}) {
    const Complete first = readComplete(e), second = readComplete(e);
    EXPECT_EQ(first.status, second.status);
    if (first.status == CL_SUCCESS) {
      EXPECT_EQ(first.value, second.value);
      Timestamps t;
      ASSERT_NO_FATAL_FAILURE(readTimestamps(e, &t));
      EXPECT_LE(t.end, first.value) << "CL_PROFILING_COMMAND_COMPLETE before CL_PROFILING_COMMAND_END";
    }
  }
}

// A command not complete yet has no timestamps, a user event never has any;
// once complete, the command has them.
TEST_F(ProfilingTest, TimestampsOnlyOnceTheCommandIsComplete) {
  cl_int error = CL_SUCCESS;
  Event gate(clCreateUserEvent(context_, &error));
  CL_CHECK(error);
  Event ran;
  CL_CHECK(clEnqueueNDRangeKernel(profilingQueue_, kernel_, 1, nullptr, &kCount, nullptr, 1, gate.address(),
                                  ran.out()));
  CL_CHECK(clFlush(profilingQueue_));
  cl_ulong value = 0;
  for (cl_profiling_info name : {CL_PROFILING_COMMAND_START, CL_PROFILING_COMMAND_END}) {
    CL_EXPECT_ERROR(CL_PROFILING_INFO_NOT_AVAILABLE, clGetEventProfilingInfo(ran, name, sizeof value, &value, nullptr));
  }
  CL_EXPECT_ERROR(CL_PROFILING_INFO_NOT_AVAILABLE,
                  clGetEventProfilingInfo(gate, CL_PROFILING_COMMAND_QUEUED, sizeof value, &value, nullptr));
  CL_CHECK(clSetUserEventStatus(gate, CL_COMPLETE));
  CL_CHECK(clWaitForEvents(1, ran.address()));
  Timestamps t;
  ASSERT_NO_FATAL_FAILURE(readTimestamps(ran, &t));
  expectOrdered(t);
  for (cl_profiling_info name : {CL_PROFILING_COMMAND_QUEUED, CL_PROFILING_COMMAND_END}) {
    CL_EXPECT_ERROR(CL_PROFILING_INFO_NOT_AVAILABLE, clGetEventProfilingInfo(gate, name, sizeof value, &value, nullptr))
        << "a user event, complete";
  }
  EXPECT_EQ(clGetEventProfilingInfo(ran, 0x1234, sizeof value, &value, nullptr), CL_INVALID_VALUE);
  EXPECT_EQ(clGetEventProfilingInfo(ran, CL_PROFILING_COMMAND_END, sizeof value - 1, &value, nullptr),
            CL_INVALID_VALUE)
      << "a buffer too small";
}

// A marker's and a barrier's events answer as the real platform does, the
// same every time (timestamps in order when it has them).
TEST_F(ProfilingTest, MarkersAndBarriersAnswerTheSameEveryTime) {
  Event ran, marker, barrier;
  CL_CHECK(clEnqueueNDRangeKernel(profilingQueue_, kernel_, 1, nullptr, &kCount, nullptr, 0, nullptr, ran.out()));
  CL_CHECK(clEnqueueMarkerWithWaitList(profilingQueue_, 0, nullptr, marker.out()));
  CL_CHECK(clEnqueueBarrierWithWaitList(profilingQueue_, 0, nullptr, barrier.out()));
  CL_CHECK(clFinish(profilingQueue_));
  for (cl_event e : {marker.get(), barrier.get()}) {
    CL_CHECK(clWaitForEvents(1, &e));
    cl_ulong first = 0, second = 0;
    const cl_int status = clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_END, sizeof first, &first, nullptr);
    EXPECT_EQ(clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_END, sizeof second, &second, nullptr), status);
    if (status != CL_SUCCESS) continue;
    EXPECT_EQ(first, second);
    Timestamps t;
    ASSERT_NO_FATAL_FAILURE(readTimestamps(e, &t));
    expectOrdered(t);
  }
}

TEST_F(ProfilingTest, QueueReportsItsProperties) {
  cl_command_queue_properties properties = 0;
  CL_CHECK(queryInfo(&properties, clGetCommandQueueInfo, profilingQueue_.get(), CL_QUEUE_PROPERTIES));
  EXPECT_TRUE(properties & CL_QUEUE_PROFILING_ENABLE);
  CL_CHECK(queryInfo(&properties, clGetCommandQueueInfo, queue_.get(), CL_QUEUE_PROPERTIES));
  EXPECT_FALSE(properties & CL_QUEUE_PROFILING_ENABLE);
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetCommandQueueInfo, profilingQueue_.get(), CL_QUEUE_CONTEXT));
  EXPECT_EQ(context, context_.get());
  cl_device_id device = nullptr;
  CL_CHECK(queryInfo(&device, clGetCommandQueueInfo, profilingQueue_.get(), CL_QUEUE_DEVICE));
  EXPECT_EQ(device, device_);
}

TEST_F(ProfilingTest, QueueWithoutProfilingHasNoProfilingInfo) {
  Event ran;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel_, 1, nullptr, &kCount, nullptr, 0, nullptr, ran.out()));
  CL_CHECK(clWaitForEvents(1, ran.address()));
  cl_ulong value = 0;
  for (cl_profiling_info name : {CL_PROFILING_COMMAND_QUEUED, CL_PROFILING_COMMAND_SUBMIT, CL_PROFILING_COMMAND_START,
                                 CL_PROFILING_COMMAND_END}) {
    CL_EXPECT_ERROR(CL_PROFILING_INFO_NOT_AVAILABLE,
                    clGetEventProfilingInfo(ran, name, sizeof value, &value, nullptr));
  }
}

}  // namespace
}  // namespace rcl::test
