// Calls on handles the application already released. Natively that is
// undefined behaviour, so these run only through remote-cl, which must
// answer with the error the handle's type calls for.

#include "rcl_test.h"
#include "test_environment.h"

namespace rcl::test {
namespace {

class ReleasedHandleTest : public ClTest {
 protected:
  void SetUp() override {
    if (!isRemote()) GTEST_SKIP() << "a released handle is undefined behaviour natively";
    ClTest::SetUp();
  }
};

TEST_F(ReleasedHandleTest, ReleasedBufferIsAnInvalidMemObject) {
  cl_int error = CL_SUCCESS;
  cl_mem buffer = clCreateBuffer(context_, CL_MEM_READ_WRITE, 64, nullptr, &error);
  CL_CHECK(error);
  CL_CHECK(clReleaseMemObject(buffer));

  size_t size = 0;
  CL_EXPECT_ERROR(CL_INVALID_MEM_OBJECT, clGetMemObjectInfo(buffer, CL_MEM_SIZE, sizeof size, &size, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_MEM_OBJECT, clReleaseMemObject(buffer));
  char bytes[64] = {};
  CL_EXPECT_ERROR(CL_INVALID_MEM_OBJECT,
                  clEnqueueWriteBuffer(queue_, buffer, CL_TRUE, 0, sizeof bytes, bytes, 0, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_MEM_OBJECT,
                  clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, sizeof bytes, bytes, 0, nullptr, nullptr));
}

TEST_F(ReleasedHandleTest, ReleasedKernelAndEventAreInvalid) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail("kernel void k(global int* p) { p[0] = 1; }", &program));
  cl_int error = CL_SUCCESS;
  cl_kernel kernel = clCreateKernel(program, "k", &error);
  CL_CHECK(error);
  CL_CHECK(clReleaseKernel(kernel));
  cl_uint args = 0;
  CL_EXPECT_ERROR(CL_INVALID_KERNEL, clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, sizeof args, &args, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_KERNEL, clSetKernelArg(kernel, 0, sizeof(cl_mem), nullptr));

  cl_event marker = nullptr;
  CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 0, nullptr, &marker));
  CL_CHECK(clWaitForEvents(1, &marker));
  CL_CHECK(clReleaseEvent(marker));
  CL_EXPECT_ERROR(CL_INVALID_EVENT, clWaitForEvents(1, &marker));
  CL_EXPECT_ERROR(CL_INVALID_EVENT_WAIT_LIST, clEnqueueMarkerWithWaitList(queue_, 1, &marker, nullptr));
}

TEST_F(ReleasedHandleTest, CommandsOfAReleasedQueueAreRefused) {
  cl_int error = CL_SUCCESS;
  cl_command_queue queue = clCreateCommandQueueWithProperties(context_, device_, nullptr, &error);
  CL_CHECK(error);
  CL_CHECK(clReleaseCommandQueue(queue));
  CL_EXPECT_ERROR(CL_INVALID_COMMAND_QUEUE, clFinish(queue));
  CL_EXPECT_ERROR(CL_INVALID_COMMAND_QUEUE, clFlush(queue));
}

}  // namespace
}  // namespace rcl::test
