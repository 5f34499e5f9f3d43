/* SGEMM on a remote device with cl_rcl_ops (CL/cl_remote.h): the matrices
 * stay in cl_mem buffers on the server, CLBlast multiplies them there.
 *   rcl-example-gemm [N]     (default 256; C = A * B, N x N, row-major)
 * Run through remote-cl, e.g.
 *   scripts/with-server.py --server build/server/remote-cl-server --vendors build/vendors -- build/examples/rcl-example-gemm */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CL/cl_remote.h>

#define CHECK(x)                                                        \
  do {                                                                  \
    cl_int e_ = (x);                                                    \
    if (e_ != CL_SUCCESS) {                                             \
      fprintf(stderr, "%s:%d: %s failed: %d\n", __FILE__, __LINE__, #x, e_); \
      return 1;                                                         \
    }                                                                   \
  } while (0)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  const size_t n = argc > 1 ? (size_t)atoi(argv[1]) : 256;
  cl_platform_id platforms[16];
  cl_uint count = 0;
  CHECK(clGetPlatformIDs(16, platforms, &count));
  cl_platform_id platform = NULL;
  for (cl_uint i = 0; i < count && platform == NULL; ++i) {
    char extensions[4096] = "";
    clGetPlatformInfo(platforms[i], CL_PLATFORM_EXTENSIONS, sizeof extensions, extensions, NULL);
    if (strstr(extensions, CL_RCL_OPS_EXTENSION_NAME) != NULL) platform = platforms[i];
  }
  if (platform == NULL) {
    fprintf(stderr, "no platform offers %s\n", CL_RCL_OPS_EXTENSION_NAME);
    return 2;
  }
  clEnqueueSgemmRCL_fn sgemm =
      (clEnqueueSgemmRCL_fn)clGetExtensionFunctionAddressForPlatform(platform, "clEnqueueSgemmRCL");
  clGetOpsRCL_fn getOps = (clGetOpsRCL_fn)clGetExtensionFunctionAddressForPlatform(platform, "clGetOpsRCL");
  if (sgemm == NULL || getOps == NULL) return 3;

  size_t size = 0;
  CHECK(getOps(platform, 0, NULL, &size));
  cl_rcl_op_info *ops = malloc(size);
  CHECK(getOps(platform, size, ops, NULL));
  printf("operations of this server:\n");
  for (size_t i = 0; i < size / sizeof *ops; ++i) printf("  %-14s %2u args  %s\n", ops[i].name, ops[i].num_args, ops[i].description);
  free(ops);

  cl_device_id device;
  cl_int error;
  CHECK(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL));
  cl_context context = clCreateContext(NULL, 1, &device, NULL, NULL, &error);
  CHECK(error);
  cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, NULL, &error);
  CHECK(error);

  float *a = malloc(n * n * sizeof *a), *b = malloc(n * n * sizeof *b), *c = malloc(n * n * sizeof *c);
  for (size_t i = 0; i < n * n; ++i) {
    a[i] = (float)(i % 7) - 3.0f;
    b[i] = (float)(i % 5) * 0.5f;
  }
  const size_t bytes = n * n * sizeof(float);
  cl_mem da = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, a, &error);
  CHECK(error);
  cl_mem db = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, b, &error);
  CHECK(error);
  cl_mem dc = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, NULL, &error);
  CHECK(error);

  for (int run = 0; run < 2; ++run) { /* the first run includes CLBlast's kernel compilation */
    cl_event done;
    const double start = now();
    CHECK(sgemm(queue, CL_RCL_ROW_MAJOR, CL_RCL_NO_TRANS, CL_RCL_NO_TRANS, n, n, n, 1.0f, da, 0, n, db, 0, n, 0.0f,
                dc, 0, n, 0, NULL, &done));
    CHECK(clWaitForEvents(1, &done));
    const double seconds = now() - start;
    printf("sgemm %zux%zu (%s): %.3f s, %.2f GFLOP/s\n", n, n, run == 0 ? "first" : "again", seconds,
           2.0 * n * n * n / seconds * 1e-9);
    clReleaseEvent(done);
  }
  CHECK(clEnqueueReadBuffer(queue, dc, CL_TRUE, 0, bytes, c, 0, NULL, NULL));

  /* Check a few entries against the CPU. */
  for (size_t t = 0; t < 16; ++t) {
    const size_t i = (t * 7919) % n, j = (t * 104729) % n;
    double expected = 0;
    for (size_t p = 0; p < n; ++p) expected += (double)a[i * n + p] * b[p * n + j];
    if (fabs(expected - c[i * n + j]) > 1e-3 * (fabs(expected) + 1)) {
      fprintf(stderr, "C[%zu][%zu] = %f, expected %f\n", i, j, c[i * n + j], expected);
      return 4;
    }
  }
  printf("result checked\n");
  clReleaseMemObject(da);
  clReleaseMemObject(db);
  clReleaseMemObject(dc);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  free(a);
  free(b);
  free(c);
  return 0;
}
