// profiling: command timestamps on a profiling queue, CL_PROFILING_INFO_NOT_AVAILABLE elsewhere,
// device and host timers.

#include "conformance.h"

namespace rcl::conformance {
namespace {

class profiling : public Suite<profiling> {  // NOLINT(readability-identifier-naming): the area's name
 protected:
  struct Times {
    cl_ulong queued = 0, submit = 0, start = 0, end = 0, complete = 0;
  };

  void timesOf(cl_event event, Times* times) {
    CL_CHECK(queryInfo(&times->queued, clGetEventProfilingInfo, event, CL_PROFILING_COMMAND_QUEUED));
    CL_CHECK(queryInfo(&times->submit, clGetEventProfilingInfo, event, CL_PROFILING_COMMAND_SUBMIT));
    CL_CHECK(queryInfo(&times->start, clGetEventProfilingInfo, event, CL_PROFILING_COMMAND_START));
    CL_CHECK(queryInfo(&times->end, clGetEventProfilingInfo, event, CL_PROFILING_COMMAND_END));
    CL_CHECK(queryInfo(&times->complete, clGetEventProfilingInfo, event, CL_PROFILING_COMMAND_COMPLETE));
  }

  void expectOrdered(const Times& t) {
    EXPECT_GT(t.queued, 0u);
    EXPECT_LE(t.queued, t.submit);
    EXPECT_LE(t.submit, t.start);
    EXPECT_LE(t.start, t.end);
    EXPECT_LE(t.end, t.complete);
  }
};

TEST_F(profiling, KernelAndTransferTimestampsAreOrdered) {
  cl_int error = CL_SUCCESS;
  CommandQueue queue = createQueue(context_, device_, CL_QUEUE_PROFILING_ENABLE, &error);
  CL_CHECK(error);
  Kernel k = kernel(
      "__kernel void spin(__global float* p) { float x = p[get_global_id(0)];\n"
      "  for (int i = 0; i < 2000; ++i) x = x * 0.999f + 1.0f; p[get_global_id(0)] = x; }",
      "spin");
  ASSERT_TRUE(k);
  const size_t count = 4096;
  Mem mem = buffer(CL_MEM_READ_WRITE, count * sizeof(float));
  const std::vector<float> zeros(count, 0.0f);
  Event written, ran, read, copied;
  CL_CHECK(clEnqueueWriteBuffer(queue, mem, CL_FALSE, 0, count * sizeof(float), zeros.data(), 0, nullptr,
                                written.out()));
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), mem.address()));
  CL_CHECK(clEnqueueNDRangeKernel(queue, k, 1, nullptr, &count, nullptr, 0, nullptr, ran.out()));
  Mem copy = buffer(CL_MEM_READ_WRITE, count * sizeof(float));
  CL_CHECK(clEnqueueCopyBuffer(queue, mem, copy, 0, 0, count * sizeof(float), 0, nullptr, copied.out()));
  std::vector<float> seen(count);
  CL_CHECK(clEnqueueReadBuffer(queue, copy, CL_TRUE, 0, count * sizeof(float), seen.data(), 0, nullptr, read.out()));
  Times w, k1, c, r;
  ASSERT_NO_FATAL_FAILURE(timesOf(written, &w));
  ASSERT_NO_FATAL_FAILURE(timesOf(ran, &k1));
  ASSERT_NO_FATAL_FAILURE(timesOf(copied, &c));
  ASSERT_NO_FATAL_FAILURE(timesOf(read, &r));
  for (const Times* t : {&w, &k1, &c, &r}) expectOrdered(*t);
  EXPECT_GT(k1.end - k1.start, 0u) << "the kernel ran for some time";
  // In-order queue: each command starts after the previous one ended.
  EXPECT_LE(w.end, k1.start);
  EXPECT_LE(k1.end, c.start);
  EXPECT_LE(c.end, r.start);
  EXPECT_GT(seen[0], 0.0f);
}

TEST_F(profiling, InfoNotAvailableWithoutProfilingOrForUserEvents) {
  Mem mem = buffer(CL_MEM_READ_WRITE, 16);
  const std::vector<uint8_t> data(16, 1);
  Event written;
  CL_CHECK(clEnqueueWriteBuffer(queue_, mem, CL_TRUE, 0, 16, data.data(), 0, nullptr, written.out()));
  cl_ulong value = 0;
  CL_EXPECT_ERROR(CL_PROFILING_INFO_NOT_AVAILABLE,
                  clGetEventProfilingInfo(written, CL_PROFILING_COMMAND_START, sizeof(value), &value, nullptr));
  cl_int error = CL_SUCCESS;
  Event user(clCreateUserEvent(context_, &error));
  CL_CHECK(error);
  CL_CHECK(clSetUserEventStatus(user, CL_COMPLETE));
  CL_EXPECT_ERROR(CL_PROFILING_INFO_NOT_AVAILABLE,
                  clGetEventProfilingInfo(user, CL_PROFILING_COMMAND_END, sizeof(value), &value, nullptr));

  CommandQueue queue = createQueue(context_, device_, CL_QUEUE_PROFILING_ENABLE, &error);
  CL_CHECK(error);
  Event profiled;
  CL_CHECK(clEnqueueWriteBuffer(queue, mem, CL_TRUE, 0, 16, data.data(), 0, nullptr, profiled.out()));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clGetEventProfilingInfo(profiled, 0x7777, sizeof(value), &value, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clGetEventProfilingInfo(profiled, CL_PROFILING_COMMAND_END, 1, &value, nullptr));
}

// clGetDeviceAndHostTimer / clGetHostTimer: if the platform reports a host timer resolution of 0
// the device has no timer synchronization and both return CL_INVALID_OPERATION.
TEST_F(profiling, DeviceAndHostTimers) {
  cl_ulong resolution = 0;
  CL_CHECK(queryInfo(&resolution, clGetPlatformInfo, platform_, CL_PLATFORM_HOST_TIMER_RESOLUTION));
  cl_ulong device1 = 0, host1 = 0, device2 = 0, host2 = 0, hostOnly = 0;
  const cl_int first = clGetDeviceAndHostTimer(device_, &device1, &host1);
  if (resolution == 0) {
    CL_EXPECT_ERROR(CL_INVALID_OPERATION, first);
    CL_EXPECT_ERROR(CL_INVALID_OPERATION, clGetHostTimer(device_, &hostOnly));
    return;
  }
  CL_CHECK(first);
  std::this_thread::sleep_for(20ms);
  CL_CHECK(clGetDeviceAndHostTimer(device_, &device2, &host2));
  CL_CHECK(clGetHostTimer(device_, &hostOnly));
  EXPECT_GT(device2, device1);
  EXPECT_GT(host2, host1);
  EXPECT_GE(host2 - host1, 15'000'000u) << "20 ms passed";
  EXPECT_GE(hostOnly, host2);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clGetDeviceAndHostTimer(device_, nullptr, &host1));
}

}  // namespace
}  // namespace rcl::conformance
