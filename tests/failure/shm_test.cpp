// Same-host bulk data through shared memory (protocol/shm.h): a big transfer
// really takes it (the session's socket sees only small messages), it can be
// turned off, no segment is left in /dev/shm, and a client that names slots
// the segment does not have gets an error while its session goes on.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <CL/cl.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "raw_client.h"
#include "rcl/protocol/control.h"
#include "rcl/protocol/shm.h"
#include "server_process.h"
#include "temp_directory.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using protocol::Kind;

constexpr std::size_t kBig = std::size_t{64} << 20;

class ShmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* server = std::getenv("RCL_SERVER_BIN");
    const char* vendors = std::getenv("RCL_VENDORS_DIR");
    if (server == nullptr || vendors == nullptr) GTEST_SKIP() << "RCL_SERVER_BIN or RCL_VENDORS_DIR is not set";
    vendors_ = vendors;
    server_ = std::make_unique<ServerProcess>(ServerLaunch::loopback(server, temp_.file("server.log")));
  }

  // In a child: writes and reads back 64 MiB (plus an odd tail) through remote-cl. 0, or what failed.
  int bigTransfer() const {
    setenv("OCL_ICD_VENDORS", vendors_.c_str(), 1);
    setenv("REMOTE_CL_SERVERS", server_->endpoint().c_str(), 1);
    cl_platform_id platform = nullptr;
    cl_device_id device = nullptr;
    if (clGetPlatformIDs(1, &platform, nullptr) != CL_SUCCESS) return 10;
    if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr) != CL_SUCCESS) return 11;
    cl_int error = CL_SUCCESS;
    cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error);
    cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, nullptr, &error);
    const std::size_t size = kBig + 4093;
    cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, size, nullptr, &error);
    if (error != CL_SUCCESS) return 12;
    std::vector<unsigned char> data(size), back(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<unsigned char>(i * 7 + i / 4099);
    if (clEnqueueWriteBuffer(queue, buffer, CL_TRUE, 0, size, data.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return 13;
    if (clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, size, back.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return 14;
    if (back != data) return 15;
    clReleaseMemObject(buffer);
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
    return 0;
  }

  // The "N bytes in, M bytes out" of the first session that ended, from the server's log.
  std::pair<std::uint64_t, std::uint64_t> endedSessionBytes() const {
    const std::regex ended(R"(session \w+ ended .* (\d+) bytes in, (\d+) bytes out)");
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    std::smatch match;
    std::string log;
    while (std::chrono::steady_clock::now() < deadline) {
      log = readTextFile(server_->logPath());
      if (std::regex_search(log, match, ended)) return {std::stoull(match[1]), std::stoull(match[2])};
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "no session ended:\n" << log;
    return {0, 0};
  }

  static std::size_t segmentsLeft() {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm"))
      if (entry.path().filename().string().rfind("rcl-", 0) == 0) ++n;
    return n;
  }

  TempDirectory temp_{"rcl-shm"};
  std::string vendors_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ShmTest, ABigTransferOnTheSameHostGoesThroughSharedMemory) {
  const std::size_t before = segmentsLeft();
  ChildProcess child([&] { return bigTransfer(); });
  ASSERT_EQ(child.waitForExit(120s), 0) << "10-14: an OpenCL call failed, 15: wrong bytes read back";
  const auto [in, out] = endedSessionBytes();
  EXPECT_LT(in, std::uint64_t{1} << 20) << "the write's bytes went through the socket";
  EXPECT_LT(out, std::uint64_t{1} << 20) << "the read's bytes went through the socket";
  EXPECT_NE(readTextFile(server_->logPath()).find("shared memory of"), std::string::npos);
  EXPECT_EQ(segmentsLeft(), before) << "a shared memory segment was left in /dev/shm";
}

TEST_F(ShmTest, TurnedOffEverythingGoesThroughTheSocket) {
  ChildProcess child([&] {
    setenv("REMOTE_CL_SHM", "0", 1);
    return bigTransfer();
  });
  ASSERT_EQ(child.waitForExit(120s), 0) << "10-14: an OpenCL call failed, 15: wrong bytes read back";
  const auto [in, out] = endedSessionBytes();
  EXPECT_GE(in, kBig);
  EXPECT_GE(out, kBig);
}

// A segment of its own, as a client makes it: 2 slots of 1 MiB.
class TestSegment {
 public:
  TestSegment() : name_("/rcl-test-" + std::to_string(::getpid())) {
    const int fd = ::shm_open(name_.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(protocol::shm::segmentBytes(2, kSlot))), 0);
    const protocol::shm::Header header{protocol::shm::kMagic, 0xc00c1e, 2, kSlot};
    EXPECT_EQ(::pwrite(fd, &header, sizeof header, 0), static_cast<ssize_t>(sizeof header));
    ::close(fd);
  }
  ~TestSegment() { ::shm_unlink(name_.c_str()); }
  TestSegment(const TestSegment&) = delete;
  TestSegment& operator=(const TestSegment&) = delete;
  const std::string& name() const { return name_; }
  static constexpr std::uint64_t kSlot = 1 << 20;

 private:
  std::string name_;
};

TEST_F(ShmTest, ForgedSlotsAndLengthsGetErrorsAndTheSessionGoesOn) {
  zmq::context_t zmq(1);
  RawClient client(zmq, server_->endpoint(), 0x5eed);
  const auto device = client.hello();
  ASSERT_NE(device, 0u);
  const auto piece = [&](std::uint64_t slot, std::uint64_t length) {
    return client.call(static_cast<protocol::CallId>(protocol::shm::kWritePiece), [&](protocol::Writer& w) {
      w.u64(1);       // token
      w.u64(slot);
      w.u64(length);
      w.u64(77);      // queue: unknown, checked after the slot
      w.u64(78);      // buffer
      w.u64(0);       // offset
      w.nil();        // wait list
    });
  };
  EXPECT_EQ(piece(0, 16).status, CL_INVALID_OPERATION) << "a piece without shared memory";

  TestSegment segment;
  protocol::Writer attach;
  attach.integer(Kind::Request);
  attach.u64(90);
  attach.integer(protocol::ControlCall::ShmAttach);
  attach.str(segment.name());
  attach.u64(2);
  attach.u64(TestSegment::kSlot);
  client.sendControl(attach.finish());
  auto attached = client.receive();
  ASSERT_TRUE(attached);
  ASSERT_EQ(attached->kind, Kind::Reply);
  ASSERT_EQ(attached->status, CL_SUCCESS);
  EXPECT_EQ(attached->rest->u64(), 0xc00c1eu) << "the cookie of another segment";
  EXPECT_LT(::shm_open(segment.name().c_str(), O_RDONLY, 0), 0) << "the server left the name in /dev/shm";

  EXPECT_EQ(piece(2, 16).status, CL_INVALID_VALUE) << "a slot past the last";
  EXPECT_EQ(piece(~std::uint64_t{0}, 16).status, CL_INVALID_VALUE) << "a huge slot";
  EXPECT_EQ(piece(1, TestSegment::kSlot + 1).status, CL_INVALID_VALUE) << "a length past the slot";
  EXPECT_EQ(piece(0, 0).status, CL_INVALID_VALUE) << "no bytes";
  EXPECT_EQ(piece(1, TestSegment::kSlot).status, CL_INVALID_COMMAND_QUEUE) << "a whole slot passes the checks";

  // The session goes on.
  const auto context = client.call(protocol::CallId::clCreateContext, [&](protocol::Writer& w) {
    w.u64(1);
    w.nil();
    w.u64(1);
    w.array(1);
    w.u64(device);
    w.nil();
  });
  EXPECT_EQ(context.status, CL_SUCCESS);
}

}  // namespace
}  // namespace rcl::test
