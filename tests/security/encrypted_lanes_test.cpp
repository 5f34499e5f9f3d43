// Encrypted lanes (protocol/bulk_crypt.h): with CURVE keys over tcp, big
// buffer reads and writes take the session's lanes, sealed with AES-256-GCM
// under keys of the session's own; a record tampered with or replayed on the
// way closes the lanes and fails its transfer, never lands in a buffer, and
// the session goes on over its CURVE sockets.
//
// Tampering: REMOTE_CL_TEST_BULK_TAMPER=flip:N (a byte of the Nth record sent
// on lane 0 flipped after sealing) or replay:N (that record sent twice), set
// for the client (writes) or the server (reads).

#include <gtest/gtest.h>

#include <CL/cl.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "child_process.h"
#include "security_fixture.h"
#include "small_compute.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;

// 16 MiB and an odd tail: cut in pieces over every lane, the last record short.
constexpr std::size_t kBig = (std::size_t{16} << 20) + 4093;
// One record (bulk_crypt.h's kRecordBytes): what a tampered first record on lane 0 covers.
constexpr std::size_t kRecord = std::size_t{256} << 10;
constexpr unsigned char kOld = 0xA5;  // the buffer's bytes before a transfer

unsigned char newByte(std::size_t i) { return static_cast<unsigned char>((i * 131 + i / 4099) % 251); }

class EncryptedLanesTest : public SecurityTest {
 protected:
  void SetUp() override {
    SecurityTest::SetUp();
    if (IsSkipped()) return;
    serverKeys_ = makeKeys("server");
    clientKeys_ = makeKeys("client");
    std::ofstream list(temp_.file("allowed-clients"));
    list << readTextFile(clientKeys_ + ".pub");
  }

  void startCurveServer(const char* tamper = nullptr) {
    if (tamper != nullptr) setenv("REMOTE_CL_TEST_BULK_TAMPER", tamper, 1);
    server_ = startServer({"--listen", "tcp://127.0.0.1:*", "--curve-secret-key-file", serverKeys_ + ".key",
                           "--allowed-clients", temp_.file("allowed-clients")});
    unsetenv("REMOTE_CL_TEST_BULK_TAMPER");
  }

  // In a child: CURVE keys, no same-host paths, 3 lanes, the driver's log in client.log.
  void useCurveLanes(const char* tamper = nullptr) {
    useServer(server_->endpoint(), clientKeys_, serverKeys_ + ".pub");
    setenv("REMOTE_CL_SHM", "0", 1);
    setenv("REMOTE_CL_BULK_LANES", "3", 1);
    setenv("REMOTE_CL_LOG", "info", 1);
    if (tamper != nullptr) setenv("REMOTE_CL_TEST_BULK_TAMPER", tamper, 1);
    redirectStderr(temp_.file("client.log"));
  }

  std::string serverLog() const { return readTextFile(server_->logPath()); }
  std::string clientLog() const { return readTextFile(temp_.file("client.log")); }

  std::string serverKeys_, clientKeys_;
  std::unique_ptr<ServerProcess> server_;
};

struct Queue {
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
  cl_mem buffer = nullptr;
  bool make(cl_device_id device) {
    cl_int status = CL_SUCCESS;
    context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &status);
    if (status != CL_SUCCESS) return false;
    queue = clCreateCommandQueueWithProperties(context, device, nullptr, &status);
    if (status != CL_SUCCESS) return false;
    buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, kBig, nullptr, &status);
    return status == CL_SUCCESS;
  }
  // Every byte of the buffer kOld (a fill: no lane involved).
  bool fillOld() {
    const unsigned char pattern = kOld;
    return clEnqueueFillBuffer(queue, buffer, &pattern, 1, 0, kBig, 0, nullptr, nullptr) == CL_SUCCESS &&
           clFinish(queue) == CL_SUCCESS;
  }
  ~Queue() {
    if (buffer != nullptr) clReleaseMemObject(buffer);
    if (queue != nullptr) clReleaseCommandQueue(queue);
    if (context != nullptr) clReleaseContext(context);
  }
};

std::vector<unsigned char> newBytes() {
  std::vector<unsigned char> bytes(kBig);
  for (std::size_t i = 0; i < kBig; ++i) bytes[i] = newByte(i);
  return bytes;
}

// Each byte is `old` or the new byte of its place; `keptUpTo` first bytes all `old`.
Outcome onlyOldOrNew(const std::vector<unsigned char>& bytes, unsigned char old, std::size_t keptUpTo) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != old && bytes[i] != newByte(i)) return "a byte is neither the old one nor the new one";
    if (i < keptUpTo && bytes[i] != old) return "a byte of the tampered record landed";
  }
  return {};
}

// The session goes on over CURVE: a big write and read arrive whole.
Outcome sessionGoesOn(Queue& q) {
  auto bytes = newBytes();
  for (auto& b : bytes) b = static_cast<unsigned char>(b ^ 0x3C);
  std::vector<unsigned char> back(kBig, 0);
  if (clEnqueueWriteBuffer(q.queue, q.buffer, CL_TRUE, 0, kBig, bytes.data(), 0, nullptr, nullptr) != CL_SUCCESS ||
      clEnqueueReadBuffer(q.queue, q.buffer, CL_TRUE, 0, kBig, back.data(), 0, nullptr, nullptr) != CL_SUCCESS)
    return "the session did not go on over CURVE after the tampered transfer";
  return back == bytes ? Outcome{} : Outcome{"the session did not go on over CURVE after the tampered transfer"};
}

TEST_F(EncryptedLanesTest, BigWritesAndReadsTakeTheEncryptedLanesAndArriveWhole) {
  startCurveServer();
  ChildProcess child([&]() -> Outcome {
    useCurveLanes();
    cl_device_id device = firstDevice();
    if (device == nullptr) return "no OpenCL device";
    Queue q;
    if (!q.make(device)) return "the context, queue or buffer could not be made";
    const auto bytes = newBytes();
    std::vector<unsigned char> back(kBig, 0);
    // Blocking, then non-blocking with events, then at an offset (a piece's edges elsewhere).
    if (clEnqueueWriteBuffer(q.queue, q.buffer, CL_TRUE, 0, kBig, bytes.data(), 0, nullptr, nullptr) != CL_SUCCESS ||
        clEnqueueReadBuffer(q.queue, q.buffer, CL_TRUE, 0, kBig, back.data(), 0, nullptr, nullptr) != CL_SUCCESS)
      return "a transfer over the lanes failed";
    if (back != bytes) return "a transfer brought back other bytes";
    std::vector<unsigned char> second(kBig, 0);
    cl_event written = nullptr, read = nullptr;
    auto shifted = bytes;
    for (auto& b : shifted) b = static_cast<unsigned char>(b + 1);
    if (clEnqueueWriteBuffer(q.queue, q.buffer, CL_FALSE, 0, kBig, shifted.data(), 0, nullptr, &written) !=
            CL_SUCCESS ||
        clEnqueueReadBuffer(q.queue, q.buffer, CL_FALSE, 0, kBig, second.data(), 1, &written, &read) != CL_SUCCESS ||
        clWaitForEvents(1, &read) != CL_SUCCESS)
      return "a transfer over the lanes failed";
    clReleaseEvent(written);
    clReleaseEvent(read);
    if (second != shifted) return "a transfer brought back other bytes";
    constexpr std::size_t kAt = 3 * 4096 + 17;
    std::vector<unsigned char> part(kBig - kAt, 0);
    if (clEnqueueReadBuffer(q.queue, q.buffer, CL_TRUE, kAt, part.size(), part.data(), 0, nullptr, nullptr) !=
        CL_SUCCESS)
      return "a transfer over the lanes failed";
    if (!std::equal(part.begin(), part.end(), shifted.begin() + kAt)) return "a transfer brought back other bytes";
    return {};
  });
  ASSERT_EQ(child.waitForOutcome(120s), "") << "client log:\n" << clientLog();
  // Which path a session's bulk data took, and a record that failed
  // authentication (a warning), are told to the operator only in the log.
  const auto log = serverLog();
  EXPECT_NE(log.find("3 lanes, encrypted (AES-256-GCM)"), std::string::npos) << log;
  EXPECT_EQ(log.find("failed authentication"), std::string::npos) << log;
  EXPECT_NE(clientLog().find("encrypted bulk lanes"), std::string::npos) << clientLog();
}

// A write whose client sends a record tampered with (`tamper`): the write
// fails, no byte but the old and the new lands, and the session goes on.
Outcome tamperedWrite(std::size_t keptUpTo) {
  cl_device_id device = firstDevice();
  if (device == nullptr) return "no OpenCL device";
  Queue q;
  if (!q.make(device) || !q.fillOld()) return "the context, queue or buffer could not be made";
  const auto bytes = newBytes();
  const cl_int written = clEnqueueWriteBuffer(q.queue, q.buffer, CL_TRUE, 0, kBig, bytes.data(), 0, nullptr, nullptr);
  if (written == CL_SUCCESS && clFinish(q.queue) == CL_SUCCESS) return "the tampered transfer did not fail";
  std::vector<unsigned char> back(kBig, 0);
  if (clEnqueueReadBuffer(q.queue, q.buffer, CL_TRUE, 0, kBig, back.data(), 0, nullptr, nullptr) != CL_SUCCESS)
    return "the session did not go on over CURVE after the tampered transfer";
  if (auto wrong = onlyOldOrNew(back, kOld, keptUpTo); !wrong.empty()) return wrong;
  return sessionGoesOn(q);
}

// A read whose server sends a record tampered with: the read fails, the
// application's memory holds only its old bytes or the right ones, and the
// session goes on.
Outcome tamperedRead(std::size_t keptUpTo) {
  cl_device_id device = firstDevice();
  if (device == nullptr) return "no OpenCL device";
  Queue q;
  if (!q.make(device)) return "the context, queue or buffer could not be made";
  const auto bytes = newBytes();
  if (clEnqueueWriteBuffer(q.queue, q.buffer, CL_TRUE, 0, kBig, bytes.data(), 0, nullptr, nullptr) != CL_SUCCESS)
    return "the context, queue or buffer could not be made";
  constexpr unsigned char kMine = 0x5A;
  std::vector<unsigned char> back(kBig, kMine);
  if (clEnqueueReadBuffer(q.queue, q.buffer, CL_TRUE, 0, kBig, back.data(), 0, nullptr, nullptr) == CL_SUCCESS)
    return "the tampered transfer did not fail";
  if (auto wrong = onlyOldOrNew(back, kMine, keptUpTo); !wrong.empty()) return wrong;
  return sessionGoesOn(q);
}

TEST_F(EncryptedLanesTest, AWriteRecordTamperedWithFailsTheWriteAndNeverLands) {
  startCurveServer();
  ChildProcess child([&]() -> Outcome {
    useCurveLanes("flip:1");
    return tamperedWrite(kRecord);
  });
  ASSERT_EQ(child.waitForOutcome(120s), "") << "client log:\n" << clientLog();
  // A record that failed authentication is a warning for the operator, told only in the log.
  EXPECT_NE(serverLog().find("failed authentication"), std::string::npos)
      << "the server did not warn of the tampered record; log:\n"
      << serverLog();
}

TEST_F(EncryptedLanesTest, AWriteRecordReplayedFailsTheWrite) {
  startCurveServer();
  ChildProcess child([&]() -> Outcome {
    useCurveLanes("replay:2");
    // The first record is authentic; its replay (and what follows on its lane) is not.
    return tamperedWrite(0);
  });
  ASSERT_EQ(child.waitForOutcome(120s), "") << "client log:\n" << clientLog();
  // A record that failed authentication is a warning for the operator, told only in the log.
  EXPECT_NE(serverLog().find("failed authentication"), std::string::npos)
      << "the server did not warn of the tampered record; log:\n"
      << serverLog();
}

TEST_F(EncryptedLanesTest, AReadRecordTamperedWithFailsTheReadAndNeverLands) {
  startCurveServer("flip:1");
  ChildProcess child([&]() -> Outcome {
    useCurveLanes();
    return tamperedRead(kRecord);
  });
  ASSERT_EQ(child.waitForOutcome(120s), "") << "client log:\n" << clientLog();
  EXPECT_NE(clientLog().find("failed authentication"), std::string::npos) << clientLog();
}

TEST_F(EncryptedLanesTest, AReadRecordReplayedFailsTheRead) {
  startCurveServer("replay:2");
  ChildProcess child([&]() -> Outcome {
    useCurveLanes();
    return tamperedRead(0);
  });
  ASSERT_EQ(child.waitForOutcome(120s), "") << "client log:\n" << clientLog();
  EXPECT_NE(clientLog().find("failed authentication"), std::string::npos) << clientLog();
}

}  // namespace
}  // namespace rcl::test
