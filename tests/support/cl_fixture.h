#pragma once
// Base fixture for OpenCL tests: first platform, its first device, a context and an in-order queue.
//
//   class BufferTest : public rcl::test::ClTest {};
//   TEST_F(BufferTest, ...) { ... context_ ... queue_ ... device_ ... }

#include <CL/cl.h>
#include <gtest/gtest.h>

#include <string>

#include "cl_handle.h"
#include "cl_program_build.h"

namespace rcl::test {

// Fatal gtest failure if there is no platform or the first platform has no device.
void firstPlatformAndDevice(cl_platform_id* platform, cl_device_id* device);

// A context on one device (nullptr and *error set on failure).
Context createContext(cl_platform_id platform, cl_device_id device, cl_int* error);
// A queue with the given CL_QUEUE_PROPERTIES (via clCreateCommandQueueWithProperties).
CommandQueue createQueue(cl_context context, cl_device_id device, cl_command_queue_properties properties,
                         cl_int* error);

// Runs `program`'s kernel `name(global int* p)` on one work-item of `queue`
// and reads back p[0] into *value (the first error otherwise).
cl_int runOneIntKernel(cl_context context, cl_command_queue queue, cl_program program, const char* name, int* value);

class ClTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Builds `source` for device_ in context_; fatal failure (with the build log) if it does not build.
  void buildOrFail(const std::string& source, Program* program, const std::string& options = "");
  // clCreateKernel with a fatal failure on error.
  void kernelOrFail(cl_program program, const char* name, Kernel* kernel);
  // clCreateBuffer with a fatal failure on error.
  void bufferOrFail(cl_mem_flags flags, size_t size, void* hostPtr, Mem* buffer);

  cl_platform_id platform_ = nullptr;
  cl_device_id device_ = nullptr;
  Context context_;
  CommandQueue queue_;
};

}  // namespace rcl::test
