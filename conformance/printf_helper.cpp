// Helper of the printf cases (test_printf.cpp): runs printf kernels on the first device of the first
// platform, with host lines around them, and exits. Its stdout is what the test checks.
//
//   rcl_conformance_printf order|formats|many
//
// Exit code 0 on success; 2 and a message on stderr if an OpenCL call fails.

#include <CL/cl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

void check(cl_int error, const char* what) {
  if (error != CL_SUCCESS) {
    std::fprintf(stderr, "rcl_conformance_printf: %s returned %d\n", what, error);
    std::exit(2);
  }
}

void host(const char* line) {
  std::fputs(line, stdout);
  std::fflush(stdout);
}

const char* kSource = R"CL(
__kernel void order(void) {
  for (int i = 0; i < 5; ++i) printf("kernel line %d\n", i);
}
__kernel void second(void) { printf("second kernel\n"); }
__kernel void formats(void) {
  printf("%d %u %x %5.2f %s %c %v4hld %%|\n", -5, 7u, 255, 3.14159f, "str", 'Z', (int4)(1, 2, 3, 4));
  printf("%ld %e %08.3f\n", -1234567890123L, 1.5e10f, -2.5f);
}
__kernel void many(void) { printf("item %d\n", (int)get_global_id(0)); }
)CL";

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s order|formats|many\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  cl_platform_id platform = nullptr;
  check(clGetPlatformIDs(1, &platform, nullptr), "clGetPlatformIDs");
  cl_device_id device = nullptr;
  check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr), "clGetDeviceIDs");
  cl_int error = CL_SUCCESS;
  cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error);
  check(error, "clCreateContext");
  cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, nullptr, &error);
  check(error, "clCreateCommandQueueWithProperties");
  cl_program program = clCreateProgramWithSource(context, 1, &kSource, nullptr, &error);
  check(error, "clCreateProgramWithSource");
  check(clBuildProgram(program, 1, &device, nullptr, nullptr, nullptr), "clBuildProgram");

  auto run = [&](const char* name, size_t global) {
    cl_int kernelError = CL_SUCCESS;
    cl_kernel kernel = clCreateKernel(program, name, &kernelError);
    check(kernelError, "clCreateKernel");
    check(clEnqueueNDRangeKernel(queue, kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr),
          "clEnqueueNDRangeKernel");
    check(clReleaseKernel(kernel), "clReleaseKernel");
  };

  host("host before\n");
  if (mode == "order") {
    run("order", 1);
    check(clFinish(queue), "clFinish");
    host("host between\n");
    run("order", 1);
    run("second", 1);
    check(clFinish(queue), "clFinish");
  } else if (mode == "formats") {
    run("formats", 1);
    check(clFinish(queue), "clFinish");
  } else if (mode == "many") {
    run("many", 32);
    check(clFinish(queue), "clFinish");
  } else {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  host("host after\n");
  clReleaseProgram(program);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  return 0;
}
