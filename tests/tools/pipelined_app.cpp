// A small application for the trace test of pipelined creations
// (check_pipelined_trace.py): on the first device of the first platform it
// makes queues (both entry points), samplers (both entry points) and user
// events, asks each for the information that never changes twice, uses them
// (a marker on each queue, waiting for a user event), and checks every answer.
// Prints "pipelined_app: OK" and exits 0 when everything is right.
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <cstdio>

#include <CL/cl.h>

namespace {

constexpr int kRounds = 3;

int fail(const char* what, cl_int status) {
  std::fprintf(stderr, "pipelined_app: %s failed with %d\n", what, status);
  return 1;
}

template <class T, class F, class O>
bool answers(F query, O object, cl_uint param, T expected) {
  for (int twice = 0; twice < 2; ++twice) {
    T value{};
    size_t size = 0;
    if (query(object, param, sizeof value, &value, &size) != CL_SUCCESS || size != sizeof value || value != expected)
      return false;
  }
  return true;
}

// One queue: its information, then a marker waited for.
int checkQueue(cl_command_queue q, cl_context context, cl_device_id device, cl_command_queue_properties bits) {
  if (!answers(clGetCommandQueueInfo, q, CL_QUEUE_CONTEXT, context) ||
      !answers(clGetCommandQueueInfo, q, CL_QUEUE_DEVICE, device) ||
      !answers(clGetCommandQueueInfo, q, CL_QUEUE_PROPERTIES, bits))
    return fail("a queue's information", CL_INVALID_VALUE);
  cl_event marker = nullptr;
  cl_int status = clEnqueueMarkerWithWaitList(q, 0, nullptr, &marker);
  if (status == CL_SUCCESS) status = clWaitForEvents(1, &marker);
  if (marker != nullptr) clReleaseEvent(marker);
  if (status == CL_SUCCESS) status = clFinish(q);
  if (status != CL_SUCCESS) return fail("a marker on a new queue", status);
  return clReleaseCommandQueue(q) == CL_SUCCESS ? 0 : fail("clReleaseCommandQueue", CL_INVALID_VALUE);
}

int checkSampler(cl_sampler s, cl_context context, cl_bool normalized, cl_addressing_mode a, cl_filter_mode f) {
  if (!answers(clGetSamplerInfo, s, CL_SAMPLER_CONTEXT, context) ||
      !answers(clGetSamplerInfo, s, CL_SAMPLER_NORMALIZED_COORDS, normalized) ||
      !answers(clGetSamplerInfo, s, CL_SAMPLER_ADDRESSING_MODE, a) ||
      !answers(clGetSamplerInfo, s, CL_SAMPLER_FILTER_MODE, f))
    return fail("a sampler's information", CL_INVALID_VALUE);
  return clReleaseSampler(s) == CL_SUCCESS ? 0 : fail("clReleaseSampler", CL_INVALID_VALUE);
}

}  // namespace

int main() {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  cl_int status = clGetPlatformIDs(1, &platform, nullptr);
  if (status != CL_SUCCESS) return fail("clGetPlatformIDs", status);
  if ((status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr)) != CL_SUCCESS)
    return fail("clGetDeviceIDs", status);
  cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateContext", status);
  for (int round = 0; round < kRounds; ++round) {
    cl_command_queue q = clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, &status);
    if (status != CL_SUCCESS) return fail("clCreateCommandQueue", status);
    if (int failed = checkQueue(q, context, device, CL_QUEUE_PROFILING_ENABLE)) return failed;
    const cl_queue_properties list[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, 0};
    q = clCreateCommandQueueWithProperties(context, device, list, &status);
    if (status != CL_SUCCESS) return fail("clCreateCommandQueueWithProperties", status);
    if (int failed = checkQueue(q, context, device, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE)) return failed;

    cl_sampler s = clCreateSampler(context, CL_TRUE, CL_ADDRESS_REPEAT, CL_FILTER_LINEAR, &status);
    if (status != CL_SUCCESS) return fail("clCreateSampler", status);
    if (int failed = checkSampler(s, context, CL_TRUE, CL_ADDRESS_REPEAT, CL_FILTER_LINEAR)) return failed;
    const cl_sampler_properties settings[] = {CL_SAMPLER_NORMALIZED_COORDS, CL_FALSE, 0};
    s = clCreateSamplerWithProperties(context, settings, &status);
    if (status != CL_SUCCESS) return fail("clCreateSamplerWithProperties", status);
    if (int failed = checkSampler(s, context, CL_FALSE, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST)) return failed;

    cl_event user = clCreateUserEvent(context, &status);
    if (status != CL_SUCCESS) return fail("clCreateUserEvent", status);
    if (!answers(clGetEventInfo, user, CL_EVENT_CONTEXT, context) ||
        !answers(clGetEventInfo, user, CL_EVENT_COMMAND_TYPE, static_cast<cl_command_type>(CL_COMMAND_USER)) ||
        !answers(clGetEventInfo, user, CL_EVENT_COMMAND_EXECUTION_STATUS, static_cast<cl_int>(CL_SUBMITTED)))
      return fail("a user event's information", CL_INVALID_VALUE);
    if ((status = clSetUserEventStatus(user, CL_COMPLETE)) != CL_SUCCESS) return fail("clSetUserEventStatus", status);
    if ((status = clWaitForEvents(1, &user)) != CL_SUCCESS) return fail("clWaitForEvents", status);
    clReleaseEvent(user);
  }
  clReleaseContext(context);
  std::printf("pipelined_app: OK\n");
  return 0;
}
