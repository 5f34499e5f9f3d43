/* An example remote-cl-server plugin (include/rcl/rcl_plugin.h) with two
 * operations:
 *   saxpy          y = a * x + y on n floats of two buffers, with a kernel it
 *                  builds itself (once per context)
 *   reverse_bytes  host-in bytes, reversed, into a host-out argument of the
 *                  same size: host code, run when the wait list is met
 * Load it with: remote-cl-server --plugins DIR (DIR holding this .so). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rcl/rcl_plugin.h>

/* ---- saxpy ---- */

static const char *kSource =
    "kernel void saxpy(uint n, float a, global const float* x, global float* y) {\n"
    "  size_t i = get_global_id(0);\n"
    "  if (i < n) y[i] = a * x[i] + y[i];\n"
    "}\n";

/* Programs built so far, one per context (a plugin lives as long as the server). */
#define MAX_CONTEXTS 64
static struct {
  cl_context context;
  cl_program program;
} g_programs[MAX_CONTEXTS];
static int g_count;
static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;

static cl_kernel saxpyKernel(cl_command_queue queue, cl_int *error) {
  cl_context context;
  cl_device_id device;
  cl_program program = NULL;
  *error = clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof context, &context, NULL);
  if (*error == CL_SUCCESS) *error = clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof device, &device, NULL);
  if (*error != CL_SUCCESS) return NULL;
  pthread_mutex_lock(&g_mutex);
  for (int i = 0; i < g_count; ++i)
    if (g_programs[i].context == context) program = g_programs[i].program;
  if (program == NULL) {
    program = clCreateProgramWithSource(context, 1, &kSource, NULL, error);
    if (*error == CL_SUCCESS) *error = clBuildProgram(program, 1, &device, "", NULL, NULL);
    if (*error == CL_SUCCESS) {
      /* Keep it (and its context, so the pointer stays unique); the oldest goes when full. */
      if (g_count == MAX_CONTEXTS) {
        clReleaseProgram(g_programs[0].program);
        clReleaseContext(g_programs[0].context);
        memmove(&g_programs[0], &g_programs[1], sizeof g_programs[0] * (MAX_CONTEXTS - 1));
        --g_count;
      }
      clRetainContext(context);
      g_programs[g_count].context = context;
      g_programs[g_count].program = program;
      ++g_count;
    } else if (program != NULL) {
      clReleaseProgram(program);
      program = NULL;
    }
  }
  cl_kernel kernel = program != NULL ? clCreateKernel(program, "saxpy", error) : NULL;
  pthread_mutex_unlock(&g_mutex);
  return kernel;
}

static cl_int runSaxpy(cl_command_queue queue, const rcl_plugin_arg *args, cl_uint num_args, cl_uint num_events,
                       const cl_event *wait_list, cl_event *event) {
  (void)num_args;
  cl_uint n;
  cl_float a;
  memcpy(&n, args[0].value, sizeof n);
  memcpy(&a, args[1].value, sizeof a);
  size_t x_size = 0, y_size = 0;
  clGetMemObjectInfo(args[2].mem, CL_MEM_SIZE, sizeof x_size, &x_size, NULL);
  clGetMemObjectInfo(args[3].mem, CL_MEM_SIZE, sizeof y_size, &y_size, NULL);
  if (x_size < n * sizeof(cl_float) || y_size < n * sizeof(cl_float)) return CL_INVALID_VALUE;
  cl_int error;
  cl_kernel kernel = saxpyKernel(queue, &error);
  if (kernel == NULL) return error;
  clSetKernelArg(kernel, 0, sizeof n, &n);
  clSetKernelArg(kernel, 1, sizeof a, &a);
  clSetKernelArg(kernel, 2, sizeof(cl_mem), &args[2].mem);
  clSetKernelArg(kernel, 3, sizeof(cl_mem), &args[3].mem);
  const size_t global = n == 0 ? 1 : n;
  error = clEnqueueNDRangeKernel(queue, kernel, 1, NULL, &global, NULL, num_events, wait_list, event);
  clReleaseKernel(kernel);
  return error;
}

/* ---- reverse_bytes ---- */

struct Reverse {
  const rcl_plugin_arg *in;
  const rcl_plugin_arg *out;
  const unsigned char *src;
  unsigned char *dst;
  size_t size;
  cl_event done;
};

static void CL_CALLBACK reverseNow(cl_event marker, cl_int status, void *data) {
  struct Reverse *r = data;
  if (status == CL_COMPLETE)
    for (size_t i = 0; i < r->size; ++i) r->dst[i] = r->src[r->size - 1 - i];
  clSetUserEventStatus(r->done, status == CL_COMPLETE ? CL_COMPLETE : CL_INVALID_EVENT_WAIT_LIST);
  clReleaseEvent(r->done);
  clReleaseEvent(marker);
  free(r);
}

static cl_int runReverse(cl_command_queue queue, const rcl_plugin_arg *args, cl_uint num_args, cl_uint num_events,
                         const cl_event *wait_list, cl_event *event) {
  (void)num_args;
  if (args[0].size != args[1].size) return CL_INVALID_ARG_SIZE;
  cl_context context;
  cl_int error = clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof context, &context, NULL);
  if (error != CL_SUCCESS) return error;
  struct Reverse *r = calloc(1, sizeof *r);
  if (r == NULL) return CL_OUT_OF_HOST_MEMORY;
  r->src = args[0].value;
  r->dst = args[1].out;
  r->size = args[0].size;
  r->done = clCreateUserEvent(context, &error);
  if (error != CL_SUCCESS) {
    free(r);
    return error;
  }
  /* The host work starts once everything before it in the queue (and the wait list) is done. */
  cl_event marker;
  error = clEnqueueMarkerWithWaitList(queue, num_events, wait_list, &marker);
  if (error == CL_SUCCESS) {
    clRetainEvent(r->done);  /* one for the callback, one for the caller */
    *event = r->done;
    clSetEventCallback(marker, CL_COMPLETE, reverseNow, r);
    clFlush(queue);
    return CL_SUCCESS;
  }
  clReleaseEvent(r->done);
  free(r);
  return error;
}

/* ---- the plugin ---- */

static const cl_rcl_arg_info kSaxpyArgs[] = {
    {CL_RCL_ARG_SCALAR, sizeof(cl_uint), "n"},
    {CL_RCL_ARG_SCALAR, sizeof(cl_float), "a"},
    {CL_RCL_ARG_MEM, 0, "x"},
    {CL_RCL_ARG_MEM, 0, "y"},
};
static const cl_rcl_arg_info kReverseArgs[] = {
    {CL_RCL_ARG_HOST_IN, 0, "in"},
    {CL_RCL_ARG_HOST_OUT, 0, "out"},
};
static const rcl_plugin_op kOps[] = {
    {"saxpy", "y = a * x + y on n floats (a kernel of the example plugin)", NULL, 4, kSaxpyArgs, runSaxpy},
    {"reverse_bytes", "the bytes of `in`, reversed, into `out` (host code of the example plugin)", NULL, 2,
     kReverseArgs, runReverse},
};
static const rcl_plugin kPlugin = {RCL_PLUGIN_API_VERSION, 2, kOps};

__attribute__((visibility("default"))) const rcl_plugin *rcl_plugin_ops(void) { return &kPlugin; }
