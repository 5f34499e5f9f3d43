// A slow worker start is not a dead server. A session's worker initialises
// its platforms before it is ready, which on a real GPU host (a vendor
// driver's start, a busy machine) takes seconds: longer than a client's
// connect timeout. The router tells such a client at once that it is
// starting the session (HelloPending), and the client waits for the worker
// up to the start timeout the router states, never longer.
//
// The start is made slow by the server's test-only --test-delay-start MS:
// each worker waits that long before it initialises its platforms, as a
// slow driver's initialisation would, in the real worker process the real
// router starts (no mock of either, and PoCL's own start is untouched: an
// ICD dir that made PoCL slow would need a shim library of its own).

#include <gtest/gtest.h>

#include <CL/cl.h>
#include <CL/cl_ext.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "child_process.h"
#include "own_server_test.h"
#include "raw_client.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/message.h"
#include "server_process.h"
#include "server_status.h"
#include "temp_directory.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kStartDelay = 2s;

class SlowStartTest : public OwnServerTest {
 protected:
  SlowStartTest() : OwnServerTest("rcl-slow-start", true) {}

  // In the child: the driver's log into `clientLog`, remote-cl alone, on
  // this test's server, with a connect timeout of 500 ms (shorter than the start).
  Outcome useServer(const std::string& clientLog) const {
    if (std::freopen(clientLog.c_str(), "w", stderr) == nullptr) return Outcome("no client log");
    setenv("REMOTE_CL_LOG", "info", 1);
    setenv("OCL_ICD_VENDORS", vendors_.c_str(), 1);
    setenv("REMOTE_CL_SERVERS", server_->endpoint().c_str(), 1);
    setenv("REMOTE_CL_CONNECT_TIMEOUT_MS", "500", 1);
    return {};
  }
};

// Writes and reads back bytes through the platform's first device.
Outcome roundTripBytes(cl_platform_id platform) {
  cl_device_id device = nullptr;
  cl_int error = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr);
  if (error != CL_SUCCESS) return "clGetDeviceIDs: " + std::to_string(error);
  cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error);
  if (error != CL_SUCCESS) return "clCreateContext: " + std::to_string(error);
  cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, nullptr, &error);
  if (error != CL_SUCCESS) return "clCreateCommandQueueWithProperties: " + std::to_string(error);
  std::vector<unsigned char> data(4096), back(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 7 + 3);
  cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, data.size(), data.data(), &error);
  if (error != CL_SUCCESS) return "clCreateBuffer: " + std::to_string(error);
  error = clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, back.size(), back.data(), 0, nullptr, nullptr);
  if (error != CL_SUCCESS) return "clEnqueueReadBuffer: " + std::to_string(error);
  if (back != data) return Outcome("the buffer read back other bytes than it was created with");
  clReleaseMemObject(buffer);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  return {};
}

TEST_F(SlowStartTest, AWorkerReadyAfterTwoSecondsGivesItsPlatformToAClientThatWaitsHalfASecond) {
  // A start timeout far above the delay: a loaded machine adds PoCL's own start to it.
  startServer({"--test-delay-start", std::to_string(std::chrono::milliseconds(kStartDelay).count()),
               "--worker-start-timeout", "120"});
  const std::string clientLog = temp_.file("client.log");
  ChildProcess child([&]() -> Outcome {
    if (auto failed = useServer(clientLog); !failed.empty()) return failed;
    const auto start = Clock::now();
    cl_platform_id platform = nullptr;
    cl_uint count = 0;
    const cl_int error = clGetPlatformIDs(1, &platform, &count);
    const auto took = Clock::now() - start;
    if (error != CL_SUCCESS || count != 1)
      return "clGetPlatformIDs: " + std::to_string(error) + ", " + std::to_string(count) + " platform(s)";
    if (took < kStartDelay) return Outcome("the platform came before the worker's delay: is --test-delay-start working?");
    return roundTripBytes(platform);
  });
  EXPECT_EQ(child.waitForOutcome(200s), "");
  const std::string log = readTextFile(clientLog);
  EXPECT_NE(log.find("is starting a session"), std::string::npos)
      << "the client did not log that the server was starting its session:\n" << log;
  EXPECT_EQ(log.find("no answer from server"), std::string::npos) << "the client gave the server up:\n" << log;
}

TEST_F(SlowStartTest, AWorkerThatNeverGetsReadyFailsTheHandshakeWithTheRoutersError) {
  startServer({"--test-delay-start", "600000", "--worker-start-timeout", "3"});
  const std::string clientLog = temp_.file("client.log");
  ChildProcess child([&]() -> Outcome {
    if (auto failed = useServer(clientLog); !failed.empty()) return failed;
    cl_platform_id platform = nullptr;
    cl_uint count = 0;
    const cl_int error = clGetPlatformIDs(1, &platform, &count);
    if (error != CL_PLATFORM_NOT_FOUND_KHR || count != 0)
      return "clGetPlatformIDs: " + std::to_string(error) + ", " + std::to_string(count) +
             " platform(s), not CL_PLATFORM_NOT_FOUND_KHR and none";
    return {};
  });
  // Bounded: the start timeout (3 s) and the client's margin (5 s); far more only on a hang.
  EXPECT_EQ(child.waitForOutcome(120s), "");
  const std::string log = readTextFile(clientLog);
  EXPECT_NE(log.find("is starting a session"), std::string::npos)
      << "the client did not log that the server was starting its session:\n" << log;
  EXPECT_NE(log.find("the session's worker did not start"), std::string::npos)
      << "the client did not get the router's error:\n" << log;
  const auto refused = waitForStatus(
      server_->endpoint(),
      [](const ServerStatus& s) { return protocol::countOf(s.refusedByReason, "session could not start") == 1; }, 30s);
  EXPECT_TRUE(refused) << "the server did not count one session that could not start; status: " << refused.last;
}

// An older client's hello (no takes_pending) gets no HelloPending: its first
// answer is the HelloReply, however long the worker takes.
TEST_F(SlowStartTest, AHelloWithoutTakesPendingGetsOnlyItsReply) {
  startServer({"--test-delay-start", std::to_string(std::chrono::milliseconds(kStartDelay).count()),
               "--worker-start-timeout", "120"});
  zmq::context_t zmq(1);
  RawClient client(zmq, server_->endpoint(), 0x5105);
  client.sendControl(protocol::control::Hello{.seq = 1, .protocol_version = protocol::kProtocolVersion,
                                              .client_name = "an older client"}
                         .frames());
  auto answer = client.receive(130s);
  ASSERT_TRUE(answer) << "no answer to the hello within 130 s";
  ASSERT_EQ(answer->kind, protocol::Kind::Reply) << "the first answer is not the HelloReply";
  ASSERT_EQ(answer->status, CL_SUCCESS);
  const auto hello = protocol::control::HelloReply::decodeBody(*answer->rest, 1);
  EXPECT_FALSE(hello.platforms.empty()) << "the session offers no platform";
}

}  // namespace
}  // namespace rcl::test
