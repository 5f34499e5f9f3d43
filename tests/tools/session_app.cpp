// A small OpenCL application for the tool tests: on the first device of the
// first platform it writes a 1 MiB buffer, runs the kernel `add_marker` over
// it, reads it back and checks every value. With `--hold SECONDS` it then
// keeps its objects that long (a live session for `remote-cl status`).
// With `--rounds N` it then does N times what a BLAS library does for one
// call (a small buffer made, a kernel made from the built program, its
// arguments set, its work-group information asked, a kernel run on a
// profiling queue, clFinish, its timestamps asked, a blocking read, all
// released), for counting round trips (tests/tools/check_trace.py). With
// `--pause SECONDS` it waits that long between writing the buffer and running
// the kernel, and says "session_app: written" when it starts waiting (a
// session at work while its server drains: tests/tools/check_drain.py); with
// `--wait-stdin` it says the same and waits for a line on its stdin instead
// (a session at work while the test does something: tests/tools/check_threads.py). With
// `--busy`, while it holds, its queue has a command that waits on a user
// event it completes at the end (a busy queue for `remote-cl status`).
// Prints "session_app: OK" and exits 0 when the results are right.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <CL/cl.h>

namespace {

constexpr const char* kSource = R"CLC(
__kernel void add_marker(__global uint* data) {
  const size_t i = get_global_id(0);
  data[i] = data[i] + 0x5A5A0000u;
}
)CLC";

int fail(const char* what, cl_int status) {
  std::fprintf(stderr, "session_app: %s failed with %d\n", what, status);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int holdSeconds = 0;
  int rounds = 0;
  int pauseSeconds = 0;
  bool busy = false;
  bool waitStdin = false;
  for (int i = 1; i < argc; ++i) {
    const bool hasValue = i + 1 < argc;
    if (std::strcmp(argv[i], "--busy") == 0) busy = true;
    else if (std::strcmp(argv[i], "--wait-stdin") == 0) waitStdin = true;
    else if (hasValue && std::strcmp(argv[i], "--hold") == 0) holdSeconds = std::atoi(argv[++i]);
    else if (hasValue && std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[++i]);
    else if (hasValue && std::strcmp(argv[i], "--pause") == 0) pauseSeconds = std::atoi(argv[++i]);
  }

  cl_platform_id platform;
  cl_device_id device;
  cl_int status = clGetPlatformIDs(1, &platform, nullptr);
  if (status != CL_SUCCESS) return fail("clGetPlatformIDs", status);
  status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr);
  if (status != CL_SUCCESS) return fail("clGetDeviceIDs", status);
  cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateContext", status);
  cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateCommandQueueWithProperties", status);

  constexpr std::size_t kCount = 256 * 1024;  // 1 MiB of cl_uint
  std::vector<cl_uint> data(kCount);
  for (std::size_t i = 0; i < kCount; ++i) data[i] = static_cast<cl_uint>(i);
  cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, kCount * sizeof(cl_uint), nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateBuffer", status);
  status = clEnqueueWriteBuffer(queue, buffer, CL_TRUE, 0, kCount * sizeof(cl_uint), data.data(), 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clEnqueueWriteBuffer", status);
  if (pauseSeconds > 0) {
    std::printf("session_app: written\n");
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(pauseSeconds));
  }
  if (waitStdin) {
    std::printf("session_app: written\n");
    std::fflush(stdout);
    char line[64];
    if (std::fgets(line, sizeof line, stdin) == nullptr) return fail("reading stdin (--wait-stdin)", -1);
  }

  const char* source = kSource;
  cl_program program = clCreateProgramWithSource(context, 1, &source, nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateProgramWithSource", status);
  status = clBuildProgram(program, 1, &device, nullptr, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clBuildProgram", status);
  cl_kernel kernel = clCreateKernel(program, "add_marker", &status);
  if (status != CL_SUCCESS) return fail("clCreateKernel", status);
  status = clSetKernelArg(kernel, 0, sizeof buffer, &buffer);
  if (status != CL_SUCCESS) return fail("clSetKernelArg", status);
  const std::size_t global = kCount;
  status = clEnqueueNDRangeKernel(queue, kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clEnqueueNDRangeKernel", status);
  status = clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, kCount * sizeof(cl_uint), data.data(), 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clEnqueueReadBuffer", status);
  for (std::size_t i = 0; i < kCount; ++i) {
    if (data[i] != static_cast<cl_uint>(i) + 0x5A5A0000u) {
      std::fprintf(stderr, "session_app: element %zu is %u\n", i, data[i]);
      return 1;
    }
  }
  const cl_queue_properties profiling[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE, 0};
  cl_command_queue profiled = clCreateCommandQueueWithProperties(context, device, profiling, &status);
  if (status != CL_SUCCESS) return fail("clCreateCommandQueueWithProperties (profiling)", status);
  for (int round = 0; round < rounds; ++round) {
    constexpr std::size_t kSmall = 1024;  // 4 KiB
    cl_mem small = clCreateBuffer(context, CL_MEM_READ_WRITE, kSmall * sizeof(cl_uint), nullptr, &status);
    if (status != CL_SUCCESS) return fail("clCreateBuffer (rounds)", status);
    std::vector<cl_uint> values(kSmall, static_cast<cl_uint>(round));
    status = clEnqueueWriteBuffer(profiled, small, CL_FALSE, 0, kSmall * sizeof(cl_uint), values.data(), 0, nullptr,
                                  nullptr);
    if (status != CL_SUCCESS) return fail("clEnqueueWriteBuffer (rounds)", status);
    cl_kernel k = clCreateKernel(program, "add_marker", &status);
    if (status != CL_SUCCESS) return fail("clCreateKernel (rounds)", status);
    status = clSetKernelArg(k, 0, sizeof small, &small);
    if (status != CL_SUCCESS) return fail("clSetKernelArg (rounds)", status);
    const std::size_t items = kSmall;
    cl_event ran = nullptr;
    std::size_t groupSize = 0;
    status = clGetKernelWorkGroupInfo(k, device, CL_KERNEL_WORK_GROUP_SIZE, sizeof groupSize, &groupSize, nullptr);
    if (status != CL_SUCCESS || groupSize == 0) return fail("CL_KERNEL_WORK_GROUP_SIZE (rounds)", status);
    cl_ulong localBytes = 0;
    status = clGetKernelWorkGroupInfo(k, device, CL_KERNEL_LOCAL_MEM_SIZE, sizeof localBytes, &localBytes, nullptr);
    if (status != CL_SUCCESS) return fail("CL_KERNEL_LOCAL_MEM_SIZE (rounds)", status);
    status = clEnqueueNDRangeKernel(profiled, k, 1, nullptr, &items, nullptr, 0, nullptr, &ran);
    if (status != CL_SUCCESS) return fail("clEnqueueNDRangeKernel (rounds)", status);
    status = clFinish(profiled);
    if (status != CL_SUCCESS) return fail("clFinish (rounds)", status);
    cl_int ranStatus = CL_QUEUED;
    clGetEventInfo(ran, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof ranStatus, &ranStatus, nullptr);
    if (ranStatus != CL_COMPLETE) return fail("the kernel's status after clFinish", ranStatus);
    cl_ulong stamps[4] = {};
    const cl_profiling_info names[4] = {CL_PROFILING_COMMAND_QUEUED, CL_PROFILING_COMMAND_SUBMIT,
                                        CL_PROFILING_COMMAND_START, CL_PROFILING_COMMAND_END};
    for (int i = 0; i < 4; ++i) {
      status = clGetEventProfilingInfo(ran, names[i], sizeof stamps[i], &stamps[i], nullptr);
      if (status != CL_SUCCESS) return fail("clGetEventProfilingInfo (rounds)", status);
      if (i > 0 && stamps[i] < stamps[i - 1]) return fail("the kernel's timestamps in order (rounds)", i);
    }
    status = clEnqueueReadBuffer(profiled, small, CL_TRUE, 0, kSmall * sizeof(cl_uint), values.data(), 0, nullptr,
                                 nullptr);
    if (status != CL_SUCCESS) return fail("clEnqueueReadBuffer (rounds)", status);
    for (std::size_t i = 0; i < kSmall; ++i)
      if (values[i] != static_cast<cl_uint>(round) + 0x5A5A0000u) return fail("a value read back (rounds)", -1);
    clReleaseEvent(ran);
    clReleaseKernel(k);
    clReleaseMemObject(small);
  }
  clReleaseCommandQueue(profiled);
  std::printf("session_app: OK\n");
  std::fflush(stdout);
  cl_event gate = nullptr;
  if (busy) {
    gate = clCreateUserEvent(context, &status);
    if (status != CL_SUCCESS) return fail("clCreateUserEvent", status);
    status = clEnqueueMarkerWithWaitList(queue, 1, &gate, nullptr);
    if (status != CL_SUCCESS) return fail("clEnqueueMarkerWithWaitList", status);
    clFlush(queue);
  }
  if (holdSeconds > 0) std::this_thread::sleep_for(std::chrono::seconds(holdSeconds));
  if (gate != nullptr) {
    clSetUserEventStatus(gate, CL_COMPLETE);
    clFinish(queue);
    clReleaseEvent(gate);
  }

  clReleaseKernel(kernel);
  clReleaseProgram(program);
  clReleaseMemObject(buffer);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  return 0;
}
