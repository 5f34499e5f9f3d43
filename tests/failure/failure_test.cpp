// A server or a client that dies. Calls of a client whose server died must
// fail within 5 s, never hang; a server must free everything a dead client held.

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <signal.h>

#include <CL/cl.h>
#include <CL/cl_ext.h>

#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <future>
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
#include "temp_directory.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class FailureTest : public OwnServerTest {
 protected:
  FailureTest() : OwnServerTest("rcl-failure", true) {}

  void SetUp() override {
    OwnServerTest::SetUp();
    if (IsSkipped()) return;
    std::vector<std::string> args{"--client-timeout", clientTimeoutSeconds()};
    for (const auto& arg : extraServerArgs()) args.push_back(arg);
    startServer(args);
  }

  virtual std::vector<std::string> extraServerArgs() const { return {}; }
  // Short, so that a stopped client is given up soon.
  virtual std::string clientTimeoutSeconds() const { return "1"; }

  // In the child: use only remote-cl, on this test's server.
  // A silent server counts as gone after 3 s here (unless the environment
  // says otherwise), not the default 10 s, to keep these tests short.
  void useServer() const {
    setenv("OCL_ICD_VENDORS", vendors_.c_str(), 1);
    setenv("REMOTE_CL_SERVERS", server_->endpoint().c_str(), 1);
    setenv("REMOTE_CL_DEAD_AFTER_MS", "3000", 0);
  }

  // The pid of the worker serving `client`, as the server's status lists it
  // (it may take a moment after the client connected); 0 if it listed none
  // within 30 s, and then `why` says what the status showed.
  pid_t workerOf(const ChildProcess& client, std::string& why) const {
    const auto found = waitForStatus(
        server_->endpoint(),
        [&](const ServerStatus& s) {
          const auto* session = sessionOfClient(s, client.pid());
          return session != nullptr && session->workerPid != 0;
        },
        30s);
    if (!found) {
      why = "the server's status listed no worker serving client " + std::to_string(client.pid()) +
            " within 30 s; status: " + found.last;
      return 0;
    }
    return static_cast<pid_t>(sessionOfClient(*found.status, client.pid())->workerPid);
  }

  // Stops (SIGSTOP) the worker serving `client`, whose pid `worker` gets; fails the test if there is none.
  void stopWorkerOf(const ChildProcess& client, pid_t& worker) const {
    std::string why;
    worker = workerOf(client, why);
    ASSERT_NE(worker, 0) << why;
    ASSERT_EQ(::kill(worker, SIGSTOP), 0) << "cannot stop worker " << worker << ": " << std::strerror(errno);
  }

  // The session of the client process `clientPid` once the server ended it,
  // as its status lists it; nullopt if it did not within `timeout`, and then
  // `last` describes the last status.
  // The ended session of `clientPid` (that ended for `reason`, if given).
  std::optional<EndedSessionStatus> endedSessionOf(pid_t clientPid, std::chrono::milliseconds timeout, std::string& last,
                                                   const std::string& reason = "") const {
    const auto found = waitForStatus(
        server_->endpoint(),
        [&](const ServerStatus& s) { return endedSessionOfClient(s, clientPid, reason) != nullptr; }, timeout);
    last = found.last;
    if (!found) return std::nullopt;
    return *endedSessionOfClient(*found.status, clientPid, reason);
  }
};

// In a child: a fill of a new 64-byte `buffer` that waits on a user event
// never set, and a clFinish waiting for it on another thread (invalid: the fill
// was refused).
std::future<cl_int> finishBehindAGate(const RemoteDevice& r, cl_mem& buffer) {
  cl_int error = CL_SUCCESS;
  cl_event gate = clCreateUserEvent(r.context, &error);
  buffer = clCreateBuffer(r.context, CL_MEM_READ_WRITE, 64, nullptr, &error);
  const char pattern = 7;
  if (clEnqueueFillBuffer(r.queue, buffer, &pattern, 1, 0, 64, 1, &gate, nullptr) != CL_SUCCESS) return {};
  auto pending = std::async(std::launch::async, [queue = r.queue] { return clFinish(queue); });
  std::this_thread::sleep_for(200ms);
  return pending;
}

// In a child: signals the parent once connected, then writes and reads back a
// buffer for `duration`, checking every byte. 
Outcome keepsComputingCorrectly(std::chrono::seconds duration) {
  const RemoteDevice r = openRemoteDevice();
  if (!r.failed.empty()) return r.failed;
  ChildProcess::signalParent();
  cl_int error = CL_SUCCESS;
  cl_mem buffer = clCreateBuffer(r.context, CL_MEM_READ_WRITE, 4096, nullptr, &error);
  std::vector<int> data(1024), back(1024);
  const auto start = Clock::now();
  for (int round = 0; Clock::now() - start < duration; ++round) {
    for (int i = 0; i < 1024; ++i) data[i] = round * 1024 + i;
    if (clEnqueueWriteBuffer(r.queue, buffer, CL_TRUE, 0, 4096, data.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return "a blocking write failed while the other session crashed";
    if (clEnqueueReadBuffer(r.queue, buffer, CL_TRUE, 0, 4096, back.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return "a blocking read failed while the other session crashed";
    if (back != data) return "a read brought back other bytes than were written (round " + std::to_string(round) + ")";
  }
  return {};
}

TEST_F(FailureTest, CallsFailWithinFiveSecondsAfterTheServerIsKilled) {
  ChildProcess child([&]() -> Outcome {
    useServer();
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    cl_int error = CL_SUCCESS;
    cl_mem buffer = nullptr;
    auto pending = finishBehindAGate(r, buffer);
    if (!pending.valid()) return "the gated fill was refused";
    ChildProcess::signalParent();  // the parent kills the server now

    const auto killed = Clock::now();
    if (pending.wait_for(6s) != std::future_status::ready) return "the pending clFinish hung";
    if (pending.get() == CL_SUCCESS) return "the pending clFinish succeeded";
    if (Clock::now() - killed > 5s) return "the pending clFinish failed only after 5 s";
    const auto before = Clock::now();
    clCreateBuffer(r.context, CL_MEM_READ_WRITE, 64, nullptr, &error);
    if (error == CL_SUCCESS) return "a new clCreateBuffer succeeded";
    char bytes[64];
    if (clEnqueueReadBuffer(r.queue, buffer, CL_TRUE, 0, 64, bytes, 0, nullptr, nullptr) == CL_SUCCESS)
      return "a new read succeeded";
    if (Clock::now() - before > 1s) return "a new call took over 1 s to fail";
    return {};
  });
  ASSERT_TRUE(child.waitForSignal(20s)) << "the child did not get going: " << child.waitForOutcome(5s);
  ::kill(server_->pid(), SIGKILL);
  EXPECT_EQ(child.waitForOutcome(15s), "");
}

// The same with a big read waiting on the bulk socket (tcp, no shared memory).
TEST_F(FailureTest, ABigReadOnTheBulkSocketFailsWithinFiveSecondsAfterTheServerIsKilled) {
  ChildProcess child([&]() -> Outcome {
    useServer();
    setenv("REMOTE_CL_SHM", "0", 1);
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    cl_int error = CL_SUCCESS;
    cl_event gate = clCreateUserEvent(r.context, &error);
    const std::size_t size = std::size_t{4} << 20;
    cl_mem buffer = clCreateBuffer(r.context, CL_MEM_READ_WRITE, size, nullptr, &error);
    std::vector<unsigned char> bytes(size);
    auto pending = std::async(std::launch::async, [&] {
      return clEnqueueReadBuffer(r.queue, buffer, CL_TRUE, 0, size, bytes.data(), 1, &gate, nullptr);
    });
    std::this_thread::sleep_for(200ms);
    ChildProcess::signalParent();  // the parent kills the server now

    const auto killed = Clock::now();
    if (pending.wait_for(6s) != std::future_status::ready) return "the pending read hung";
    if (pending.get() == CL_SUCCESS) return "the pending read succeeded";
    if (Clock::now() - killed > 5s) return "the pending read failed only after 5 s";
    const auto before = Clock::now();
    if (clEnqueueWriteBuffer(r.queue, buffer, CL_TRUE, 0, size, bytes.data(), 0, nullptr, nullptr) == CL_SUCCESS)
      return "a new write succeeded";
    if (Clock::now() - before > 1s) return "a new write took over 1 s to fail";
    return {};
  });
  ASSERT_TRUE(child.waitForSignal(20s)) << "the child did not get going: " << child.waitForOutcome(5s);
  ::kill(server_->pid(), SIGKILL);
  EXPECT_EQ(child.waitForOutcome(15s), "");
}

// The server gives a client the default time of silence: a write of 256 MiB in
// ZeroMQ frames reaches the worker as one message, and on a busy machine its
// frames can take longer than the other tests' 1 s (the worker then ended the
// session as a silent client's before the test stopped it).
class BigTransferFailureTest : public FailureTest {
 protected:
  std::string clientTimeoutSeconds() const override { return "30"; }
};

// A worker that stops answering (SIGSTOP: its sockets stay open, nothing is
// read) while the application writes 256 MiB blocking: the write returns an
// error within 5 s of the heartbeat's limit, whether its bytes were in
// ZeroMQ frames or on the bulk socket, and never hangs.
TEST_F(BigTransferFailureTest, ABigBlockingWriteToAStoppedWorkerFailsInsteadOfHanging) {
  for (const char* bulkSocket : {"0", "1"}) {
    SCOPED_TRACE(std::string("REMOTE_CL_BULK_SOCKET=") + bulkSocket);
    ChildProcess child([&]() -> Outcome {
      useServer();
      setenv("REMOTE_CL_SHM", "0", 1);
      setenv("REMOTE_CL_BULK_SOCKET", bulkSocket, 1);
      const RemoteDevice r = openRemoteDevice();
      if (!r.failed.empty()) return r.failed;
      cl_int error = CL_SUCCESS;
      const std::size_t size = std::size_t{256} << 20;
      cl_mem buffer = clCreateBuffer(r.context, CL_MEM_READ_WRITE, size, nullptr, &error);
      if (error != CL_SUCCESS) return "no 256 MiB buffer: " + clErrorName(error);
      std::vector<unsigned char> bytes(size, 1);
      ChildProcess::signalParent();  // the parent stops the worker now
      std::this_thread::sleep_for(300ms);
      const auto start = Clock::now();
      if (clEnqueueWriteBuffer(r.queue, buffer, CL_TRUE, 0, size, bytes.data(), 0, nullptr, nullptr) == CL_SUCCESS)
        return "the write to a stopped worker succeeded";
      return Clock::now() - start < 8s ? "" : "the write to a stopped worker took over 8 s to fail";
    });
    ASSERT_TRUE(child.waitForSignal(30s));
    pid_t worker = 0;
    ASSERT_NO_FATAL_FAILURE(stopWorkerOf(child, worker));
    EXPECT_EQ(child.waitForOutcome(30s), "");
    ::kill(worker, SIGKILL);
    ::kill(worker, SIGCONT);
  }
}

// A frozen server (SIGSTOP: its connections stay open, it answers nothing)
// with the default dead_after_ms: a pending clFinish and a new call fail
// within dead_after_ms + 2 s, and not before the server was silent that long.
TEST_F(FailureTest, CallsFailWithinTheHeartbeatLimitAfterTheServerIsStopped) {
  ChildProcess child([&]() -> Outcome {
    useServer();
    unsetenv("REMOTE_CL_DEAD_AFTER_MS");  // the default: 10 s
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    cl_mem buffer = nullptr;
    auto pending = finishBehindAGate(r, buffer);
    if (!pending.valid()) return "the gated fill was refused";
    ChildProcess::signalParent();  // the parent stops the worker now
    const auto stopped = Clock::now();
    if (pending.wait_for(12s + 1s) != std::future_status::ready) return "the pending clFinish hung";
    const auto failedAfter = Clock::now() - stopped;
    if (pending.get() == CL_SUCCESS) return "the pending clFinish succeeded";
    if (failedAfter > 12s) return "the pending clFinish failed only after 12 s";
    if (failedAfter < 8s) return "the pending clFinish failed before the server was silent for 10 s";
    const auto before = Clock::now();
    char bytes[64];
    if (clEnqueueReadBuffer(r.queue, buffer, CL_TRUE, 0, 64, bytes, 0, nullptr, nullptr) == CL_SUCCESS)
      return "a new read succeeded";
    if (Clock::now() - before > 1s) return "a new call took over 1 s to fail";
    return {};
  });
  ASSERT_TRUE(child.waitForSignal(30s)) << "the child did not get going: " << child.waitForOutcome(5s);
  pid_t worker = 0;
  ASSERT_NO_FATAL_FAILURE(stopWorkerOf(child, worker));
  EXPECT_EQ(child.waitForOutcome(30s), "");
  ::kill(worker, SIGKILL);
  ::kill(worker, SIGCONT);
}

// A worker stopped (SIGSTOP) while ZeroMQ sends a big non-blocking write
// straight from the application's memory: the write's event fails once the
// client gives the server up, and only once ZeroMQ is done with that memory.
// The application unmaps it at once, then the worker wakes up (SIGCONT: its
// socket reads again), and the client goes on unharmed.
TEST_F(FailureTest, AFailedWritesMemoryIsTheApplicationsAgainWhenItsEventFails) {
  ChildProcess child([&]() -> Outcome {
    useServer();
    setenv("REMOTE_CL_SHM", "0", 1);
    setenv("REMOTE_CL_BULK_SOCKET", "0", 1);
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    cl_int error = CL_SUCCESS;
    const std::size_t size = std::size_t{256} << 20;
    cl_mem buffer = clCreateBuffer(r.context, CL_MEM_READ_WRITE, size, nullptr, &error);
    if (error != CL_SUCCESS) return "no 256 MiB buffer: " + clErrorName(error);
    void* bytes = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bytes == MAP_FAILED) return "mmap of 256 MiB failed";
    std::memset(bytes, 1, size);
    ChildProcess::signalParent();  // the parent stops the worker now
    std::this_thread::sleep_for(300ms);
    cl_event written = nullptr;
    if (clEnqueueWriteBuffer(r.queue, buffer, CL_FALSE, 0, size, bytes, 0, nullptr, &written) != CL_SUCCESS)
      return "the non-blocking write was refused";
    clFlush(r.queue);
    if (clWaitForEvents(1, &written) == CL_SUCCESS) return "the write to a stopped worker succeeded";
    ::munmap(bytes, size);
    ChildProcess::signalParent();  // the parent wakes the worker now
    std::this_thread::sleep_for(1s);  // time for ZeroMQ to read the unmapped memory, if it still could
    return {};
  });
  ASSERT_TRUE(child.waitForSignal(30s));
  pid_t worker = 0;
  ASSERT_NO_FATAL_FAILURE(stopWorkerOf(child, worker));
  EXPECT_TRUE(child.waitForSignal(30s)) << "the write's event did not fail";
  ::kill(worker, SIGCONT);
  // Killed by SIGSEGV or SIGABRT: ZeroMQ read the memory after the event failed.
  EXPECT_EQ(child.waitForOutcome(30s), "");
  ::kill(worker, SIGKILL);
}

// A client that is alive but silent (stopped: its connections stay open) is
// given up after --client-timeout (1 s here), and everything it held is freed.
TEST_F(FailureTest, TheServerFreesTheSessionOfAStoppedClientAfterItsTimeout) {
  ChildProcess child([&]() -> Outcome {
    useServer();
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    cl_int error = CL_SUCCESS;
    clCreateBuffer(r.context, CL_MEM_READ_WRITE, 1 << 20, nullptr, &error);
    if (error != CL_SUCCESS || clFinish(r.queue) != CL_SUCCESS) return "no 1 MiB buffer";
    ChildProcess::signalParent();
    for (;;) std::this_thread::sleep_for(1s);  // stopped, then killed by the parent
  });
  ASSERT_TRUE(child.waitForSignal(60s)) << "the child did not get going: " << child.waitForOutcome(5s);
  child.kill(SIGSTOP);
  std::string last;
  const auto ended = endedSessionOf(child.pid(), 30s, last);
  child.kill(SIGKILL);
  child.kill(SIGCONT);
  child.waitForOutcome(5s);
  ASSERT_TRUE(ended) << "the server never ended the stopped client's session within 30 s (--client-timeout 1); "
                        "status: "
                     << last;
  EXPECT_EQ(ended->reason, "client silent") << "the stopped client's session ended for another reason; status: " << last;
  EXPECT_EQ(ended->objectsFreed(), 3u) << "the server did not free the context, queue and buffer; status: " << last;
  EXPECT_EQ(freedOf(*ended, "memory object"), 1u) << "the 1 MiB buffer was not freed; status: " << last;
  EXPECT_GE(ended->memoryBytesFreed, 1u << 20) << "the 1 MiB buffer's memory was not freed; status: " << last;
}

TEST_F(FailureTest, TheServerFreesEverythingAKilledClientHeld) {
  ChildProcess child([&]() -> Outcome {
    useServer();
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    cl_int error = CL_SUCCESS;
    for (int i = 0; i < 3; ++i) clCreateBuffer(r.context, CL_MEM_READ_WRITE, 1 << 20, nullptr, &error);
    const char* source = "kernel void k(global int* p) { p[0] = 1; }";
    cl_program program = clCreateProgramWithSource(r.context, 1, &source, nullptr, &error);
    if (clBuildProgram(program, 1, &r.device, nullptr, nullptr, nullptr) != CL_SUCCESS) return "the build failed";
    clCreateKernel(program, "k", &error);
    if (error != CL_SUCCESS) return "clCreateKernel failed: " + clErrorName(error);
    if (clFinish(r.queue) != CL_SUCCESS) return "clFinish failed";
    ChildProcess::signalParent();
    for (;;) std::this_thread::sleep_for(1s);  // killed by the parent
  });
  ASSERT_TRUE(child.waitForSignal(60s)) << "the child did not get going: " << child.waitForOutcome(5s);
  child.kill(SIGKILL);
  child.waitForExit(5s);

  // context, queue, 3 buffers, program, kernel: 7 objects.
  // A killed client's connections close: its session is freed at once, not
  // after its silence (--client-timeout is 1 s here: a reason tells them apart).
  std::string last;
  const auto ended = endedSessionOf(child.pid(), 30s, last);
  ASSERT_TRUE(ended) << "the server never ended the killed client's session within 30 s; status: " << last;
  EXPECT_EQ(ended->reason, "the client's connection closed")
      << "the killed client's session did not end as its connection closed; status: " << last;
  EXPECT_EQ(ended->objectsFreed(), 7u)
      << "the server did not free the context, queue, 3 buffers, program and kernel; status: " << last;
  EXPECT_EQ(freedOf(*ended, "context"), 1u) << "status: " << last;
  EXPECT_EQ(freedOf(*ended, "memory object"), 3u) << "status: " << last;
  EXPECT_GE(ended->memoryBytesFreed, 3u << 20) << "the 3 MiB of buffers were not freed; status: " << last;
}

// A command buffer lives on the server: a killed client's one is released
// with the rest (through its platform's clReleaseCommandBufferKHR), before
// the queue and the buffer it holds.
TEST_F(FailureTest, TheServerFreesTheCommandBufferOfAKilledClient) {
  ChildProcess child([&]() -> Outcome {
    useServer();
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    auto create = reinterpret_cast<clCreateCommandBufferKHR_fn>(
        clGetExtensionFunctionAddressForPlatform(r.platform, "clCreateCommandBufferKHR"));
    auto fill = reinterpret_cast<clCommandFillBufferKHR_fn>(
        clGetExtensionFunctionAddressForPlatform(r.platform, "clCommandFillBufferKHR"));
    auto finalize = reinterpret_cast<clFinalizeCommandBufferKHR_fn>(
        clGetExtensionFunctionAddressForPlatform(r.platform, "clFinalizeCommandBufferKHR"));
    if (create == nullptr || fill == nullptr || finalize == nullptr) return "a command-buffer entry point is NULL";
    cl_int error = CL_SUCCESS;
    cl_mem buffer = clCreateBuffer(r.context, CL_MEM_READ_WRITE, 4096, nullptr, &error);
    if (error != CL_SUCCESS) return "clCreateBuffer failed: " + clErrorName(error);
    cl_command_buffer_khr commands = create(1, &r.queue, nullptr, &error);
    if (error != CL_SUCCESS) return "clCreateCommandBufferKHR failed: " + clErrorName(error);
    const cl_int pattern = 1;
    if (fill(commands, nullptr, buffer, &pattern, sizeof pattern, 0, 4096, 0, nullptr, nullptr, nullptr) != CL_SUCCESS)
      return "clCommandFillBufferKHR failed";
    if (finalize(commands) != CL_SUCCESS) return "clFinalizeCommandBufferKHR failed";
    ChildProcess::signalParent();
    for (;;) std::this_thread::sleep_for(1s);  // killed by the parent
  });
  ASSERT_TRUE(child.waitForSignal(60s)) << "the child did not get going: " << child.waitForOutcome(5s);
  child.kill(SIGKILL);
  child.waitForExit(5s);
  std::string last;
  const auto ended = endedSessionOf(child.pid(), 30s, last);
  ASSERT_TRUE(ended) << "the server never ended the killed client's session within 30 s; status: " << last;
  EXPECT_EQ(ended->objectsFreed(), 4u)
      << "the server did not free the context, queue, buffer and command buffer; status: " << last;
  EXPECT_EQ(freedOf(*ended, "command buffer"), 1u) << "the command buffer was not freed; status: " << last;
  EXPECT_EQ(ended->releasesFailed, 0u) << "the real platform refused some releases; status: " << last;
}

// Each session runs in a worker process: one that crashes takes no other
// session with it, and its own client gets errors, not a hang.
TEST_F(FailureTest, AWorkerThatCrashesLeavesOtherSessionsRunning) {
  ChildProcess victim([&]() -> Outcome {
    useServer();
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    ChildProcess::signalParent();
    std::this_thread::sleep_for(1500ms);  // the parent crashes this session's worker meanwhile
    const auto start = Clock::now();
    cl_int error = CL_SUCCESS;
    clCreateBuffer(r.context, CL_MEM_READ_WRITE, 64, nullptr, &error);
    if (error == CL_SUCCESS && clFinish(r.queue) == CL_SUCCESS) {
      // The crash may not be noticed before the heartbeat times out: keep calling.
      while (Clock::now() - start < 6s && clFinish(r.queue) == CL_SUCCESS) std::this_thread::sleep_for(100ms);
    }
    return Clock::now() - start < 6s ? "" : "the crashed session's calls did not fail within 6 s";
  });
  ChildProcess survivor([&]() -> Outcome {
    useServer();
    return keepsComputingCorrectly(4s);
  });
  ASSERT_TRUE(victim.waitForSignal(30s));
  ASSERT_TRUE(survivor.waitForSignal(30s));

  std::string why;
  const pid_t worker = workerOf(victim, why);
  ASSERT_NE(worker, 0) << why;
  ASSERT_EQ(::kill(worker, SIGKILL), 0);  // as a fault in a kernel or driver would end it

  EXPECT_EQ(victim.waitForOutcome(20s), "");
  EXPECT_EQ(survivor.waitForOutcome(20s), "");
  std::string last;
  const auto ended = endedSessionOf(victim.pid(), 30s, last, "worker failed");
  ASSERT_TRUE(ended) << "the server never noticed that the victim's worker died; status: " << last;
  EXPECT_EQ(ended->reason, "worker failed") << "status: " << last;
  EXPECT_EQ(ended->workerPid, static_cast<std::uint64_t>(worker)) << "status: " << last;
  EXPECT_NE(ended->detail.find("killed by signal"), std::string::npos)
      << "the server did not say its worker was killed; status: " << last;
}

// A kernel that writes far out of bounds kills its session's worker (a
// segfault on PoCL's CPU device): its client gets an error within 6 s, the
// other session's results stay right, the server logs the crash.
TEST_F(FailureTest, AKernelThatCrashesItsWorkerLeavesOtherSessionsRunning) {
  ChildProcess survivor([&]() -> Outcome {
    useServer();
    return keepsComputingCorrectly(5s);
  });
  ASSERT_TRUE(survivor.waitForSignal(30s));
  ChildProcess victim([&]() -> Outcome {
    useServer();
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    const char* source = "__kernel void wild(__global int* p) { p[(long)1 << 40] = 1; }\n";
    cl_int error = CL_SUCCESS;
    cl_program program = clCreateProgramWithSource(r.context, 1, &source, nullptr, &error);
    if (clBuildProgram(program, 1, &r.device, nullptr, nullptr, nullptr) != CL_SUCCESS) return "the build failed";
    cl_kernel kernel = clCreateKernel(program, "wild", &error);
    cl_mem buffer = clCreateBuffer(r.context, CL_MEM_READ_WRITE, 64, nullptr, &error);
    if (clSetKernelArg(kernel, 0, sizeof buffer, &buffer) != CL_SUCCESS) return "clSetKernelArg failed";
    const size_t one = 1;
    if (clEnqueueNDRangeKernel(r.queue, kernel, 1, nullptr, &one, nullptr, 0, nullptr, nullptr) != CL_SUCCESS)
      return "clEnqueueNDRangeKernel failed";
    const auto start = Clock::now();
    const cl_int finished = clFinish(r.queue);
    if (finished == CL_SUCCESS) return "clFinish succeeded: the kernel did not crash the worker";
    return Clock::now() - start < 6s ? "" : "clFinish did not fail within 6 s";
  });
  EXPECT_EQ(victim.waitForOutcome(30s), "");
  EXPECT_EQ(survivor.waitForOutcome(30s), "");
  // The server saw the worker die: by SIGSEGV, or (under AddressSanitizer,
  // which catches the fault and reports it) with a failure exit code.
  std::string last;
  const auto ended = endedSessionOf(victim.pid(), 30s, last, "worker failed");
  ASSERT_TRUE(ended) << "the server never noticed that the victim's worker crashed; status: " << last;
  EXPECT_EQ(ended->reason, "worker failed") << "status: " << last;
  EXPECT_TRUE(ended->detail == "worker killed by signal Segmentation fault" ||
              ended->detail == "worker exited with code 1")
      << "the server did not say its worker crashed; status: " << last;
}

// Per-session limits: going over one is an OpenCL error, and the session
// goes on (what was freed can be had again).
class LimitsTest : public FailureTest {
 protected:
  std::vector<std::string> extraServerArgs() const override {
    return {"--max-objects", "8", "--max-memory", "1052672", "--max-message", "2097152"};  // 1 MiB + 4 KiB
  }
};

// A buffer the client could not know the server refuses: its creation is
// pipelined (it returns at once, CL_SUCCESS), and its first use fails with
// CL_OUT_OF_RESOURCES (as the specification allows for memory allocated
// lazily) in the event of a command; a small blocking read, a sync call,
// returns the creation's own failure, `creation`; its release succeeds and
// leaves nothing behind.
Outcome firstUseFails(const RemoteDevice& r, cl_mem m, cl_int creation) {
  const cl_int expected = CL_OUT_OF_RESOURCES;
  char bytes[16] = {};
  // (A blocking write may return once its bytes are copied: a read must wait.)
  if (cl_int read = clEnqueueReadBuffer(r.queue, m, CL_TRUE, 0, sizeof bytes, bytes, 0, nullptr, nullptr);
      read != creation)
    return "its first use, a blocking read, returned " + clErrorName(read);
  cl_event filled = nullptr;
  const cl_int pattern = 7;
  if (clEnqueueFillBuffer(r.queue, m, &pattern, sizeof pattern, 0, sizeof bytes, 0, nullptr, &filled) != CL_SUCCESS)
    return "a fill of it was refused at the call";
  const cl_int waited = clWaitForEvents(1, &filled);
  cl_int status = CL_COMPLETE;
  clGetEventInfo(filled, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
  clReleaseEvent(filled);
  if (waited != CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST || status != expected)
    return "the wait for a fill of it returned " + clErrorName(waited) + ", its event's status " + clErrorName(status);
  return clReleaseMemObject(m) == CL_SUCCESS ? "" : "its release failed";
}

TEST_F(LimitsTest, GoingOverALimitIsAnOpenClError) {
  ChildProcess child([&]() -> Outcome {
    useServer();
    setenv("REMOTE_CL_SHARED_BUFFERS", "0", 1);  // every buffer in the server's memory, its creation pipelined
    const RemoteDevice r = openRemoteDevice();  // a context and a queue: 2 objects
    if (!r.failed.empty()) return r.failed;
    cl_int error = CL_SUCCESS;
    const std::size_t half = 512 * 1024;
    cl_mem a = clCreateBuffer(r.context, CL_MEM_READ_WRITE, half, nullptr, &error);
    if (error != CL_SUCCESS) return "the first half MiB buffer failed: " + clErrorName(error);
    cl_mem b = clCreateBuffer(r.context, CL_MEM_READ_WRITE, half, nullptr, &error);
    if (error != CL_SUCCESS) return "the second half MiB buffer failed: " + clErrorName(error);
    cl_mem c = clCreateBuffer(r.context, CL_MEM_READ_WRITE, half, nullptr, &error);
    // Pipelined: the memory limit shows at the first use.
    if (c == nullptr || error != CL_SUCCESS) return "a buffer over the memory limit failed at the call";
    if (auto failed = firstUseFails(r, c, CL_MEM_OBJECT_ALLOCATION_FAILURE); !failed.empty())
      return "a buffer over the memory limit: " + failed;
    clReleaseMemObject(b);
    b = clCreateBuffer(r.context, CL_MEM_READ_WRITE, half, nullptr, &error);
    if (error != CL_SUCCESS) return "the memory freed could not be had again: " + clErrorName(error);
    char check[16] = {};
    if (clEnqueueWriteBuffer(r.queue, b, CL_TRUE, 0, sizeof check, check, 0, nullptr, nullptr) != CL_SUCCESS)
      return "the memory freed could not be written";

    // 4 objects now; 4 more small buffers reach the limit of 8.
    for (int i = 0; i < 4; ++i) {
      clCreateBuffer(r.context, CL_MEM_READ_WRITE, 16, nullptr, &error);
      if (error != CL_SUCCESS) return "a buffer under the object limit failed: " + clErrorName(error);
    }
    cl_mem over = clCreateBuffer(r.context, CL_MEM_READ_WRITE, 16, nullptr, &error);
    // The object limit, at the first use too.
    if (over == nullptr || error != CL_SUCCESS) return "a buffer over the object limit failed at the call";
    if (auto failed = firstUseFails(r, over, CL_OUT_OF_RESOURCES); !failed.empty())
      return "a buffer over the object limit: " + failed;

    // A request over the message limit: refused, and the session goes on.
    std::vector<char> big(3 * 1024 * 1024, 1);
    cl_mem target = a;
    cl_event written = nullptr;
    if (clEnqueueWriteBuffer(r.queue, target, CL_TRUE, 0, half, big.data(), 0, nullptr, &written) != CL_SUCCESS)
      return "a half MiB write after the limits failed";
    clReleaseEvent(written);
    cl_int status = clEnqueueWriteBuffer(r.queue, target, CL_TRUE, 0, half, big.data(), 0, nullptr, &written);
    if (status != CL_SUCCESS) return "a second half MiB write failed: " + clErrorName(status);
    clReleaseEvent(written);
    char bytes[16];
    if (clEnqueueReadBuffer(r.queue, a, CL_TRUE, 0, sizeof bytes, bytes, 0, nullptr, nullptr) != CL_SUCCESS)
      return "the read after the limits failed";
    return bytes[0] == 1 ? "" : "the read after the limits brought back other bytes";
  });
  EXPECT_EQ(child.waitForOutcome(60s), "");
}

TEST_F(LimitsTest, ARequestOverTheMessageLimitIsRefused) {
  ChildProcess child([&]() -> Outcome {
    useServer();
    const RemoteDevice r = openRemoteDevice();
    if (!r.failed.empty()) return r.failed;
    cl_int error = CL_SUCCESS;
    // No memory limit applies to the bytes of a request, only the message limit (2 MiB).
    const char* source = "kernel void k(global int* p) { p[0] = 1; }";
    std::string huge(3 * 1024 * 1024, ' ');
    huge += source;
    const char* text = huge.c_str();
    // A program of source is created without waiting (the client cannot
    // know the server's limit): the refusal fails its first use, its build.
    cl_program program = clCreateProgramWithSource(r.context, 1, &text, nullptr, &error);
    if (error != CL_SUCCESS) return "the creation of a program of 3 MiB of source waited and gave " + clErrorName(error);
    error = clBuildProgram(program, 0, nullptr, nullptr, nullptr, nullptr);
    if (error != CL_OUT_OF_RESOURCES)
      return "the build of a program whose 3 MiB request was over the 2 MiB message limit gave " + clErrorName(error);
    if (clReleaseProgram(program) != CL_SUCCESS) return "the refused program's release failed";
    program = clCreateProgramWithSource(r.context, 1, &source, nullptr, &error);
    if (error == CL_SUCCESS) error = clBuildProgram(program, 0, nullptr, nullptr, nullptr, nullptr);
    return error == CL_SUCCESS ? "" : "the session did not go on after a refused request";
  });
  EXPECT_EQ(child.waitForOutcome(60s), "");
}

TEST_F(FailureTest, NoServerMeansNoPlatformSoon) {
  ChildProcess child([&]() -> Outcome {
    setenv("OCL_ICD_VENDORS", vendors_.c_str(), 1);
    setenv("REMOTE_CL_SERVERS", "tcp://127.0.0.1:1", 1);  // nobody listens there
    const auto start = Clock::now();
    cl_uint count = 99;
    const cl_int status = clGetPlatformIDs(0, nullptr, &count);
    if (Clock::now() - start > 5s) return "clGetPlatformIDs took over 5 s without a server";
    if (count != 0 || status != CL_PLATFORM_NOT_FOUND_KHR)
      return std::to_string(count) + " platforms found without a server, status " + clErrorName(status);
    return {};
  });
  EXPECT_EQ(child.waitForOutcome(20s), "");
}

}  // namespace
}  // namespace rcl::test
