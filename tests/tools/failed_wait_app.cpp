// Commands that fail because a user event they wait for is set to a negative
// status, on the first device of the first platform: a fill that waits for
// the user event, a marker that waits for the fill, a marker behind them on
// the in-order queue, a non-blocking read that waits for the user event, and
// a CL_COMPLETE callback on the chained marker. The user event fails while
// clWaitForEvents waits for all of them (set from another thread), then:
// clWaitForEvents returns CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, every
// command's status is negative, the callback ran with a negative status, and
// the queue still works. Run `--rounds N` times over (fresh commands each).
// Prints how long each wait took (for reading, never judged here) and
// "failed_wait_app: OK" when every outcome is right.
//
// Meant for remote-cl: natively PoCL 3.1 never calls the callback of a
// command that failed (so that check fails there), while remote-cl runs it on
// the client from the failure the server pushes. The failures must come as
// pushes, not answers to polls: tests/tools/check_failed_wait_trace.py counts
// the clGetEventInfo round trips in the trace, and wants none.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include <CL/cl.h>

namespace {

struct CallbackRecord {
  std::mutex mutex;
  std::condition_variable changed;
  bool called = false;
  cl_int status = 1234;

  static void CL_CALLBACK record(cl_event, cl_int status, void* userData) {
    auto* self = static_cast<CallbackRecord*>(userData);
    std::lock_guard lock(self->mutex);
    self->called = true;
    self->status = status;
    self->changed.notify_all();
  }
};

bool failed(const char* what, cl_int status) {
  std::fprintf(stderr, "failed_wait_app: %s (%d)\n", what, status);
  return false;
}

cl_int statusOf(cl_event event) {
  cl_int status = 1234;
  const cl_int error = clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
  return error == CL_SUCCESS ? status : error;
}

// One round: the commands, the failure while waiting, the outcomes.
bool round(cl_context context, cl_command_queue queue, cl_mem buffer) {
  cl_int error = CL_SUCCESS;
  cl_event gate = clCreateUserEvent(context, &error);
  if (error != CL_SUCCESS) return failed("clCreateUserEvent", error);
  const cl_uint pattern = 7;
  cl_uint readBack[4] = {};
  cl_event events[4] = {};  // fill, chained marker, marker behind, read
  if ((error = clEnqueueFillBuffer(queue, buffer, &pattern, sizeof pattern, 0, 256, 1, &gate, &events[0])) != CL_SUCCESS)
    return failed("the fill", error);
  if ((error = clEnqueueMarkerWithWaitList(queue, 1, &events[0], &events[1])) != CL_SUCCESS)
    return failed("the chained marker", error);
  if ((error = clEnqueueMarkerWithWaitList(queue, 0, nullptr, &events[2])) != CL_SUCCESS)
    return failed("the marker behind", error);
  if ((error = clEnqueueReadBuffer(queue, buffer, CL_FALSE, 0, sizeof readBack, readBack, 1, &gate, &events[3])) !=
      CL_SUCCESS)
    return failed("the read", error);
  CallbackRecord record;
  if ((error = clSetEventCallback(events[1], CL_COMPLETE, &CallbackRecord::record, &record)) != CL_SUCCESS)
    return failed("clSetEventCallback", error);
  if ((error = clFlush(queue)) != CL_SUCCESS) return failed("clFlush", error);

  std::thread failer([gate] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    clSetUserEventStatus(gate, -1);
  });
  const auto start = std::chrono::steady_clock::now();
  const cl_int waited = clWaitForEvents(4, events);
  const auto took = std::chrono::steady_clock::now() - start;
  failer.join();
  std::printf("failed_wait_app: the wait returned %d after %lld ms\n", waited,
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  bool ok = true;
  if (waited != CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
    ok = failed("clWaitForEvents did not return CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST", waited);
  const char* names[4] = {"the fill", "the chained marker", "the marker behind", "the read"};
  for (int i = 0; i < 4; ++i) {
    const cl_int status = statusOf(events[i]);
    if (status >= 0) {
      std::fprintf(stderr, "failed_wait_app: %s has status %d, not a failure\n", names[i], status);
      ok = false;
    }
  }
  {
    // (A bound only so that a missing callback fails instead of hanging.)
    std::unique_lock lock(record.mutex);
    if (!record.changed.wait_for(lock, std::chrono::seconds(60), [&] { return record.called; }))
      ok = failed("the chained marker's callback never ran", 0);
    else if (record.status >= 0)
      ok = failed("the chained marker's callback ran with a status that is not a failure", record.status);
  }
  // The queue goes on: a command that waits for nothing completes.
  cl_event after = nullptr;
  if ((error = clEnqueueMarkerWithWaitList(queue, 0, nullptr, &after)) != CL_SUCCESS) {
    ok = failed("a marker after the failure", error);
  } else {
    if ((error = clWaitForEvents(1, &after)) != CL_SUCCESS) ok = failed("the wait for a marker after the failure", error);
    clReleaseEvent(after);
  }
  for (cl_event e : events) clReleaseEvent(e);
  clReleaseEvent(gate);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 1;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[++i]);

  cl_platform_id platform;
  cl_device_id device;
  cl_int status = clGetPlatformIDs(1, &platform, nullptr);
  if (status != CL_SUCCESS) return failed("clGetPlatformIDs", status), 1;
  status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr);
  if (status != CL_SUCCESS) return failed("clGetDeviceIDs", status), 1;
  cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &status);
  if (status != CL_SUCCESS) return failed("clCreateContext", status), 1;
  cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, nullptr, &status);
  if (status != CL_SUCCESS) return failed("clCreateCommandQueueWithProperties", status), 1;
  cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, 256, nullptr, &status);
  if (status != CL_SUCCESS) return failed("clCreateBuffer", status), 1;

  bool ok = true;
  for (int i = 0; i < rounds && ok; ++i) ok = round(context, queue, buffer);
  if ((status = clFinish(queue)) != CL_SUCCESS) ok = failed("clFinish after the failures", status);
  clReleaseMemObject(buffer);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  if (!ok) return 1;
  std::printf("failed_wait_app: OK\n");
  return 0;
}
