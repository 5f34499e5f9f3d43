#include "small_compute.h"

#include <numeric>
#include <vector>

#include "cl_error_names.h"
#include "cl_handle.h"
#include "cl_program_build.h"

namespace rcl::test {

namespace {
constexpr const char* kSource =
    "kernel void add(global const int* a, global const int* b, global int* c) {\n"
    "  size_t i = get_global_id(0);\n"
    "  c[i] = a[i] + b[i];\n"
    "}\n";
constexpr std::size_t kCount = 1024;
}  // namespace

std::string addVectors(cl_device_id device) {
  cl_int error = CL_SUCCESS;
  Context context(clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error));
  if (error != CL_SUCCESS) return "clCreateContext failed: " + clErrorName(error);
  CommandQueue queue(clCreateCommandQueueWithProperties(context.get(), device, nullptr, &error));
  if (error != CL_SUCCESS) return "clCreateCommandQueueWithProperties failed: " + clErrorName(error);
  ProgramBuild build = buildProgram(context.get(), device, kSource);
  if (!build.ok()) return "the program did not build";
  Kernel kernel(clCreateKernel(build.program.get(), "add", &error));
  if (error != CL_SUCCESS) return "clCreateKernel failed: " + clErrorName(error);

  std::vector<cl_int> a(kCount), b(kCount), c(kCount, 0);
  std::iota(a.begin(), a.end(), 0);
  std::iota(b.begin(), b.end(), 1000);
  const std::size_t bytes = kCount * sizeof(cl_int);
  const cl_mem_flags in = CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR;
  Mem bufferA(clCreateBuffer(context.get(), in, bytes, a.data(), &error));
  if (error != CL_SUCCESS) return "clCreateBuffer failed: " + clErrorName(error);
  Mem bufferB(clCreateBuffer(context.get(), in, bytes, b.data(), &error));
  if (error != CL_SUCCESS) return "clCreateBuffer failed: " + clErrorName(error);
  Mem bufferC(clCreateBuffer(context.get(), CL_MEM_WRITE_ONLY, bytes, nullptr, &error));
  if (error != CL_SUCCESS) return "clCreateBuffer failed: " + clErrorName(error);

  cl_mem args[] = {bufferA.get(), bufferB.get(), bufferC.get()};
  for (cl_uint i = 0; i < 3; ++i)
    if (clSetKernelArg(kernel.get(), i, sizeof(cl_mem), &args[i]) != CL_SUCCESS) return "clSetKernelArg failed";
  const std::size_t global = kCount;
  if (clEnqueueNDRangeKernel(queue.get(), kernel.get(), 1, nullptr, &global, nullptr, 0, nullptr, nullptr) !=
      CL_SUCCESS)
    return "clEnqueueNDRangeKernel failed";
  if (clEnqueueReadBuffer(queue.get(), bufferC.get(), CL_TRUE, 0, bytes, c.data(), 0, nullptr, nullptr) != CL_SUCCESS)
    return "the blocking read of the result failed";
  for (std::size_t i = 0; i < kCount; ++i)
    if (c[i] != a[i] + b[i])
      return "c[" + std::to_string(i) + "] is " + std::to_string(c[i]) + ", not " + std::to_string(a[i] + b[i]);
  return {};
}

cl_device_id firstDevice() {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  if (clGetPlatformIDs(1, &platform, nullptr) != CL_SUCCESS) return nullptr;
  if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr) != CL_SUCCESS) return nullptr;
  return device;
}

std::string addVectorsOnFirstDevice() {
  cl_device_id device = firstDevice();
  if (device == nullptr) return "no OpenCL device (clGetPlatformIDs or clGetDeviceIDs failed)";
  return addVectors(device);
}

}  // namespace rcl::test
