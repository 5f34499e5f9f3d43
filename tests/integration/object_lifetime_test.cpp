// Reference counts through retain/release, and objects kept alive by the objects that use them.
// Released handles are never used again (that is undefined behaviour natively).

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "rcl_test.h"
#include "vector_add.h"

namespace rcl::test {
namespace {

using ObjectLifetimeTest = ClTest;

template <typename Handle>
cl_uint referenceCount(cl_int (*getInfo)(Handle, cl_uint, size_t, void*, size_t*), Handle object, cl_uint name) {
  cl_uint count = 0;
  EXPECT_EQ(queryInfo(&count, getInfo, object, name), CL_SUCCESS);
  return count;
}

cl_uint memCount(cl_mem m) { return referenceCount(clGetMemObjectInfo, m, CL_MEM_REFERENCE_COUNT); }
cl_uint eventCount(cl_event e) { return referenceCount(clGetEventInfo, e, CL_EVENT_REFERENCE_COUNT); }

TEST_F(ObjectLifetimeTest, BufferRetainAndReleaseChangeTheCount) {
  cl_int error = CL_SUCCESS;
  cl_mem buffer = clCreateBuffer(context_, CL_MEM_READ_WRITE, 128, nullptr, &error);
  CL_CHECK(error);
  EXPECT_EQ(memCount(buffer), 1u);
  CL_EXPECT(clRetainMemObject(buffer));
  CL_EXPECT(clRetainMemObject(buffer));
  EXPECT_EQ(memCount(buffer), 3u);
  CL_EXPECT(clReleaseMemObject(buffer));
  EXPECT_EQ(memCount(buffer), 2u);
  CL_EXPECT(clReleaseMemObject(buffer));
  EXPECT_EQ(memCount(buffer), 1u);
  CL_EXPECT(clReleaseMemObject(buffer));  // Gone now.
}

TEST_F(ObjectLifetimeTest, DestructorCallbackRunsOnTheLastRelease) {
  cl_int error = CL_SUCCESS;
  cl_mem buffer = clCreateBuffer(context_, CL_MEM_READ_WRITE, 128, nullptr, &error);
  CL_CHECK(error);
  static std::atomic<int> calls{0};
  calls = 0;
  CL_CHECK(clSetMemObjectDestructorCallback(
      buffer, [](cl_mem, void*) { ++calls; }, nullptr));
  CL_CHECK(clRetainMemObject(buffer));
  CL_CHECK(clReleaseMemObject(buffer));
  EXPECT_EQ(calls.load(), 0);
  CL_CHECK(clReleaseMemObject(buffer));
  CL_CHECK(clFinish(queue_));
  for (int i = 0; i < 200 && calls.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(ObjectLifetimeTest, ContextQueueProgramKernelAndEventCounts) {
  cl_int error = CL_SUCCESS;
  Context context = createContext(platform_, device_, &error);
  CL_CHECK(error);
  EXPECT_EQ(referenceCount(clGetContextInfo, context.get(), CL_CONTEXT_REFERENCE_COUNT), 1u);
  CL_CHECK(clRetainContext(context));
  EXPECT_EQ(referenceCount(clGetContextInfo, context.get(), CL_CONTEXT_REFERENCE_COUNT), 2u);
  CL_CHECK(clReleaseContext(context));
  EXPECT_EQ(referenceCount(clGetContextInfo, context.get(), CL_CONTEXT_REFERENCE_COUNT), 1u);

  CL_CHECK(clRetainCommandQueue(queue_));
  EXPECT_EQ(referenceCount(clGetCommandQueueInfo, queue_.get(), CL_QUEUE_REFERENCE_COUNT), 2u);
  CL_CHECK(clReleaseCommandQueue(queue_));
  EXPECT_EQ(referenceCount(clGetCommandQueueInfo, queue_.get(), CL_QUEUE_REFERENCE_COUNT), 1u);

  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kVectorAddSource, &program));
  CL_CHECK(clRetainProgram(program));
  EXPECT_EQ(referenceCount(clGetProgramInfo, program.get(), CL_PROGRAM_REFERENCE_COUNT), 2u);
  CL_CHECK(clReleaseProgram(program));

  Kernel kernel;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "vector_add", &kernel));
  EXPECT_EQ(referenceCount(clGetKernelInfo, kernel.get(), CL_KERNEL_REFERENCE_COUNT), 1u);
  CL_CHECK(clRetainKernel(kernel));
  EXPECT_EQ(referenceCount(clGetKernelInfo, kernel.get(), CL_KERNEL_REFERENCE_COUNT), 2u);
  CL_CHECK(clReleaseKernel(kernel));
  EXPECT_EQ(referenceCount(clGetKernelInfo, kernel.get(), CL_KERNEL_REFERENCE_COUNT), 1u);

  Event user(clCreateUserEvent(context_, &error));
  CL_CHECK(error);
  EXPECT_EQ(eventCount(user), 1u);
  CL_CHECK(clRetainEvent(user));
  EXPECT_EQ(eventCount(user), 2u);
  CL_CHECK(clReleaseEvent(user));
  EXPECT_EQ(eventCount(user), 1u);
  CL_CHECK(clSetUserEventStatus(user, CL_COMPLETE));
}

TEST_F(ObjectLifetimeTest, KernelKeepsWorkingAfterItsProgramIsReleased) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kVectorAddSource, &program));
  Kernel kernel;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "vector_add", &kernel));
  program.reset();  // The kernel holds its own reference to the program.
  EXPECT_EQ(runCheckedVectorAdd(context_, queue_, kernel, 512, 3), "");
}

TEST_F(ObjectLifetimeTest, SubBufferKeepsItsParentAlive) {
  cl_uint alignBits = 0;
  CL_CHECK(queryInfo(&alignBits, clGetDeviceInfo, device_, CL_DEVICE_MEM_BASE_ADDR_ALIGN));
  const size_t align = alignBits / 8;
  std::vector<uint8_t> data(2 * align);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 3);
  Mem parent;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, data.size(), data.data(), &parent));
  const cl_buffer_region region{align, align};
  cl_int error = CL_SUCCESS;
  Mem sub(clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &region, &error));
  CL_CHECK(error);
  parent.reset();

  std::vector<uint8_t> back(align, 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, sub, CL_TRUE, 0, align, back.data(), 0, nullptr, nullptr));
  EXPECT_EQ(back, std::vector<uint8_t>(data.begin() + static_cast<std::ptrdiff_t>(align), data.end()));
}

TEST_F(ObjectLifetimeTest, QueueAndBuffersOutliveTheReleasedContextHandle) {
  cl_int error = CL_SUCCESS;
  Context context = createContext(platform_, device_, &error);
  CL_CHECK(error);
  CommandQueue queue = createQueue(context, device_, 0, &error);
  CL_CHECK(error);
  const std::vector<cl_int> data(100, 77);
  Mem buffer(clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, data.size() * sizeof(cl_int),
                            const_cast<cl_int*>(data.data()), &error));
  CL_CHECK(error);
  context.reset();  // Queue and buffer hold the context.

  std::vector<cl_int> back(data.size(), 0);
  CL_CHECK(clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, back.size() * sizeof(cl_int), back.data(), 0, nullptr,
                               nullptr));
  EXPECT_EQ(back, data);
}

TEST_F(ObjectLifetimeTest, EventOfAReleasedQueueStaysQueryable) {
  cl_int error = CL_SUCCESS;
  CommandQueue queue = createQueue(context_, device_, 0, &error);
  CL_CHECK(error);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 64, nullptr, &buffer));
  const uint8_t zero = 0;
  Event filled;
  CL_CHECK(clEnqueueFillBuffer(queue, buffer, &zero, 1, 0, 64, 0, nullptr, filled.out()));
  CL_CHECK(clFinish(queue));
  const cl_command_queue rawQueue = queue.get();
  queue.reset();

  cl_int status = 0;
  CL_CHECK(queryInfo(&status, clGetEventInfo, filled.get(), CL_EVENT_COMMAND_EXECUTION_STATUS));
  EXPECT_EQ(status, CL_COMPLETE);
  cl_command_queue owner = nullptr;
  CL_CHECK(queryInfo(&owner, clGetEventInfo, filled.get(), CL_EVENT_COMMAND_QUEUE));
  EXPECT_EQ(owner, rawQueue);  // Compared as a value only; the event keeps the queue alive.
}

}  // namespace
}  // namespace rcl::test
