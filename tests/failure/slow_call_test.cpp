// A slow call is not a dead server. The server here makes every
// clGetProgramInfo stay 20 s inside the real platform (--test-delay-call, a
// test-only flag), as a driver that compiles inside it on a busy host would:
// the call returns its real result, the client never declares the server
// lost, and meanwhile the client's other threads keep computing and pushed
// events (a completion callback) keep arriving.

#include <gtest/gtest.h>

#include <CL/cl.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "own_server_test.h"
#include "remote_device.h"
#include "server_process.h"
#include "server_status.h"
#include "temp_directory.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kDelay = 20s;

class SlowCallTest : public OwnServerTest {
 protected:
  SlowCallTest() : OwnServerTest("rcl-slow-call", true) {}

  void SetUp() override {
    OwnServerTest::SetUp();
    if (IsSkipped()) return;
    const std::string delay = "clGetProgramInfo=" + std::to_string(std::chrono::milliseconds(kDelay).count());
    startServer({"--test-delay-call", delay});
  }
};

const char* kSource = "kernel void twice(global int* p) { size_t i = get_global_id(0); p[i] = 2 * p[i]; }";

void CL_CALLBACK countCompletion(cl_event, cl_int status, void* counter) {
  if (status == CL_COMPLETE) static_cast<std::atomic<int>*>(counter)->fetch_add(1);
}

// Another thread of the same client, while the slow call runs: write, run a
// kernel (with a completion callback), read back, check every byte.
std::string computeMeanwhile(const RemoteDevice& r, cl_kernel kernel, std::chrono::seconds duration, int& rounds,
                             std::atomic<int>& callbacks) {
  cl_int error = CL_SUCCESS;
  constexpr std::size_t n = 4096;
  cl_mem buffer = clCreateBuffer(r.context, CL_MEM_READ_WRITE, n * sizeof(int), nullptr, &error);
  if (error != CL_SUCCESS) return "clCreateBuffer: " + std::to_string(error);
  if ((error = clSetKernelArg(kernel, 0, sizeof buffer, &buffer)) != CL_SUCCESS)
    return "clSetKernelArg: " + std::to_string(error);
  std::vector<int> data(n), back(n);
  const auto start = Clock::now();
  for (rounds = 0; Clock::now() - start < duration; ++rounds) {
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<int>(rounds * n + i);
    if ((error = clEnqueueWriteBuffer(r.queue, buffer, CL_FALSE, 0, n * sizeof(int), data.data(), 0, nullptr,
                                      nullptr)) != CL_SUCCESS)
      return "clEnqueueWriteBuffer: " + std::to_string(error);
    cl_event ran = nullptr;
    const std::size_t global = n;
    if ((error = clEnqueueNDRangeKernel(r.queue, kernel, 1, nullptr, &global, nullptr, 0, nullptr, &ran)) !=
        CL_SUCCESS)
      return "clEnqueueNDRangeKernel: " + std::to_string(error);
    if ((error = clSetEventCallback(ran, CL_COMPLETE, countCompletion, &callbacks)) != CL_SUCCESS)
      return "clSetEventCallback: " + std::to_string(error);
    clReleaseEvent(ran);
    if ((error = clEnqueueReadBuffer(r.queue, buffer, CL_TRUE, 0, n * sizeof(int), back.data(), 0, nullptr,
                                     nullptr)) != CL_SUCCESS)
      return "clEnqueueReadBuffer: " + std::to_string(error);
    for (std::size_t i = 0; i < n; ++i)
      if (back[i] != 2 * data[i])
        return "round " + std::to_string(rounds) + ": element " + std::to_string(i) + " is " +
               std::to_string(back[i]) + ", not " + std::to_string(2 * data[i]);
  }
  clReleaseMemObject(buffer);
  return {};
}

TEST_F(SlowCallTest, ACallOfTwentySecondsReturnsItsResultWhileTheClientGoesOn) {
  const std::string clientLog = temp_.file("client.log");
  ChildProcess child([&]() -> Outcome {
    // The driver's log lines (a lost server would say so here).
    if (std::freopen(clientLog.c_str(), "w", stderr) == nullptr) return Outcome("no client log");
    setenv("REMOTE_CL_LOG", "info", 1);
    const RemoteDevice r = openRemoteDevice(vendors_, server_->endpoint());
    if (!r.failed.empty()) return "opening the remote device: " + r.failed;
    cl_int error = CL_SUCCESS;
    cl_program program = clCreateProgramWithSource(r.context, 1, &kSource, nullptr, &error);
    if (error != CL_SUCCESS || clBuildProgram(program, 1, &r.device, nullptr, nullptr, nullptr) != CL_SUCCESS)
      return Outcome("the program did not build");
    cl_kernel kernel = clCreateKernel(program, "twice", &error);
    if (error != CL_SUCCESS) return Outcome("clCreateKernel: " + std::to_string(error));

    // The slow call, on a thread of its own.
    const auto start = Clock::now();
    auto slow = std::async(std::launch::async, [&] {
      char names[64] = {};
      const cl_int status = clGetProgramInfo(program, CL_PROGRAM_KERNEL_NAMES, sizeof names, names, nullptr);
      return std::make_pair(status, std::string(names));
    });
    std::this_thread::sleep_for(1s);  // well inside the slow call
    int rounds = 0;
    std::atomic<int> callbacks{0};
    const std::string meanwhile = computeMeanwhile(r, kernel, 5s, rounds, callbacks);
    const auto computed = Clock::now() - start;
    if (!meanwhile.empty()) return Outcome("the other thread failed meanwhile: " + meanwhile);
    if (slow.wait_for(0s) == std::future_status::ready)
      return Outcome("the slow call was not slow: is --test-delay-call working?");
    if (computed > kDelay - 5s)
      return Outcome("the other thread took " +
                                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(computed).count()) +
                                   " s for 5 s of work: it waited for the slow call");
    if (rounds < 5) return Outcome("the other thread made only " + std::to_string(rounds) + " rounds in 5 s");
    // Every round's completion callback arrives while the slow call still runs.
    for (const auto until = Clock::now() + 5s; callbacks < rounds && Clock::now() < until;)
      std::this_thread::sleep_for(10ms);
    if (slow.wait_for(0s) == std::future_status::ready)
      return Outcome("the slow call returned before the pushes were checked");
    if (callbacks != rounds)
      return Outcome(std::to_string(callbacks.load()) + " of " + std::to_string(rounds) +
                                   " completion callbacks arrived during the slow call");

    if (slow.wait_for(kDelay + 30s) != std::future_status::ready) return Outcome("the slow call hung");
    const auto [status, names] = slow.get();
    const auto took = Clock::now() - start;
    if (status != CL_SUCCESS) return Outcome("the slow call failed: " + std::to_string(status));
    if (names != "twice") return Outcome("the slow call returned kernel names '" + names + "'");
    if (took < kDelay) return Outcome("the slow call took less than the delay");
    // The session is the same one: its objects still work.
    int rest = 0;
    const std::string after = computeMeanwhile(r, kernel, 1s, rest, callbacks);
    if (!after.empty()) return Outcome("after the slow call: " + after);
    std::printf("slow call: %.1f s; meanwhile %d rounds and %d callbacks in %.1f s\n",
                std::chrono::duration<double>(took).count(), rounds, callbacks.load(),
                std::chrono::duration<double>(computed).count());
    std::fflush(stdout);
    return {};
  });
  EXPECT_EQ(child.waitForOutcome(kDelay + 90s), "");
  const std::string log = readTextFile(clientLog);
  EXPECT_EQ(log.find("lost server"), std::string::npos) << "the client declared the server lost:\n" << log;
  // The server never took the client for silent: its session ended when the client did, and no session for silence.
  const auto found = waitForStatus(
      server_->endpoint(), [&](const ServerStatus& s) { return endedSessionOfClient(s, child.pid()) != nullptr; },
      30s);
  ASSERT_TRUE(found) << "the server never ended the client's session within 30 s of its end; status: " << found.last;
  EXPECT_EQ(protocol::countOf(found->endedByReason, "client silent"), 0u)
      << "the server took the client for silent during the slow call; status: " << found.last;
}

}  // namespace
}  // namespace rcl::test
