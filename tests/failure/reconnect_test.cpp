// A server that dies and comes back: the client's calls fail while it is gone, and once it is
// back on the same endpoint, the same process makes new contexts, buffers and kernels on the
// same platform and device handles, while the objects of the lost session keep failing.

#include <gtest/gtest.h>
#include <signal.h>

#include <CL/cl.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "child_process.h"
#include "cl_error_names.h"
#include "own_server_test.h"
#include "remote_device.h"
#include "server_process.h"
#include "small_compute.h"
#include "temp_directory.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class ReconnectTest : public OwnServerTest {
 protected:
  ReconnectTest() : OwnServerTest("rcl-reconnect", true) {}

  std::unique_ptr<ServerProcess> start(const std::string& endpoint) {
    ServerLaunch launch;
    launch.binary = binary_;
    launch.args = {"--listen", endpoint, "--client-timeout", "2"};
    launch.unsetVariables = {"OCL_ICD_VENDORS", "REMOTE_CL_SERVERS"};
    launch.logPath = temp_.file("server-" + std::to_string(++started_) + ".log");
    return std::make_unique<ServerProcess>(launch);
  }

  int started_ = 0;
};

TEST_F(ReconnectTest, NewObjectsWorkOnceTheServerIsBack) {
  auto server = start("tcp://127.0.0.1:*");
  const std::string endpoint = server->endpoint();
  ChildProcess child([&]() -> Outcome {
    const RemoteDevice remote = openRemoteDevice(vendors_, endpoint);
    if (!remote.failed.empty()) return remote.failed;
    cl_platform_id platform = remote.platform;
    cl_device_id device = remote.device;
    cl_context context = remote.context;
    cl_command_queue queue = remote.queue;
    cl_int error = CL_SUCCESS;
    int data[16] = {1, 2, 3};
    cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof data, data, &error);
    if (error != CL_SUCCESS || clFinish(queue) != CL_SUCCESS) return "no buffer: " + clErrorName(error);
    ChildProcess::signalParent();  // the parent kills the server now

    // While it is gone: calls fail, within 5 s.
    const auto killed = Clock::now();
    while (clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, sizeof data, data, 0, nullptr, nullptr) == CL_SUCCESS) {
      if (Clock::now() - killed > 5s) return "reads still worked 5 s after the server was killed";
      std::this_thread::sleep_for(100ms);
    }
    if (Clock::now() - killed > 5s) return "a read took over 5 s to fail";
    // Still gone: calls on its device try it again (at most once a second), and fail soon.
    const auto tries = Clock::now();
    for (int i = 0; i < 3; ++i)
      if (clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error) != nullptr || error != CL_OUT_OF_RESOURCES)
        return "a context on the device of a server that is gone: " + clErrorName(error);
    if (Clock::now() - tries > 3s) return "3 contexts on the device of a server that is gone took over 3 s to fail";
    ChildProcess::signalParent();  // the parent starts a server on the same endpoint now

    // Once it is back: the same platform and device, and new objects on them work.
    const auto restarted = Clock::now();
    cl_context fresh = nullptr;
    while (fresh == nullptr) {
      if (Clock::now() - restarted > 30s) return "no new context within 30 s of the server's restart";
      fresh = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error);
      if (fresh == nullptr) std::this_thread::sleep_for(200ms);
    }
    clReleaseContext(fresh);
    cl_platform_id again = nullptr;
    cl_device_id deviceAgain = nullptr;
    if (clGetPlatformIDs(1, &again, nullptr) != CL_SUCCESS || again != platform)
      return "another platform handle after the restart";
    if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &deviceAgain, nullptr) != CL_SUCCESS || deviceAgain != device)
      return "another device handle after the restart";
    if (const auto failed = addVectors(device); !failed.empty())
      return "the computation after the restart failed: " + failed;

    // The lost session's objects keep failing.
    if (clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, sizeof data, data, 0, nullptr, nullptr) != CL_OUT_OF_RESOURCES)
      return "a read of the lost session's buffer did not fail with CL_OUT_OF_RESOURCES";
    clCreateBuffer(context, CL_MEM_READ_WRITE, 64, nullptr, &error);
    if (error != CL_OUT_OF_RESOURCES) return "a buffer in the lost session's context: " + clErrorName(error);
    // Mixing them with the new session's is refused.
    cl_context mixed = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error);
    if (error != CL_SUCCESS) return "a new context: " + clErrorName(error);
    clCreateCommandQueueWithProperties(mixed, device, nullptr, &error);
    if (error != CL_SUCCESS) return "a new queue: " + clErrorName(error);
    cl_mem other = clCreateBuffer(mixed, CL_MEM_READ_WRITE, sizeof data, nullptr, &error);
    if (error != CL_SUCCESS) return "a new buffer: " + clErrorName(error);
    if (clEnqueueCopyBuffer(queue, buffer, other, 0, 0, sizeof data, 0, nullptr, nullptr) == CL_SUCCESS)
      return "a copy between the lost session's buffer and a new one succeeded";
    return {};
  });
  ASSERT_TRUE(child.waitForSignal(30s)) << "the child did not get going: " << child.waitForOutcome(5s);
  ::kill(server->pid(), SIGKILL);
  server->stop();
  ASSERT_TRUE(child.waitForSignal(15s)) << "the child's calls did not fail after the server was killed";
  auto back = start(endpoint);
  EXPECT_EQ(child.waitForOutcome(90s), "") << readTextFile(back->logPath());
}

}  // namespace
}  // namespace rcl::test
