// Shared buffers (same host, 64 KiB and more: protocol/shm.h) are created
// without waiting for the server, like other buffers (issue 16): the client
// knows the worker builds them on its memfd (the context's devices use the
// host's memory). One the server then refuses (its object limit) returned
// CL_SUCCESS at the call, so the refusal must show at its first uses (a
// blocking write nothing waits for, which the client would otherwise copy
// itself, a read, a map) with the server's error; its release succeeds and
// leaves nothing behind: the session's object count is back where it was
// and the worker keeps no mapping of its memfd. The buffer within the limit
// works throughout.

#include <gtest/gtest.h>
#include <unistd.h>

#include <CL/cl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "cl_error_names.h"
#include "own_server_test.h"
#include "remote_device.h"
#include "server_process.h"
#include "server_status.h"
#include "shared_mappings.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;

// The session's context, queue and one buffer.
constexpr std::uint64_t kMaxObjects = 3;
constexpr std::size_t kSize = std::size_t{1} << 20;

class SharedCreationTest : public OwnServerTest {
 protected:
  SharedCreationTest() : OwnServerTest("rcl-shared-creation", true) {}

  void SetUp() override {
    OwnServerTest::SetUp();
    if (!IsSkipped()) startServer({"--max-objects", std::to_string(kMaxObjects)});
  }

  // This client's session as the server lists it, once `done` holds of it
  // (up to 5 s); "" or what went otherwise in `why`.
  template <class Done>
  std::optional<SessionStatus> session(Done done, std::string& why) const {
    std::optional<SessionStatus> seen;
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < until) {
      const auto status = askServerStatus(server_->endpoint(), 10s, &why);
      if (!status) return std::nullopt;
      if (const SessionStatus* s = sessionOfClient(*status, ::getpid())) {
        seen = *s;
        if (done(*s)) return seen;
      }
      std::this_thread::sleep_for(100ms);
    }
    why = seen ? "the server counts " + std::to_string(seen->objects) + " objects" : "no session listed";
    return std::nullopt;
  }
};

TEST_F(SharedCreationTest, ARefusedSharedBufferFailsItsFirstUsesAndLeavesNothing) {
  ChildProcess child([&]() -> Outcome {
    const RemoteDevice remote = openRemoteDevice(vendors_, server_->endpoint());
    if (!remote.failed.empty()) return remote.failed;
    cl_context context = remote.context;
    cl_command_queue queue = remote.queue;
    std::vector<unsigned char> initial(kSize), back(kSize);
    for (std::size_t i = 0; i < kSize; ++i) initial[i] = static_cast<unsigned char>(i * 11 + i / 5);
    cl_int error = CL_SUCCESS;
    cl_mem fits = clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, initial.data(), &error);
    if (error != CL_SUCCESS) return "the buffer within the limit: " + clErrorName(error);
    // Over the limit: posted, so CL_SUCCESS at the call.
    cl_mem over = clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, kSize, initial.data(), &error);
    if (over == nullptr || error != CL_SUCCESS)
      return "a shared buffer over the limit failed at the call: " + clErrorName(error);

    // First uses, each with the server's error.
    error = clEnqueueWriteBuffer(queue, over, CL_TRUE, 0, kSize, initial.data(), 0, nullptr, nullptr);
    if (error != CL_OUT_OF_RESOURCES) return "the refused buffer's blocking write returned " + clErrorName(error);
    error = clEnqueueReadBuffer(queue, over, CL_TRUE, 0, kSize, back.data(), 0, nullptr, nullptr);
    if (error != CL_OUT_OF_RESOURCES) return "the refused buffer's blocking read returned " + clErrorName(error);
    void* mapped = clEnqueueMapBuffer(queue, over, CL_TRUE, CL_MAP_READ, 0, 4096, 0, nullptr, nullptr, &error);
    if (mapped != nullptr || error != CL_OUT_OF_RESOURCES)
      return "the refused buffer's blocking map returned " + clErrorName(error);

    // The one within the limit: its bytes, a write and a read.
    if (clEnqueueReadBuffer(queue, fits, CL_TRUE, 0, kSize, back.data(), 0, nullptr, nullptr) != CL_SUCCESS ||
        back != initial)
      return "the buffer within the limit does not hold its initial bytes";
    for (auto& b : initial) b = static_cast<unsigned char>(b ^ 0x5a);
    if (clEnqueueWriteBuffer(queue, fits, CL_TRUE, 0, kSize, initial.data(), 0, nullptr, nullptr) != CL_SUCCESS ||
        clEnqueueReadBuffer(queue, fits, CL_TRUE, 0, kSize, back.data(), 0, nullptr, nullptr) != CL_SUCCESS ||
        back != initial)
      return "the buffer within the limit did not keep a write";

    // Released: nothing was left; the worker maps only the buffer within the limit.
    if (clReleaseMemObject(over) != CL_SUCCESS) return "the refused buffer's release failed";
    if (clFinish(queue) != CL_SUCCESS) return "clFinish failed";
    std::string why;
    const auto listed = session(
        [](const SessionStatus& s) { return s.objects == kMaxObjects && sharedMappings(static_cast<pid_t>(s.workerPid)) == 1; }, why);
    if (!listed) return "after the refused buffer's release: " + why;
    const auto workerPid = static_cast<pid_t>(listed->workerPid);
    clReleaseMemObject(fits);
    if (clFinish(queue) != CL_SUCCESS) return "clFinish failed";
    if (!awaitSharedMappings(workerPid, 0, 5s)) return "the worker kept the mapping of a released buffer";
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
    return {};
  });
  EXPECT_EQ(child.waitForOutcome(60s), "");
}

}  // namespace
}  // namespace rcl::test
