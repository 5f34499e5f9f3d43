#include "vector_add.h"

#include "cl_error_names.h"
#include "cl_handle.h"

namespace rcl::test {

std::vector<cl_int> vectorAddInputA(size_t count, int seed) {
  std::vector<cl_int> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = seed + static_cast<cl_int>(i);
  return values;
}

std::vector<cl_int> vectorAddInputB(size_t count, int seed) {
  std::vector<cl_int> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = 3 * static_cast<cl_int>(i) - seed;
  return values;
}

std::string runCheckedVectorAdd(cl_context context, cl_command_queue queue, cl_kernel kernel, size_t count,
                                int seed) {
  const std::vector<cl_int> a = vectorAddInputA(count, seed);
  const std::vector<cl_int> b = vectorAddInputB(count, seed);
  std::vector<cl_int> c(count, -1);
  const size_t bytes = count * sizeof(cl_int);

  cl_int error = CL_SUCCESS;
  const auto failed = [&error](const char* what) { return std::string(what) + ": " + clErrorName(error); };

  Mem bufferA(clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes,
                             const_cast<cl_int*>(a.data()), &error));
  if (error != CL_SUCCESS) return failed("clCreateBuffer a");
  Mem bufferB(clCreateBuffer(context, CL_MEM_READ_ONLY, bytes, nullptr, &error));
  if (error != CL_SUCCESS) return failed("clCreateBuffer b");
  Mem bufferC(clCreateBuffer(context, CL_MEM_WRITE_ONLY, bytes, nullptr, &error));
  if (error != CL_SUCCESS) return failed("clCreateBuffer c");

  Event written;
  if ((error = clEnqueueWriteBuffer(queue, bufferB, CL_FALSE, 0, bytes, b.data(), 0, nullptr, written.out())))
    return failed("clEnqueueWriteBuffer");
  if ((error = clSetKernelArg(kernel, 0, sizeof(cl_mem), bufferA.address()))) return failed("clSetKernelArg 0");
  if ((error = clSetKernelArg(kernel, 1, sizeof(cl_mem), bufferB.address()))) return failed("clSetKernelArg 1");
  if ((error = clSetKernelArg(kernel, 2, sizeof(cl_mem), bufferC.address()))) return failed("clSetKernelArg 2");
  Event ran;
  if ((error = clEnqueueNDRangeKernel(queue, kernel, 1, nullptr, &count, nullptr, 1, written.address(), ran.out())))
    return failed("clEnqueueNDRangeKernel");
  if ((error = clEnqueueReadBuffer(queue, bufferC, CL_TRUE, 0, bytes, c.data(), 1, ran.address(), nullptr)))
    return failed("clEnqueueReadBuffer");

  for (size_t i = 0; i < count; ++i) {
    if (c[i] != a[i] + b[i]) {
      return "c[" + std::to_string(i) + "] = " + std::to_string(c[i]) + ", expected " + std::to_string(a[i] + b[i]) +
             " (seed " + std::to_string(seed) + ")";
    }
  }
  return {};
}

}  // namespace rcl::test
