// Which callbacks the native platform calls for commands that fail: run it
// against the real platform (no remote-cl) when its version changes, to see
// whether the server's watch of failed commands (server/include/rcl/server/
// callbacks.h) is still needed. Not a test: it prints what it saw.
//
// On PoCL 3.1 (Debian 12) it prints: no callback, CL_COMPLETE or
// CL_SUBMITTED, for the commands that fail behind a user event set to -5 (a
// marker, a fill, a read, a marker chained behind the first, a marker later on
// the in-order queue), nor a CL_COMPLETE one for the user event itself (its
// CL_SUBMITTED one runs at once: it is submitted from its creation); their statuses are -1 already when
// clSetUserEventStatus returns; a CL_COMPLETE callback set on a command that
// failed already runs at once with 0 (CL_COMPLETE). (Not probed here because
// it stalls the queue for good: a command enqueued with a wait list holding an
// event that failed already stays CL_QUEUED forever, and clFinish never
// returns.)
#include <chrono>
#include <cstdio>
#include <thread>

#include <CL/cl.h>

namespace {

cl_int statusOf(cl_event event) {
  cl_int status = 1234;
  clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
  return status;
}

void CL_CALLBACK report(cl_event event, cl_int status, void* name) {
  std::printf("  callback of %s: status %d (its status now %d)\n", static_cast<const char*>(name), status,
              statusOf(event));
  std::fflush(stdout);
}

}  // namespace

int main() {
  cl_platform_id platform;
  cl_device_id device;
  cl_int error = clGetPlatformIDs(1, &platform, nullptr);
  if (error == CL_SUCCESS) error = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr);
  if (error != CL_SUCCESS) return std::printf("no OpenCL device (%d)\n", error), 1;
  cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error);
  cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, nullptr, &error);
  cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, 256, nullptr, &error);
  if (error != CL_SUCCESS) return std::printf("setup failed (%d)\n", error), 1;

  cl_event gate = clCreateUserEvent(context, &error);
  cl_event marker, fill, read, chained, later;
  const cl_uint pattern = 1;
  cl_uint bytes[4];
  clEnqueueMarkerWithWaitList(queue, 1, &gate, &marker);
  clEnqueueFillBuffer(queue, buffer, &pattern, sizeof pattern, 0, 256, 1, &gate, &fill);
  clEnqueueReadBuffer(queue, buffer, CL_FALSE, 0, sizeof bytes, bytes, 1, &gate, &read);
  clEnqueueMarkerWithWaitList(queue, 1, &marker, &chained);
  clEnqueueMarkerWithWaitList(queue, 0, nullptr, &later);
  const struct {
    cl_event event;
    const char* name;
  } watched[] = {{gate, "the user event"}, {marker, "a marker behind it"}, {fill, "a fill behind it"},
                 {read, "a read behind it"}, {chained, "a marker behind the marker"},
                 {later, "a marker later on the in-order queue"}};
  for (const auto& w : watched) {
    clSetEventCallback(w.event, CL_COMPLETE, report, const_cast<char*>(w.name));
    clSetEventCallback(w.event, CL_SUBMITTED, report, const_cast<char*>(w.name));
  }
  clFlush(queue);
  std::printf("the user event set to -5:\n");
  clSetUserEventStatus(gate, -5);
  for (const auto& w : watched) std::printf("  %s: status %d at once\n", w.name, statusOf(w.event));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::printf("(callbacks above, if any, came within 500 ms)\n");
  std::printf("a CL_COMPLETE callback set now on the failed marker:\n");
  clSetEventCallback(marker, CL_COMPLETE, report, const_cast<char*>("the failed marker, set late"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::printf("clFinish: %d\n", clFinish(queue));
  for (const auto& w : watched) clReleaseEvent(w.event);
  clReleaseMemObject(buffer);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  return 0;
}
