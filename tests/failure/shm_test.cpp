// Same-host bulk data through shared memory (protocol/shm.h): a big transfer
// really takes it (the session's socket sees only small messages), straight
// between the application's memory and the buffer (direct copies) or through
// the slots, it can be turned off, no segment is left in /dev/shm, a client
// that names slots the segment does not have gets an error while its session
// goes on, direct copies need a proof, and one from memory the client does
// not have fails without harming the server. Big buffers live in memory both
// processes map (shared buffers): the client copies, the server frees the
// mapping with the buffer, and a forged memfd is refused.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <csignal>
#include <unistd.h>

#include <CL/cl.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <initializer_list>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "child_process.h"
#include "cl_error_names.h"
#include "remote_device.h"
#include "own_server_test.h"
#include "raw_client.h"
#include "rcl/protocol/bulk_socket.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/shm.h"
#include "server_process.h"
#include "server_status.h"
#include "shared_mappings.h"
#include "temp_directory.h"
#include "test_segment.h"
#include "text_file.h"
#include "unique_fd.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using protocol::Kind;

constexpr std::size_t kBig = std::size_t{64} << 20;

class ShmTest : public OwnServerTest {
 protected:
  ShmTest() : OwnServerTest("rcl-shm", true) {}

  void SetUp() override {
    OwnServerTest::SetUp();
    if (!IsSkipped()) startServer();
  }

  // In a child: writes and reads back 64 MiB (plus an odd tail) through
  // remote-cl, at an odd offset, then maps it and unmaps it changed: what failed, if anything.
  // `before(queue, buffer)` runs first (and may fail it).
  Outcome bigTransfer(const std::function<Outcome(cl_command_queue, cl_mem)>& before = nullptr) const {
    const RemoteDevice remote = openRemoteDevice(vendors_, server_->endpoint());
    if (!remote.failed.empty()) return remote.failed;
    cl_context context = remote.context;
    cl_command_queue queue = remote.queue;
    cl_int error = CL_SUCCESS;
    const std::size_t size = kBig + 4093;
    cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, size + 3, nullptr, &error);
    if (error != CL_SUCCESS) return "no 64 MiB buffer: " + clErrorName(error);
    if (before) {
      if (auto failed = before(queue, buffer); !failed.empty()) return failed;
    }
    std::vector<unsigned char> data(size), back(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<unsigned char>(i * 7 + i / 4099);
    if (clEnqueueWriteBuffer(queue, buffer, CL_TRUE, 3, size, data.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return "the 64 MiB write failed";
    if (clEnqueueReadBuffer(queue, buffer, CL_TRUE, 3, size, back.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return "the 64 MiB read failed";
    if (back != data) return "the 64 MiB read brought back other bytes";
    // A mapping reads the region and its unmap writes it back, the same way.
    auto* mapped = static_cast<unsigned char*>(clEnqueueMapBuffer(
        queue, buffer, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 1 << 20, size - (1 << 20), 0, nullptr, nullptr, &error));
    if (error != CL_SUCCESS || std::memcmp(mapped, data.data() + (1 << 20) - 3, size - (1 << 20)) != 0)
      return "the map failed or shows other bytes";
    for (std::size_t i = 0; i < size - (1 << 20); i += 4096) mapped[i] ^= 0xff;
    if (clEnqueueUnmapMemObject(queue, buffer, mapped, 0, nullptr, nullptr) != CL_SUCCESS) return "the unmap failed";
    for (std::size_t i = 0; i < size - (1 << 20); i += 4096) data[i + (1 << 20) - 3] ^= 0xff;
    if (clEnqueueReadBuffer(queue, buffer, CL_TRUE, 3, size, back.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return "the read after the unmap failed";
    if (back != data) return "the read after the unmap brought back other bytes";
    // A write held back by a user event: its bytes come long before its turn.
    cl_event gate = clCreateUserEvent(context, &error);
    cl_event written = nullptr, read = nullptr;
    const std::size_t held = std::size_t{2} << 20;
    std::vector<unsigned char> late(held, 0x5a), lateBack(held);
    if (clEnqueueWriteBuffer(queue, buffer, CL_FALSE, 5, held, late.data(), 1, &gate, &written) != CL_SUCCESS)
      return "the write held back by a user event was refused";
    if (clEnqueueReadBuffer(queue, buffer, CL_FALSE, 5, held, lateBack.data(), 1, &written, &read) != CL_SUCCESS)
      return "the read behind the held write was refused";
    clFlush(queue);
    std::this_thread::sleep_for(100ms);
    clSetUserEventStatus(gate, CL_COMPLETE);
    if (clWaitForEvents(1, &read) != CL_SUCCESS || lateBack != late)
      return "the write held back by a user event brought back other bytes";
    for (cl_event e : {gate, written, read}) clReleaseEvent(e);
    clReleaseMemObject(buffer);
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
    return {};
  }

  // Runs bigTransfer() in a child (with the `settings` set in its environment): the
  // session's socket must have carried only small messages. The server's log:
  // how a session moves its bulk data (shared memory, direct copies, shared
  // buffers, bulk socket and lanes) is told only there, in the info lines an
  // operator reads to see which path a client took; the status query counts
  // sessions, bytes and objects, not paths.
  std::string sameHostTransfer(std::initializer_list<std::pair<const char*, const char*>> settings = {}) const {
    ChildProcess child([&]() -> Outcome {
      for (const auto& [name, value] : settings) setenv(name, value, 1);
      return bigTransfer();
    });
    EXPECT_EQ(child.waitForOutcome(120s), "");
    const auto [in, out] = endedSessionBytes();
    EXPECT_LT(in, std::uint64_t{1} << 20) << "the write's bytes went through the socket";
    EXPECT_LT(out, std::uint64_t{1} << 20) << "the read's bytes went through the socket";
    return readTextFile(server_->logPath());
  }

  // The first session that ended on the server (this test's only one), as
  // its status lists it; nullopt (and a failure naming it) if none ended within 30 s.
  std::optional<EndedSessionStatus> firstEndedSession() const {
    const auto found =
        waitForStatus(server_->endpoint(), [](const ServerStatus& s) { return !s.recentlyEnded.empty(); }, 30s);
    if (!found) {
      ADD_FAILURE() << "the server ended no session within 30 s of the client's end; status: " << found.last;
      return std::nullopt;
    }
    return found->recentlyEnded.front();
  }

  // The bytes in and out of that session, counted by the server.
  std::pair<std::uint64_t, std::uint64_t> endedSessionBytes() const {
    const auto ended = firstEndedSession();
    return ended ? std::pair{ended->bytesIn, ended->bytesOut} : std::pair<std::uint64_t, std::uint64_t>{0, 0};
  }

  static std::string describeEnded(const EndedSessionStatus& e) {
    std::string freed;
    for (const auto& [kind, n] : e.freed) freed += " " + std::to_string(n) + " " + kind;
    return "session of " + e.client + " ended (" + e.detail + "), freed" + freed + ", " +
           std::to_string(e.releasesFailed) + " releases failed";
  }

  static std::size_t segmentsLeft() {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm"))
      if (entry.path().filename().string().rfind("rcl-", 0) == 0) ++n;
    return n;
  }
};

TEST_F(ShmTest, ABigTransferOnTheSameHostGoesThroughSharedMemory) {
  const std::size_t before = segmentsLeft();
  const auto log = sameHostTransfer();
  EXPECT_NE(log.find("shared memory of"), std::string::npos);
  EXPECT_NE(log.find("direct copies"), std::string::npos) << "the worker could not read the client's memory";
  EXPECT_EQ(segmentsLeft(), before) << "a shared memory segment was left in /dev/shm";
  // The buffer is a shared one: the client copied the write and the two reads (the map copies nothing).
  std::smatch copied;
  ASSERT_TRUE(std::regex_search(log, copied, std::regex(R"(the client copied (\d+) bytes of shared buffers)"))) << log;
  EXPECT_GE(std::stoull(copied[1]), 3 * kBig);
}

TEST_F(ShmTest, WithoutSharedBuffersDirectCopiesCarryIt) {
  const auto log = sameHostTransfer({{"REMOTE_CL_SHARED_BUFFERS", "0"}});
  EXPECT_NE(log.find("direct copies"), std::string::npos);
  EXPECT_EQ(log.find("bytes of shared buffers"), std::string::npos);
}

// A blocking write to a shared buffer that nothing must wait for (its
// queue's last command complete, no wait list) is copied by the client at
// once, ahead of its turn. A non-blocking one is not (the copy is left to the
// receiver thread), nor one behind a pending command: that command sees the
// bytes from before it, as natively. Sub-buffer writes land at their offset.
TEST_F(ShmTest, OnlyABlockingWriteNothingWaitsForIsCopiedAheadOfItsTurn) {
  constexpr std::size_t kSize = std::size_t{1} << 20;
  ChildProcess child([&]() -> Outcome {
    const RemoteDevice remote = openRemoteDevice(vendors_, server_->endpoint());
    if (!remote.failed.empty()) return remote.failed;
    cl_command_queue queue = remote.queue;
    cl_int error = CL_SUCCESS;
    cl_mem source = clCreateBuffer(remote.context, CL_MEM_READ_WRITE, kSize, nullptr, &error);
    cl_mem target = clCreateBuffer(remote.context, CL_MEM_READ_WRITE, kSize, nullptr, &error);
    if (error != CL_SUCCESS) return "no 1 MiB buffers: " + clErrorName(error);
    const std::vector<unsigned char> a(kSize, 0xa1), b(kSize, 0xb2), c(kSize, 0xc3);
    std::vector<unsigned char> back(kSize);
    const auto readBack = [&](cl_mem buffer) {
      return clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, kSize, back.data(), 0, nullptr, nullptr) == CL_SUCCESS;
    };
    // The queue's first command: nothing known of it yet, so not ahead.
    if (clEnqueueWriteBuffer(queue, source, CL_TRUE, 0, kSize, a.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return "the first write failed";
    if (!readBack(source) || back != a) return "the first write's bytes did not come back";
    // The read completed: a non-blocking write still is not ahead...
    if (clEnqueueWriteBuffer(queue, source, CL_FALSE, 0, kSize / 2, b.data(), 0, nullptr, nullptr) != CL_SUCCESS ||
        clFinish(queue) != CL_SUCCESS || !readBack(source))
      return "the non-blocking write failed";
    // ...a blocking one is (the upper half, through a sub-buffer).
    const cl_buffer_region upper{kSize / 2, kSize / 2};
    cl_mem half = clCreateSubBuffer(source, 0, CL_BUFFER_CREATE_TYPE_REGION, &upper, &error);
    if (error != CL_SUCCESS) return "no sub-buffer: " + clErrorName(error);
    if (clEnqueueWriteBuffer(queue, half, CL_TRUE, 0, kSize / 2, b.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return "the blocking write through the sub-buffer failed";
    if (!readBack(source) || back != b) return "the sub-buffer's write did not land at its offset";
    // A copy held back by a user event, then a blocking write of the source behind it.
    cl_event gate = clCreateUserEvent(remote.context, &error);
    cl_event copied = nullptr;
    if (clEnqueueCopyBuffer(queue, source, target, 0, 0, kSize, 1, &gate, &copied) != CL_SUCCESS)
      return "the held copy was refused";
    auto written = std::async(std::launch::async, [&] {
      return clEnqueueWriteBuffer(queue, source, CL_TRUE, 0, kSize, c.data(), 0, nullptr, nullptr);
    });
    std::this_thread::sleep_for(200ms);
    clSetUserEventStatus(gate, CL_COMPLETE);
    if (written.get() != CL_SUCCESS) return "the write behind the held copy failed";
    if (!readBack(target) || back != b) return "the held copy saw the write behind it";
    if (!readBack(source) || back != c) return "the write behind the held copy did not land";
    for (cl_event e : {gate, copied}) clReleaseEvent(e);
    for (cl_mem m : {half, source, target}) clReleaseMemObject(m);
    clReleaseCommandQueue(queue);
    clReleaseContext(remote.context);
    return {};
  });
  ASSERT_EQ(child.waitForOutcome(60s), "");
  ASSERT_TRUE(firstEndedSession());
  // What went ahead of its turn is told only in the log (the session's end line: a path, not a count the status keeps).
  const auto log = readTextFile(server_->logPath());
  std::smatch ahead;
  ASSERT_TRUE(std::regex_search(log, ahead, std::regex(R"(\((\d+) written ahead of their turn\))"))) << log;
  EXPECT_EQ(std::stoull(ahead[1]), kSize / 2) << "only the blocking half written after the read went ahead";
}

// Whether `p` lies in a mapping of a shared buffer in this process.
bool inSharedMapping(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::istringstream maps(readTextFile("/proc/self/maps"));
  for (std::string line; std::getline(maps, line);) {
    if (line.find("memfd:rcl-buffer") == std::string::npos) continue;
    const std::uintptr_t start = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    const std::uintptr_t end = std::stoull(line.substr(line.find('-') + 1), nullptr, 16);
    if (at >= start && at < end) return true;
  }
  return false;
}

// A shared buffer behaves as any other: its COPY_HOST_PTR bytes, its flags,
// no host pointer, sub-buffers, device commands; the worker's mapping goes
// with the buffer.
TEST_F(ShmTest, ASharedBufferBehavesAsAnOrdinaryOneAndGoesWithIt) {
  ChildProcess child([&]() -> Outcome {
    const RemoteDevice remote = openRemoteDevice(vendors_, server_->endpoint());
    if (!remote.failed.empty()) return remote.failed;
    cl_context context = remote.context;
    cl_command_queue queue = remote.queue;
    cl_int error = CL_SUCCESS;
    const std::size_t size = std::size_t{4} << 20;
    std::vector<unsigned char> initial(size), back(size);
    for (std::size_t i = 0; i < size; ++i) initial[i] = static_cast<unsigned char>(i * 13 + i / 7);
    cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, size, initial.data(), &error);
    if (error != CL_SUCCESS) return "no 4 MiB buffer: " + clErrorName(error);
    // The worker maps it as it runs the creation, which the client did not
    // wait for (the server's status lists its pid).
    std::string why;
    const auto status = askServerStatus(server_->endpoint(), 30s, &why);
    if (!status) return "the server did not answer its status query: " + why;
    const SessionStatus* session = sessionOfClient(*status, ::getpid());
    if (session == nullptr || session->workerPid == 0)
      return "the server's status lists no worker serving this client: " + describeStatus(*status);
    const auto workerPid = static_cast<pid_t>(session->workerPid);
    if (!awaitSharedMappings(workerPid, 1, 5s)) return "the worker did not map the buffer";
    cl_mem_flags flags = 0;
    void* hostPtr = &flags;
    clGetMemObjectInfo(buffer, CL_MEM_FLAGS, sizeof flags, &flags, nullptr);
    clGetMemObjectInfo(buffer, CL_MEM_HOST_PTR, sizeof hostPtr, &hostPtr, nullptr);
    if (flags != (CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR) || hostPtr != nullptr) return "wrong flags or host pointer";
    if (clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, size, back.data(), 0, nullptr, nullptr) != CL_SUCCESS ||
        back != initial)
      return "wrong initial bytes";
    // A device command on a sub-buffer, a write through it, both seen in the parent.
    const cl_buffer_region region{std::size_t{1} << 20, std::size_t{1} << 20};
    cl_mem sub = clCreateSubBuffer(buffer, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &error);
    if (error != CL_SUCCESS) return "no sub-buffer: " + clErrorName(error);
    const unsigned char pattern = 0xa5;
    std::vector<unsigned char> written(std::size_t{256} << 10, 0x3c);
    if (clEnqueueFillBuffer(queue, sub, &pattern, 1, 0, region.size, 0, nullptr, nullptr) != CL_SUCCESS ||
        clEnqueueWriteBuffer(queue, sub, CL_TRUE, 4096, written.size(), written.data(), 0, nullptr, nullptr) !=
            CL_SUCCESS)
      return "the sub-buffer's fill or write failed";
    std::fill_n(initial.begin() + static_cast<std::ptrdiff_t>(region.origin), region.size, pattern);
    std::copy(written.begin(), written.end(), initial.begin() + static_cast<std::ptrdiff_t>(region.origin + 4096));
    if (clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, size, back.data(), 0, nullptr, nullptr) != CL_SUCCESS ||
        back != initial)
      return "wrong bytes after the sub-buffer's commands";
    // A map is the client's own view of the shared memory (no copy), in the queue's order.
    auto* mapped = static_cast<unsigned char*>(clEnqueueMapBuffer(queue, sub, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE,
                                                                  8192, 4096, 0, nullptr, nullptr, &error));
    if (error != CL_SUCCESS || !inSharedMapping(mapped)) return "the map failed or is a copy";
    if (std::memcmp(mapped, initial.data() + region.origin + 8192, 4096) != 0) return "wrong mapped bytes";
    std::memset(mapped, 0x77, 4096);
    if (clEnqueueUnmapMemObject(queue, sub, mapped, 0, nullptr, nullptr) != CL_SUCCESS) return "the unmap failed";
    std::fill_n(initial.begin() + static_cast<std::ptrdiff_t>(region.origin + 8192), 4096, 0x77);
    if (clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, size, back.data(), 0, nullptr, nullptr) != CL_SUCCESS ||
        back != initial)
      return "wrong bytes after the unmap";
    clReleaseMemObject(sub);
    clReleaseMemObject(buffer);
    if (clFinish(queue) != CL_SUCCESS) return "clFinish failed";
    // Released on the server once the session's calls before the finish ran.
    if (!awaitSharedMappings(workerPid, 0, 5s)) return "the worker kept the mapping of a released buffer";
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
    return {};
  });
  ASSERT_EQ(child.waitForOutcome(60s), "");
}

TEST_F(ShmTest, WithoutDirectCopiesTheSlotsCarryIt) {
  // A transfer that waits over REMOTE_CL_SLOT_PATIENCE_MS for a slot sends
  // the rest through the socket: on a busy machine the server may take that
  // long to give one back. This test is about the path the slots make, so it
  // lets them be as slow as they are.
  const auto log = sameHostTransfer({{"REMOTE_CL_DIRECT_COPY", "0"}, {"REMOTE_CL_SLOT_PATIENCE_MS", "60000"}});
  EXPECT_NE(log.find("shared memory of"), std::string::npos);
  EXPECT_EQ(log.find("direct copies"), std::string::npos);
}

TEST_F(ShmTest, ADirectCopyFromMemoryTheApplicationDoesNotHaveFailsAndTheSessionGoesOn) {
  // Natively such a write would crash the application (as it does with a
  // shared buffer, whose copy the client makes); here the worker's copy fails and it goes on.
  ChildProcess child([&]() -> Outcome {
    setenv("REMOTE_CL_SHARED_BUFFERS", "0", 1);
    return bigTransfer([](cl_command_queue queue, cl_mem buffer) {
      const std::size_t size = 1 << 20;
      void* gone = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      ::munmap(gone, size);
      clEnqueueWriteBuffer(queue, buffer, CL_TRUE, 0, size, gone, 0, nullptr, nullptr);
      return Outcome{};
    });
  });
  ASSERT_EQ(child.waitForOutcome(120s), "");
  ASSERT_TRUE(firstEndedSession());
  // The failed copy is a warning for the operator, told only in the log.
  EXPECT_NE(readTextFile(server_->logPath()).find("direct copy of 1048576 bytes with the client failed"),
            std::string::npos)
      << "the server did not warn of the failed direct copy; log:\n"
      << readTextFile(server_->logPath());
}

// A client killed while its big write waits for its turn (a user event it
// never sets): the session still ends, and frees what it held.
TEST_F(ShmTest, AClientKilledWithABigWriteOnTheWayLeavesNothingBehind) {
  for (const char* shm : {"1", "0"}) {
    SCOPED_TRACE(std::string("REMOTE_CL_SHM=") + shm);
    startServer({}, std::string("killed-") + shm + ".log");
    ChildProcess child([&]() -> Outcome {
      setenv("REMOTE_CL_SHM", shm, 1);
      return bigTransfer([](cl_command_queue queue, cl_mem buffer) {
        cl_context context = nullptr;
        clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof context, &context, nullptr);
        cl_int error = CL_SUCCESS;
        cl_event gate = clCreateUserEvent(context, &error);
        static std::vector<unsigned char> bytes(std::size_t{8} << 20, 1);
        clEnqueueWriteBuffer(queue, buffer, CL_FALSE, 0, bytes.size(), bytes.data(), 1, &gate, nullptr);
        clFlush(queue);
        ChildProcess::signalParent();
        std::this_thread::sleep_for(60s);
        return Outcome{"the parent did not kill the child"};
      });
    });
    ASSERT_TRUE(child.waitForSignal(60s));
    std::this_thread::sleep_for(200ms);
    child.kill(SIGKILL);
    const auto ended = firstEndedSession();
    ASSERT_TRUE(ended);
    EXPECT_EQ(ended->reason, "the client's connection closed") << describeEnded(*ended);
    EXPECT_GE(freedOf(*ended, "memory object"), 1u) << "the killed client's buffer was not freed: " << describeEnded(*ended);
    EXPECT_EQ(ended->releasesFailed, 0u) << describeEnded(*ended);
  }
}

TEST_F(ShmTest, TurnedOffEverythingGoesThroughTheSocket) {
  ChildProcess child([&]() -> Outcome {
    setenv("REMOTE_CL_SHM", "0", 1);
    setenv("REMOTE_CL_BULK_SOCKET", "0", 1);
    return bigTransfer();
  });
  ASSERT_EQ(child.waitForOutcome(120s), "");
  const auto [in, out] = endedSessionBytes();
  EXPECT_GE(in, kBig);
  EXPECT_GE(out, kBig);
  // The path is told only in the log (see sameHostTransfer).
  EXPECT_EQ(readTextFile(server_->logPath()).find("bulk socket"), std::string::npos)
      << "a bulk socket was opened although REMOTE_CL_BULK_SOCKET=0";
}

TEST_F(ShmTest, WithoutSharedMemoryOverTcpABulkSocketCarriesIt) {
  // Cut in pieces over 3 lanes (the integration suite runs the default 2,
  // and transfers under 2 MiB take one lane).
  ChildProcess child([&]() -> Outcome {
    setenv("REMOTE_CL_SHM", "0", 1);
    setenv("REMOTE_CL_BULK_LANES", "3", 1);
    return bigTransfer();
  });
  ASSERT_EQ(child.waitForOutcome(120s), "");
  const auto [in, out] = endedSessionBytes();
  EXPECT_GE(in, kBig) << "the bulk socket's bytes count as the session's";
  EXPECT_GE(out, kBig);
  // The path and its lanes are told only in the log (see sameHostTransfer).
  const auto log = readTextFile(server_->logPath());
  EXPECT_NE(log.find("bulk socket on"), std::string::npos) << log;
  EXPECT_NE(log.find(", 3 lanes"), std::string::npos) << log;
}

// A piece call (slot or direct) naming an unknown queue.
RawReply piece(RawClient& client, protocol::CallId call, std::uint64_t slot, std::uint64_t length) {
  // (queue 77: unknown, checked after the slot)
  const protocol::calls::Piece request{.token = 1, .where = slot, .length = length, .queue = 77, .buffer = 78};
  return client.call(call, [&](protocol::Writer& w) { request.encodeBody(w); });
}

TEST_F(ShmTest, ForgedSlotsAndLengthsGetErrorsAndTheSessionGoesOn) {
  zmq::context_t zmq(1);
  RawClient client(zmq, server_->endpoint(), 0x5eed);
  const auto device = client.hello();
  ASSERT_NE(device, 0u);
  const auto piece = [&](std::uint64_t slot, std::uint64_t length) {
    return rcl::test::piece(client, protocol::CallId::WritePiece, slot, length);
  };
  EXPECT_EQ(piece(0, 16).status, CL_INVALID_OPERATION) << "a piece without shared memory";

  TestSegment segment;
  auto attached = attach(client, segment, std::nullopt);
  ASSERT_TRUE(attached);
  ASSERT_EQ(attached->kind, Kind::Reply);
  ASSERT_EQ(attached->status, CL_SUCCESS);
  EXPECT_EQ(attached->rest->u64(), 0xc00c1eu) << "the cookie of another segment";
  EXPECT_FALSE(attached->rest->boolean()) << "direct copies without a proof";
  EXPECT_LT(::shm_open(segment.name().c_str(), O_RDONLY, 0), 0) << "the server left the name in /dev/shm";
  EXPECT_EQ(rcl::test::piece(client, protocol::CallId::DirectWrite, 0x1000, 16).status, CL_INVALID_OPERATION)
      << "a direct piece without the proof";

  EXPECT_EQ(piece(2, 16).status, CL_INVALID_VALUE) << "a slot past the last";
  EXPECT_EQ(piece(~std::uint64_t{0}, 16).status, CL_INVALID_VALUE) << "a huge slot";
  EXPECT_EQ(piece(1, TestSegment::kSlot + 1).status, CL_INVALID_VALUE) << "a length past the slot";
  EXPECT_EQ(piece(0, 0).status, CL_INVALID_VALUE) << "no bytes";
  EXPECT_EQ(piece(1, TestSegment::kSlot).status, CL_INVALID_COMMAND_QUEUE) << "a whole slot passes the checks";

  // The session goes on.
  EXPECT_EQ(client.createContext(1, device).status, CL_SUCCESS);
}

// Asks the raw client's session for a bulk socket of `lanes` lanes: its port, token and lanes.
struct BulkAnswer {
  std::uint16_t port = 0;
  std::string token;
  std::uint64_t lanes = 0;
};
std::optional<BulkAnswer> askBulk(RawClient& client, std::uint64_t lanes) {
  client.sendControl(protocol::control::BulkAttach{.seq = 91, .lanes = lanes}.frames());
  auto answer = client.receive();
  if (!answer || answer->kind != Kind::Reply || answer->status != CL_SUCCESS) return std::nullopt;
  auto reply = protocol::control::BulkAttachReply::decodeBody(*answer->rest, 91);
  return BulkAnswer{reply.port, std::move(reply.token), reply.lanes.value_or(1)};
}

// A lane to `port` offering `token`: the connection if the worker took it.
protocol::UniqueFd offerLane(std::uint16_t port, const std::string& token) {
  std::string error;
  auto fd = protocol::bulk::connectTo("127.0.0.1", port, 2000, error);
  if (!fd) return fd;  // nobody listens any more
  protocol::bulk::setReceiveTimeout(fd.get(), 3000);
  unsigned char reply = 0;
  if (protocol::bulk::sendAll(fd.get(), token.data(), token.size()) && protocol::bulk::recvAll(fd.get(), &reply, 1) &&
      reply == protocol::bulk::kAccepted)
    return fd;
  return protocol::UniqueFd();
}

TEST_F(ShmTest, TheBulkSocketTakesOnlyItsSessionsTokenOnAsManyLanesAsAsked) {
  // With --session-ports, the bulk socket listens in that range too.
  std::mt19937 random(std::random_device{}());
  const unsigned first = std::uniform_int_distribution<unsigned>(31000, 39000)(random), last = first + 40;
  startServer({"--session-ports", std::to_string(first) + "-" + std::to_string(last)}, "ports.log");
  zmq::context_t zmq(1);
  RawClient client(zmq, server_->endpoint(), 0x5eed);
  const auto device = client.hello();
  ASSERT_NE(device, 0u);
  const auto bulk = askBulk(client, 2);
  ASSERT_TRUE(bulk);
  EXPECT_GE(bulk->port, first);
  EXPECT_LE(bulk->port, last);
  ASSERT_EQ(bulk->token.size(), protocol::bulk::kTokenBytes);
  EXPECT_EQ(bulk->lanes, 2u);

  std::string wrong = bulk->token;
  wrong[0] = static_cast<char>(wrong[0] ^ 1);
  EXPECT_FALSE(offerLane(bulk->port, wrong)) << "a connection with another token was taken";
  const auto lane0 = offerLane(bulk->port, bulk->token);
  EXPECT_TRUE(lane0) << "the session's own token was refused";
  const auto lane1 = offerLane(bulk->port, bulk->token);
  EXPECT_TRUE(lane1) << "the second lane was refused";
  EXPECT_FALSE(offerLane(bulk->port, bulk->token)) << "a third connection was taken";

  // The session goes on.
  EXPECT_EQ(client.createContext(1, device).status, CL_SUCCESS);

  // Lanes beyond kMaxLanes are not given.
  RawClient greedy(zmq, server_->endpoint(), 0x5eef);
  ASSERT_NE(greedy.hello(), 0u);
  const auto capped = askBulk(greedy, 1000);
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->lanes, protocol::bulk::kMaxLanes);
}

TEST_F(ShmTest, APieceOutsideItsTransferClosesTheBulkSocketAndTheSessionGoesOn) {
  zmq::context_t zmq(1);
  RawClient client(zmq, server_->endpoint(), 0x5eed);
  const auto device = client.hello();
  ASSERT_NE(device, 0u);
  const auto bulk = askBulk(client, 1);
  ASSERT_TRUE(bulk);
  const auto lane = offerLane(bulk->port, bulk->token);
  ASSERT_TRUE(lane);
  const protocol::bulk::Header forged{7, 100, 90, 20};  // 20 bytes at 90 of a transfer of 100
  ASSERT_TRUE(protocol::bulk::sendAll(lane.get(), &forged, sizeof forged));
  // The worker closes the lane: the receive ends (0 bytes) instead of timing out.
  unsigned char byte = 0;
  EXPECT_EQ(::recv(lane.get(), &byte, 1, 0), 0) << "the lane is still open";
  // The forged record is a warning for the operator, told only in the log.
  EXPECT_NE(readTextFile(server_->logPath()).find("outside it"), std::string::npos)
      << "the server did not warn of the record outside its transfer; log:\n"
      << readTextFile(server_->logPath());
  EXPECT_EQ(client.createContext(1, device).status, CL_SUCCESS);
}

TEST_F(ShmTest, DirectCopiesNeedTheSegmentsHeaderInTheClientsMemory) {
  zmq::context_t zmq(1);
  for (const bool proven : {false, true}) {
    SCOPED_TRACE(proven ? "the right address" : "another address");
    RawClient client(zmq, server_->endpoint(), proven ? 0x5eed : 0x5eee);
    ASSERT_NE(client.hello(), 0u);
    TestSegment segment;
    const std::uint64_t elsewhere = reinterpret_cast<std::uintptr_t>(&zmq);
    auto attached = attach(client, segment, std::pair{::getpid(), proven ? segment.headerAddress() : elsewhere});
    ASSERT_TRUE(attached);
    ASSERT_EQ(attached->status, CL_SUCCESS);
    EXPECT_EQ(attached->rest->u64(), 0xc00c1eu);
    EXPECT_EQ(attached->rest->boolean(), proven);
    EXPECT_EQ(piece(client, protocol::CallId::DirectRead, 0x1000, 16).status,
              proven ? CL_INVALID_COMMAND_QUEUE : CL_INVALID_OPERATION);
  }
}

// A buffer creation naming a shared buffer [fd, bytes] of this (test) process.
RawReply createSharedBuffer(RawClient& client, std::uint64_t id, int fd, std::uint64_t bytes) {
  return client.call(protocol::CallId::clCreateBuffer, [&](protocol::Writer& w) {
    w.u64(id);
    w.u64(1);  // the context
    w.integer(CL_MEM_READ_WRITE);
    w.u64(bytes);
    w.array(2);
    w.integer(fd);
    w.u64(bytes);
  });
}

TEST_F(ShmTest, OnlyAProvenClientsOwnMemfdOfTheBuffersSizeIsTaken) {
  zmq::context_t zmq(1);
  RawClient client(zmq, server_->endpoint(), 0x5eed);
  const auto device = client.hello();
  ASSERT_NE(device, 0u);
  ASSERT_EQ(client.createContext(1, device).status, CL_SUCCESS);
  const std::uint64_t size = 1 << 20;
  const UniqueFd memfd(::memfd_create("rcl-buffer", MFD_CLOEXEC));
  ASSERT_EQ(::ftruncate(memfd.get(), static_cast<off_t>(size)), 0);
  EXPECT_EQ(createSharedBuffer(client, 100, memfd.get(), size).status, CL_INVALID_OPERATION)
      << "a shared buffer without the proof";

  TestSegment segment;
  auto attached = attach(client, segment, std::pair{::getpid(), segment.headerAddress()});
  ASSERT_TRUE(attached);
  ASSERT_EQ(attached->status, CL_SUCCESS);
  const std::string path = temp_.file("not-a-memfd");
  const UniqueFd file(::open(path.c_str(), O_RDWR | O_CREAT, 0600));
  ASSERT_EQ(::ftruncate(file.get(), static_cast<off_t>(size)), 0);
  EXPECT_EQ(createSharedBuffer(client, 101, file.get(), size).status, CL_INVALID_HOST_PTR) << "a file";
  EXPECT_EQ(createSharedBuffer(client, 102, 9999, size).status, CL_INVALID_HOST_PTR) << "no such descriptor";
  EXPECT_EQ(createSharedBuffer(client, 103, memfd.get(), 2 * size).status, CL_INVALID_HOST_PTR)
      << "a memfd shorter than the buffer";
  auto made = createSharedBuffer(client, 104, memfd.get(), size);
  ASSERT_EQ(made.status, CL_SUCCESS);
  EXPECT_TRUE(made.rest->boolean()) << "PoCL's CPU device shares the host's memory: the buffer is built on the memfd";
}

}  // namespace
}  // namespace rcl::test
