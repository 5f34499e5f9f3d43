// A small cl_khr_command_buffer application for the trace test
// (check_command_buffer_trace.py): on the first device of the first platform
// it records a fill, a kernel, a barrier and a copy into one buffer (for
// simultaneous use), runs it kRuns times with no event, then records a buffer
// of one fill and runs it once, and checks the bytes of both.
// Prints "command_buffer_app: OK" and exits 0 when the results are right.
#include <cstdio>
#include <vector>

#include <CL/cl.h>
#include <CL/cl_ext.h>

namespace {

constexpr int kRuns = 5;
constexpr std::size_t kCount = 1024;

const char* kSource = R"CLC(
__kernel void twice_plus(__global int* a, __global const int* in) {
  const size_t i = get_global_id(0);
  a[i] = 2 * a[i] + in[i];
}
)CLC";

int fail(const char* what, cl_int status) {
  std::fprintf(stderr, "command_buffer_app: %s failed with %d\n", what, status);
  return 1;
}

template <class F>
F function(cl_platform_id platform, const char* name) {
  return reinterpret_cast<F>(clGetExtensionFunctionAddressForPlatform(platform, name));
}

}  // namespace

int main() {
  cl_platform_id platform;
  cl_device_id device;
  cl_int status = clGetPlatformIDs(1, &platform, nullptr);
  if (status != CL_SUCCESS) return fail("clGetPlatformIDs", status);
  status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr);
  if (status != CL_SUCCESS) return fail("clGetDeviceIDs", status);
  auto create = function<clCreateCommandBufferKHR_fn>(platform, "clCreateCommandBufferKHR");
  auto finalize = function<clFinalizeCommandBufferKHR_fn>(platform, "clFinalizeCommandBufferKHR");
  auto release = function<clReleaseCommandBufferKHR_fn>(platform, "clReleaseCommandBufferKHR");
  auto enqueue = function<clEnqueueCommandBufferKHR_fn>(platform, "clEnqueueCommandBufferKHR");
  auto barrier = function<clCommandBarrierWithWaitListKHR_fn>(platform, "clCommandBarrierWithWaitListKHR");
  auto copy = function<clCommandCopyBufferKHR_fn>(platform, "clCommandCopyBufferKHR");
  auto fill = function<clCommandFillBufferKHR_fn>(platform, "clCommandFillBufferKHR");
  auto ndrange = function<clCommandNDRangeKernelKHR_fn>(platform, "clCommandNDRangeKernelKHR");
  if (!create || !finalize || !release || !enqueue || !barrier || !copy || !fill || !ndrange)
    return fail("clGetExtensionFunctionAddressForPlatform (cl_khr_command_buffer)", CL_INVALID_OPERATION);

  cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateContext", status);
  cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateCommandQueueWithProperties", status);
  const std::size_t bytes = kCount * sizeof(cl_int);
  cl_mem a = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, nullptr, &status);
  cl_mem in = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, nullptr, &status);
  cl_mem out = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateBuffer", status);
  std::vector<cl_int> input(kCount);
  for (std::size_t i = 0; i < kCount; ++i) input[i] = static_cast<cl_int>(i);
  status = clEnqueueWriteBuffer(queue, in, CL_TRUE, 0, bytes, input.data(), 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clEnqueueWriteBuffer", status);
  cl_program program = clCreateProgramWithSource(context, 1, &kSource, nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateProgramWithSource", status);
  status = clBuildProgram(program, 1, &device, nullptr, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clBuildProgram", status);
  cl_kernel kernel = clCreateKernel(program, "twice_plus", &status);
  if (status != CL_SUCCESS) return fail("clCreateKernel", status);
  clSetKernelArg(kernel, 0, sizeof a, &a);
  clSetKernelArg(kernel, 1, sizeof in, &in);

  const cl_command_buffer_properties_khr properties[] = {CL_COMMAND_BUFFER_FLAGS_KHR,
                                                         CL_COMMAND_BUFFER_SIMULTANEOUS_USE_KHR, 0};
  cl_command_buffer_khr four = create(1, &queue, properties, &status);
  if (status != CL_SUCCESS) return fail("clCreateCommandBufferKHR", status);
  const cl_int seven = 7;
  const size_t global = kCount;
  cl_sync_point_khr filled, ran, waited;
  status = fill(four, nullptr, a, &seven, sizeof seven, 0, bytes, 0, nullptr, &filled, nullptr);
  if (status != CL_SUCCESS) return fail("clCommandFillBufferKHR", status);
  status = ndrange(four, nullptr, nullptr, kernel, 1, nullptr, &global, nullptr, 1, &filled, &ran, nullptr);
  if (status != CL_SUCCESS) return fail("clCommandNDRangeKernelKHR", status);
  status = barrier(four, nullptr, 1, &ran, &waited, nullptr);
  if (status != CL_SUCCESS) return fail("clCommandBarrierWithWaitListKHR", status);
  status = copy(four, nullptr, a, out, 0, 0, bytes, 1, &waited, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clCommandCopyBufferKHR", status);
  status = finalize(four);
  if (status != CL_SUCCESS) return fail("clFinalizeCommandBufferKHR", status);

  cl_command_buffer_khr one = create(1, &queue, properties, &status);
  if (status != CL_SUCCESS) return fail("clCreateCommandBufferKHR", status);
  const cl_int nine = 9;
  status = fill(one, nullptr, in, &nine, sizeof nine, 0, bytes, 0, nullptr, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clCommandFillBufferKHR", status);
  status = finalize(one);
  if (status != CL_SUCCESS) return fail("clFinalizeCommandBufferKHR", status);

  // The runs: nothing but the enqueues goes to the server until clFinish.
  for (int run = 0; run < kRuns; ++run) {
    status = enqueue(0, nullptr, four, 0, nullptr, nullptr);
    if (status != CL_SUCCESS) return fail("clEnqueueCommandBufferKHR", status);
  }
  status = enqueue(0, nullptr, one, 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clEnqueueCommandBufferKHR", status);
  status = clFinish(queue);
  if (status != CL_SUCCESS) return fail("clFinish", status);

  std::vector<cl_int> got(kCount);
  status = clEnqueueReadBuffer(queue, out, CL_TRUE, 0, bytes, got.data(), 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clEnqueueReadBuffer", status);
  for (std::size_t i = 0; i < kCount; ++i) {
    if (got[i] != 2 * seven + input[i]) {
      std::fprintf(stderr, "command_buffer_app: element %zu is %d, not %d\n", i, got[i], 2 * seven + input[i]);
      return 1;
    }
  }
  status = clEnqueueReadBuffer(queue, in, CL_TRUE, 0, bytes, got.data(), 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clEnqueueReadBuffer", status);
  for (std::size_t i = 0; i < kCount; ++i) {
    if (got[i] != nine) {
      std::fprintf(stderr, "command_buffer_app: the one-fill buffer left %d at %zu\n", got[i], i);
      return 1;
    }
  }
  release(one);
  release(four);
  clReleaseKernel(kernel);
  clReleaseProgram(program);
  clReleaseMemObject(a);
  clReleaseMemObject(in);
  clReleaseMemObject(out);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  std::printf("command_buffer_app: OK\n");
  return 0;
}
