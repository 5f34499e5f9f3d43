// One client of the load test (bench/load/run_load.py): its own context, and
// for SECONDS a mix of buffer writes, kernels and reads, every result checked.
//   rcl-load-client SECONDS SEED
// Prints "load_client SEED: OK N rounds" and exits 0 when every result was right.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include <CL/cl.h>

namespace {

constexpr const char* kSource = R"CLC(
__kernel void scale_add(__global const uint* in, __global uint* out, uint factor, uint offset) {
  const size_t i = get_global_id(0);
  out[i] = in[i] * factor + offset;
}
)CLC";

int fail(unsigned seed, const char* what, cl_int status) {
  std::fprintf(stderr, "load_client %u: %s failed with %d\n", seed, what, status);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return std::fprintf(stderr, "usage: rcl-load-client SECONDS SEED\n"), 2;
  const double seconds = std::atof(argv[1]);
  const auto seed = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10));
  std::mt19937 random(seed);

  cl_platform_id platform;
  cl_device_id device;
  cl_int status = clGetPlatformIDs(1, &platform, nullptr);
  if (status != CL_SUCCESS) return fail(seed, "clGetPlatformIDs", status);
  status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr);
  if (status != CL_SUCCESS) return fail(seed, "clGetDeviceIDs", status);
  cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &status);
  if (status != CL_SUCCESS) return fail(seed, "clCreateContext", status);
  cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, nullptr, &status);
  if (status != CL_SUCCESS) return fail(seed, "clCreateCommandQueueWithProperties", status);
  const char* source = kSource;
  cl_program program = clCreateProgramWithSource(context, 1, &source, nullptr, &status);
  status = clBuildProgram(program, 1, &device, nullptr, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail(seed, "clBuildProgram", status);
  cl_kernel kernel = clCreateKernel(program, "scale_add", &status);
  if (status != CL_SUCCESS) return fail(seed, "clCreateKernel", status);

  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::size_t rounds = 0;
  while (std::chrono::steady_clock::now() < end) {
    // A fresh pair of buffers of a random size (4 KiB to 4 MiB) each round.
    const std::size_t count = std::size_t{1024} << (random() % 11);
    const cl_uint factor = random() % 1000, offset = random();
    std::vector<cl_uint> in(count), out(count);
    for (auto& v : in) v = random();
    cl_mem a = clCreateBuffer(context, CL_MEM_READ_ONLY, count * sizeof(cl_uint), nullptr, &status);
    if (status != CL_SUCCESS) return fail(seed, "clCreateBuffer", status);
    cl_mem b = clCreateBuffer(context, CL_MEM_WRITE_ONLY, count * sizeof(cl_uint), nullptr, &status);
    if (status != CL_SUCCESS) return fail(seed, "clCreateBuffer", status);
    status = clEnqueueWriteBuffer(queue, a, CL_FALSE, 0, count * sizeof(cl_uint), in.data(), 0, nullptr, nullptr);
    if (status != CL_SUCCESS) return fail(seed, "clEnqueueWriteBuffer", status);
    clSetKernelArg(kernel, 0, sizeof a, &a);
    clSetKernelArg(kernel, 1, sizeof b, &b);
    clSetKernelArg(kernel, 2, sizeof factor, &factor);
    clSetKernelArg(kernel, 3, sizeof offset, &offset);
    status = clEnqueueNDRangeKernel(queue, kernel, 1, nullptr, &count, nullptr, 0, nullptr, nullptr);
    if (status != CL_SUCCESS) return fail(seed, "clEnqueueNDRangeKernel", status);
    status = clEnqueueReadBuffer(queue, b, CL_TRUE, 0, count * sizeof(cl_uint), out.data(), 0, nullptr, nullptr);
    if (status != CL_SUCCESS) return fail(seed, "clEnqueueReadBuffer", status);
    for (std::size_t i = 0; i < count; ++i) {
      if (out[i] != in[i] * factor + offset) {
        std::fprintf(stderr, "load_client %u: round %zu, element %zu is %u, not %u\n", seed, rounds, i, out[i],
                     in[i] * factor + offset);
        return 1;
      }
    }
    clReleaseMemObject(a);
    clReleaseMemObject(b);
    ++rounds;
  }
  clReleaseKernel(kernel);
  clReleaseProgram(program);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  std::printf("load_client %u: OK %zu rounds\n", seed, rounds);
  return 0;
}
