#include "cl_fixture.h"

#include <vector>

#include "cl_check.h"

namespace rcl::test {

void firstPlatformAndDevice(cl_platform_id* platform, cl_device_id* device) {
  cl_uint platformCount = 0;
  CL_CHECK(clGetPlatformIDs(0, nullptr, &platformCount));
  ASSERT_GT(platformCount, 0u) << "no OpenCL platform";
  std::vector<cl_platform_id> platforms(platformCount);
  CL_CHECK(clGetPlatformIDs(platformCount, platforms.data(), nullptr));
  cl_uint deviceCount = 0;
  CL_CHECK(clGetDeviceIDs(platforms[0], CL_DEVICE_TYPE_ALL, 0, nullptr, &deviceCount));
  ASSERT_GT(deviceCount, 0u) << "the first OpenCL platform has no device";
  std::vector<cl_device_id> devices(deviceCount);
  CL_CHECK(clGetDeviceIDs(platforms[0], CL_DEVICE_TYPE_ALL, deviceCount, devices.data(), nullptr));
  *platform = platforms[0];
  *device = devices[0];
}

Context createContext(cl_platform_id platform, cl_device_id device, cl_int* error) {
  const cl_context_properties properties[] = {CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(platform),
                                              0};
  return Context(clCreateContext(properties, 1, &device, nullptr, nullptr, error));
}

CommandQueue createQueue(cl_context context, cl_device_id device, cl_command_queue_properties properties,
                         cl_int* error) {
  const cl_queue_properties list[] = {CL_QUEUE_PROPERTIES, properties, 0};
  return CommandQueue(clCreateCommandQueueWithProperties(context, device, properties != 0 ? list : nullptr, error));
}

void ClTest::SetUp() {
  ASSERT_NO_FATAL_FAILURE(firstPlatformAndDevice(&platform_, &device_));
  cl_int error = CL_SUCCESS;
  context_ = createContext(platform_, device_, &error);
  CL_CHECK(error);
  queue_ = createQueue(context_, device_, 0, &error);
  CL_CHECK(error);
}

void ClTest::buildOrFail(const std::string& source, Program* program, const std::string& options) {
  ProgramBuild build = buildProgram(context_, device_, source, options);
  ASSERT_TRUE(build.ok()) << build.describe();
  *program = std::move(build.program);
}

void ClTest::kernelOrFail(cl_program program, const char* name, Kernel* kernel) {
  cl_int error = CL_SUCCESS;
  kernel->reset(clCreateKernel(program, name, &error));
  CL_CHECK(error) << "kernel " << name;
}

void ClTest::bufferOrFail(cl_mem_flags flags, size_t size, void* hostPtr, Mem* buffer) {
  cl_int error = CL_SUCCESS;
  buffer->reset(clCreateBuffer(context_, flags, size, hostPtr, &error));
  CL_CHECK(error) << "clCreateBuffer of " << size << " bytes";
}

cl_int runOneIntKernel(cl_context context, cl_command_queue queue, cl_program program, const char* name, int* value) {
  cl_int error = CL_SUCCESS;
  Kernel kernel(clCreateKernel(program, name, &error));
  if (error != CL_SUCCESS) return error;
  Mem buffer(clCreateBuffer(context, CL_MEM_READ_WRITE, sizeof(int), nullptr, &error));
  if (error != CL_SUCCESS) return error;
  cl_mem b = buffer;
  if ((error = clSetKernelArg(kernel, 0, sizeof b, &b)) != CL_SUCCESS) return error;
  const size_t one = 1;
  if ((error = clEnqueueNDRangeKernel(queue, kernel, 1, nullptr, &one, nullptr, 0, nullptr, nullptr)) != CL_SUCCESS)
    return error;
  return clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, sizeof *value, value, 0, nullptr, nullptr);
}

}  // namespace rcl::test
