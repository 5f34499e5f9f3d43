// SVM addresses no real client sends: forged, past an allocation's end, or
// another session's. The server must refuse each (CL_INVALID_VALUE, or the
// call's own error) without touching the memory, and keep serving. And a
// client that dies holding SVM has it freed.

#include <gtest/gtest.h>
#include <signal.h>

#include <CL/cl.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>

#include "child_process.h"
#include "raw_client.h"
#include "own_server_test.h"
#include "rcl/protocol/opencl_wire.h"
#include "rcl/protocol/svm.h"
#include "server_status.h"

namespace rcl::test {
namespace {

using protocol::CallId;
using protocol::Kind;
using protocol::SvmCopy;

// The tags these raw requests write are the places of the layouts in
// clEnqueueSVMMemcpy's `variants` (codegen/opencl_calls.toml).
template <SvmCopy tag>
using Layout = std::variant_alternative_t<static_cast<std::size_t>(tag),
                                          decltype(protocol::opencl::clEnqueueSVMMemcpyRequest::direction)>;
static_assert(std::is_same_v<Layout<SvmCopy::SvmToSvm>, protocol::opencl::clEnqueueSVMMemcpyRequest::SvmToSvm>);
static_assert(std::is_same_v<Layout<SvmCopy::HostToSvm>, protocol::opencl::clEnqueueSVMMemcpyRequest::HostToSvm>);
static_assert(std::is_same_v<Layout<SvmCopy::SvmToHost>, protocol::opencl::clEnqueueSVMMemcpyRequest::SvmToHost>);
static_assert(std::is_same_v<Layout<SvmCopy::HostToHost>, protocol::opencl::clEnqueueSVMMemcpyRequest::HostToHost>);

constexpr std::uint64_t kContext = 1;
constexpr std::uint64_t kQueue = 2;
constexpr std::size_t kSize = 4096;

class SvmInputTest : public RawServerTest {
 protected:
  SvmInputTest() : RawServerTest("rcl-svm-input") {}

  // A context and a queue on the first device; their ids are kContext and kQueue.
  void contextAndQueue(RawClient& client) {
    const auto device = client.hello();
    ASSERT_NE(device, 0u);
    ASSERT_EQ(client.createContext(kContext, device).status, CL_SUCCESS);
    ASSERT_EQ(client.createQueue(kQueue, kContext, device).status, CL_SUCCESS);
  }

  // The server's address of a new SVM allocation of kSize bytes (0 if refused).
  std::uint64_t allocate(RawClient& client) {
    auto reply = client.call(CallId::clSVMAlloc, [](protocol::Writer& w) {
      w.u64(kContext);
      w.u64(CL_MEM_READ_WRITE);
      w.u64(kSize);
      w.u64(0);  // alignment
    });
    if (reply.kind != Kind::Reply || reply.status != CL_SUCCESS) return 0;
    return reply.rest->u64();
  }

  // An SVM read of `size` bytes at `address` (its bytes would come as the read `readId`).
  RawReply readSvm(RawClient& client, std::uint64_t address, std::uint64_t size, std::uint64_t readId) {
    return client.call(CallId::clEnqueueSVMMemcpy, [&](protocol::Writer& w) {
      w.u64(kQueue);
      w.integer(SvmCopy::SvmToHost);
      w.u64(address);
      w.u64(size);
      w.nil();  // wait list
      w.u64(readId);
    });
  }

  RawReply fillSvm(RawClient& client, std::uint64_t address, std::uint64_t size) {
    const cl_uint pattern = 0xdeadbeef;
    return client.call(CallId::clEnqueueSVMMemFill, [&](protocol::Writer& w) {
      w.u64(kQueue);
      w.u64(address);
      w.bin(&pattern, sizeof pattern);
      w.u64(sizeof pattern);
      w.u64(size);
      w.u64(0);  // no wait list
      w.nil();
      w.nil();  // no event
    });
  }

  RawReply freeSvm(RawClient& client, std::uint64_t address) {
    return client.call(CallId::clSVMFree, [&](protocol::Writer& w) { w.u64(address); });
  }
};

TEST_F(SvmInputTest, AddressesOutsideTheSessionsAllocationsAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x5f11);
  ASSERT_NO_FATAL_FAILURE(contextAndQueue(client));
  const std::uint64_t svm = allocate(client);
  ASSERT_NE(svm, 0u);

  // The server's own memory, named by an address near the allocation, and the bytes just past its end.
  EXPECT_EQ(readSvm(client, svm - 4096, 64, 100).status, CL_INVALID_VALUE);
  EXPECT_EQ(readSvm(client, svm + kSize, 1, 101).status, CL_INVALID_VALUE);
  EXPECT_EQ(readSvm(client, svm + kSize - 8, 16, 102).status, CL_INVALID_VALUE);
  EXPECT_EQ(readSvm(client, 0x1000, 8, 103).status, CL_INVALID_VALUE);
  EXPECT_EQ(fillSvm(client, svm - 64, 64).status, CL_INVALID_VALUE);
  EXPECT_EQ(fillSvm(client, svm + 64, kSize).status, CL_INVALID_VALUE);
  // A copy between two forged addresses.
  auto copy = client.call(CallId::clEnqueueSVMMemcpy, [&](protocol::Writer& w) {
    w.u64(kQueue);
    w.integer(SvmCopy::SvmToSvm);
    w.u64(svm + 2 * kSize);
    w.u64(svm);
    w.u64(64);
    w.nil();
    w.nil();
  });
  EXPECT_EQ(copy.status, CL_INVALID_VALUE);
  // A buffer on memory that is not the session's SVM.
  const std::uint64_t forged = svm - 4096;
  auto buffer = client.call(CallId::clCreateBuffer, [&](protocol::Writer& w) {
    w.u64(10);  // the buffer's id
    w.u64(kContext);
    w.u64(CL_MEM_USE_HOST_PTR);
    w.u64(64);
    w.bin(&forged, sizeof forged);
  });
  EXPECT_EQ(buffer.status, CL_INVALID_HOST_PTR);
  // Frees: inside an allocation, or never allocated.
  EXPECT_EQ(freeSvm(client, svm + 8).status, CL_INVALID_VALUE);
  EXPECT_EQ(freeSvm(client, 0x1000).status, CL_INVALID_VALUE);
  auto freeTwice = client.call(CallId::clEnqueueSVMFree, [&](protocol::Writer& w) {
    w.u64(kQueue);
    const std::uint64_t twice[2] = {svm, svm};
    w.bin(twice, sizeof twice);
    w.nil();
    w.nil();
  });
  EXPECT_EQ(freeTwice.status, CL_INVALID_VALUE);

  // The session goes on, and its allocation is intact and usable.
  auto read = readSvm(client, svm, kSize, 104);
  EXPECT_EQ(read.kind, Kind::Reply);
  EXPECT_EQ(read.status, CL_SUCCESS);
  auto data = client.receive();
  ASSERT_TRUE(data);
  EXPECT_EQ(data->kind, Kind::ReadData);
  EXPECT_EQ(freeSvm(client, svm).status, CL_SUCCESS);
  EXPECT_EQ(readSvm(client, svm, 8, 105).status, CL_INVALID_VALUE) << "freed";
}

TEST_F(SvmInputTest, AnotherSessionsAllocationIsUnknown) {
  RawClient alice(zmq_, server_->endpoint(), 0xa11ce);
  RawClient bob(zmq_, server_->endpoint(), 0xb0b);
  ASSERT_NO_FATAL_FAILURE(contextAndQueue(alice));
  ASSERT_NO_FATAL_FAILURE(contextAndQueue(bob));
  const std::uint64_t hers = allocate(alice);
  ASSERT_NE(hers, 0u);
  EXPECT_EQ(readSvm(bob, hers, 8, 200).status, CL_INVALID_VALUE);
  EXPECT_EQ(fillSvm(bob, hers, 8).status, CL_INVALID_VALUE);
  EXPECT_EQ(freeSvm(bob, hers).status, CL_INVALID_VALUE);
  EXPECT_EQ(fillSvm(alice, hers, 8).status, CL_SUCCESS) << "still hers";
}

TEST_F(SvmInputTest, SvmCountsInTheSessionsMemoryLimit) {
  server_.reset();
  startServer({"--max-memory", "10000"}, "limited.log");
  RawClient client(zmq_, server_->endpoint(), 0x11417);
  ASSERT_NO_FATAL_FAILURE(contextAndQueue(client));
  EXPECT_NE(allocate(client), 0u);
  EXPECT_NE(allocate(client), 0u);
  EXPECT_EQ(allocate(client), 0u) << "12288 bytes of SVM is over a limit of 10000";
  auto buffer = client.createBuffer(10, kContext, 4096);
  EXPECT_EQ(buffer.status, CL_MEM_OBJECT_ALLOCATION_FAILURE) << "buffers and SVM share the limit";
}

TEST_F(SvmInputTest, TheServerFreesTheSvmOfAKilledClient) {
  const char* vendors = std::getenv("RCL_VENDORS_DIR");
  if (vendors == nullptr) GTEST_SKIP() << "RCL_VENDORS_DIR is not set";
  server_.reset();
  startServer({"--client-timeout", "1"}, "killed.log");
  ChildProcess child([&]() -> Outcome {
    setenv("OCL_ICD_VENDORS", vendors, 1);
    setenv("REMOTE_CL_SERVERS", server_->endpoint().c_str(), 1);
    cl_platform_id platform = nullptr;
    cl_device_id device = nullptr;
    if (clGetPlatformIDs(1, &platform, nullptr) != CL_SUCCESS) return "clGetPlatformIDs found no remote platform";
    if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr) != CL_SUCCESS)
      return "clGetDeviceIDs found no remote device";
    cl_int error = CL_SUCCESS;
    cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error);
    if (error != CL_SUCCESS) return "clCreateContext failed: " + std::to_string(error);
    void* svm[3] = {clSVMAlloc(context, CL_MEM_READ_WRITE, 100, 0), clSVMAlloc(context, CL_MEM_READ_WRITE, 1 << 20, 0),
                    clSVMAlloc(context, CL_MEM_READ_ONLY, 16, 0)};
    for (void* p : svm)
      if (p == nullptr) return "clSVMAlloc returned NULL";
    // A buffer on one of them: freed before the SVM it uses.
    clCreateBuffer(context, CL_MEM_USE_HOST_PTR, 1 << 19, svm[1], &error);
    if (error != CL_SUCCESS) return "clCreateBuffer on SVM failed: " + std::to_string(error);
    ChildProcess::signalParent();
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // killed by the parent
  });
  ASSERT_TRUE(child.waitForSignal(std::chrono::seconds(60)))
      << "the child did not get going: " << child.waitForOutcome(std::chrono::seconds(5));
  child.kill(SIGKILL);
  child.waitForOutcome(std::chrono::seconds(5));

  // The context, the buffer and 3 SVM allocations.
  // A killed client's connections close: its session is freed at once, not after its silence.
  const auto found = waitForStatus(
      server_->endpoint(), [&](const ServerStatus& s) { return endedSessionOfClient(s, child.pid()) != nullptr; },
      std::chrono::seconds(30));
  ASSERT_TRUE(found) << "the server never ended the killed client's session within 30 s; status: " << found.last;
  const auto& ended = *endedSessionOfClient(*found.status, child.pid());
  EXPECT_EQ(ended.reason, "the client's connection closed") << "status: " << found.last;
  EXPECT_EQ(ended.objectsFreed(), 5u)
      << "the server did not free the context, the buffer and 3 SVM allocations; status: " << found.last;
  EXPECT_EQ(freedOf(ended, "SVM allocation"), 3u) << "the 3 SVM allocations were not freed; status: " << found.last;
  EXPECT_EQ(ended.releasesFailed, 0u) << "the real platform refused some releases; status: " << found.last;
}

}  // namespace
}  // namespace rcl::test
