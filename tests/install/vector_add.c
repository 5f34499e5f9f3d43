/* A tiny OpenCL vector add, plain OpenCL C API: the program install.destdir runs
 * through the installed remote-cl. Prints "platform: NAME", "icd suffix: SUFFIX"
 * (remote-cl's is RCL: its platform has the real platform's name), "device: NAME"
 * and "vector_add: OK (N elements)" on success; exits non-zero on any failure. */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <stdio.h>
#include <stdlib.h>

#define N 4096

static const char *source =
    "__kernel void add(__global const float *a, __global const float *b, __global float *c) {\n"
    "  size_t i = get_global_id(0);\n"
    "  c[i] = a[i] + b[i];\n"
    "}\n";

#define CHECK(call)                                                            \
  do {                                                                         \
    cl_int err_ = (call);                                                      \
    if (err_ != CL_SUCCESS) {                                                  \
      fprintf(stderr, "%s:%d: %s failed: %d\n", __FILE__, __LINE__, #call, err_); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

int main(void) {
  cl_platform_id platform;
  cl_uint platforms = 0;
  CHECK(clGetPlatformIDs(1, &platform, &platforms));
  if (platforms == 0) {
    fprintf(stderr, "no OpenCL platform\n");
    return 1;
  }
  char name[256];
  CHECK(clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof name, name, NULL));
  printf("platform: %s\n", name);
  CHECK(clGetPlatformInfo(platform, CL_PLATFORM_ICD_SUFFIX_KHR, sizeof name, name, NULL));
  printf("icd suffix: %s\n", name);

  cl_device_id device;
  CHECK(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL));
  CHECK(clGetDeviceInfo(device, CL_DEVICE_NAME, sizeof name, name, NULL));
  printf("device: %s\n", name);

  cl_int err;
  cl_context context = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
  CHECK(err);
  cl_command_queue queue = clCreateCommandQueue(context, device, 0, &err);
  CHECK(err);
  cl_program program = clCreateProgramWithSource(context, 1, &source, NULL, &err);
  CHECK(err);
  err = clBuildProgram(program, 1, &device, "", NULL, NULL);
  if (err != CL_SUCCESS) {
    char log[4096] = "";
    clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, sizeof log, log, NULL);
    fprintf(stderr, "clBuildProgram failed: %d\n%s\n", err, log);
    return 1;
  }
  cl_kernel kernel = clCreateKernel(program, "add", &err);
  CHECK(err);

  static float a[N], b[N], c[N];
  for (int i = 0; i < N; ++i) {
    a[i] = (float)i;
    b[i] = (float)(2 * i) + 0.5f;
    c[i] = -1.0f;
  }
  cl_mem bufA = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof a, a, &err);
  CHECK(err);
  cl_mem bufB = clCreateBuffer(context, CL_MEM_READ_ONLY, sizeof b, NULL, &err);
  CHECK(err);
  cl_mem bufC = clCreateBuffer(context, CL_MEM_WRITE_ONLY, sizeof c, NULL, &err);
  CHECK(err);
  CHECK(clEnqueueWriteBuffer(queue, bufB, CL_FALSE, 0, sizeof b, b, 0, NULL, NULL));
  CHECK(clSetKernelArg(kernel, 0, sizeof bufA, &bufA));
  CHECK(clSetKernelArg(kernel, 1, sizeof bufB, &bufB));
  CHECK(clSetKernelArg(kernel, 2, sizeof bufC, &bufC));
  size_t global = N;
  CHECK(clEnqueueNDRangeKernel(queue, kernel, 1, NULL, &global, NULL, 0, NULL, NULL));
  CHECK(clEnqueueReadBuffer(queue, bufC, CL_TRUE, 0, sizeof c, c, 0, NULL, NULL));

  int wrong = 0;
  for (int i = 0; i < N; ++i) {
    if (c[i] != a[i] + b[i]) {
      if (wrong++ < 5) fprintf(stderr, "c[%d] = %g, expected %g\n", i, c[i], a[i] + b[i]);
    }
  }
  clReleaseMemObject(bufA);
  clReleaseMemObject(bufB);
  clReleaseMemObject(bufC);
  clReleaseKernel(kernel);
  clReleaseProgram(program);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  if (wrong) {
    fprintf(stderr, "vector_add: %d of %d wrong\n", wrong, N);
    return 1;
  }
  printf("vector_add: OK (%d elements)\n", N);
  return 0;
}
