// What travels between client and server, as a relay in between records it: with CURVE the
// bytes of a buffer the client writes are nowhere in it; without, they are (the control, so that
// this test can fail).
//
// The relay listens on 127.0.0.2 and forwards to the server on 127.0.0.1, on the listening port
// and on each port sessions may use (--session-ports): the client reaches a session on the host
// it reached the server on (the relay), so every byte of the session passes the relay too.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CL/cl.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "child_process.h"
#include "cl_error_names.h"
#include "cl_handle.h"
#include "security_fixture.h"
#include "small_compute.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRelayHost = "127.0.0.2";
constexpr const char* kServerHost = "127.0.0.1";
constexpr std::size_t kSessionPorts = 3;
const std::string kMarker = "RCL-SECRET-4242!";  // 16 bytes
constexpr std::size_t kPatternBytes = 64 * 1024;

bool portFree(const char* host, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, host, &address.sin_addr);
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return free;
}

// `count` consecutive ports free on both hosts (below the ephemeral range).
int freePortRun(int count) {
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> base(20000, 30000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int first = base(random);
    bool free = true;
    for (int p = first; p < first + count && free; ++p) free = portFree(kServerHost, p) && portFree(kRelayHost, p);
    if (free) return first;
  }
  throw std::runtime_error("no run of free ports");
}

// In the child: writes the pattern to a buffer and reads it back.
Outcome writeAndReadBack(const std::string& pattern) {
  cl_device_id device = firstDevice();
  if (device == nullptr) return "no OpenCL device";
  cl_int error = CL_SUCCESS;
  Context context(clCreateContext(nullptr, 1, &device, nullptr, nullptr, &error));
  if (error != CL_SUCCESS) return "clCreateContext failed: " + clErrorName(error);
  CommandQueue queue(clCreateCommandQueueWithProperties(context.get(), device, nullptr, &error));
  if (error != CL_SUCCESS) return "clCreateCommandQueueWithProperties failed: " + clErrorName(error);
  Mem buffer(clCreateBuffer(context.get(), CL_MEM_READ_WRITE, pattern.size(), nullptr, &error));
  if (error != CL_SUCCESS) return "clCreateBuffer failed: " + clErrorName(error);
  if (clEnqueueWriteBuffer(queue.get(), buffer.get(), CL_TRUE, 0, pattern.size(), pattern.data(), 0, nullptr,
                           nullptr) != CL_SUCCESS)
    return "the blocking write through the relay failed";
  std::string back(pattern.size(), '\0');
  if (clEnqueueReadBuffer(queue.get(), buffer.get(), CL_TRUE, 0, back.size(), back.data(), 0, nullptr, nullptr) !=
      CL_SUCCESS)
    return "the blocking read through the relay failed";
  return back == pattern ? Outcome{} : Outcome{"the read through the relay brought back other bytes"};
}

class CaptureTest : public SecurityTest {
 protected:
  // Runs a client through the relay; returns every byte the relay passed.
  std::string capture(bool curve) {
    const char* python = std::getenv("RCL_PYTHON");
    const char* relayScript = std::getenv("RCL_TCP_RELAY");
    if (python == nullptr || relayScript == nullptr) throw std::runtime_error("RCL_PYTHON or RCL_TCP_RELAY is not set");
    const int listen = freePortRun(1 + kSessionPorts);
    const int firstSession = listen + 1;
    std::vector<std::string> args{"--listen",        std::string("tcp://") + kServerHost + ":" + std::to_string(listen),
                                  "--session-ports", std::to_string(firstSession) + "-" +
                                                         std::to_string(firstSession + kSessionPorts - 1)};
    std::string serverKeys, clientKeys;
    if (curve) {
      serverKeys = makeKeys("server");
      clientKeys = makeKeys("client");
      args.insert(args.end(), {"--curve-secret-key-file", serverKeys + ".key", "--allowed-clients", clientKeys + ".pub"});
    }
    auto server = startServer(args);

    const std::string captureFile = temp_.file(curve ? "curve.capture" : "plain.capture");
    ServerLaunch relayLaunch;
    relayLaunch.binary = python;
    relayLaunch.args = {relayScript, "--listen", kRelayHost, "--target", kServerHost, "--capture", captureFile};
    for (int port = listen; port < firstSession + static_cast<int>(kSessionPorts); ++port)
      relayLaunch.args.push_back(std::to_string(port));
    relayLaunch.logPath = temp_.file("relay.log");
    ServerProcess relay(relayLaunch);

    std::string pattern;
    while (pattern.size() < kPatternBytes) pattern += kMarker;
    ChildProcess child([&]() -> Outcome {
      useServer(std::string("tcp://") + kRelayHost + ":" + std::to_string(listen), clientKeys, serverKeys + ".pub");
      setenv("REMOTE_CL_SHM", "0", 1);  // the bytes must cross the wire (on this host they would take shared memory)
      return writeAndReadBack(pattern);
    });
    EXPECT_EQ(child.waitForOutcome(60s), "") << "server log:\n" << readTextFile(server->logPath());
    relay.stop();
    const std::string bytes = readTextFile(captureFile);
    // The data went through the relay both ways (not around it): more than twice the pattern.
    EXPECT_GT(bytes.size(), 2 * kPatternBytes) << "the session's traffic did not pass the relay";
    return bytes;
  }
};

TEST_F(CaptureTest, WithCurveTheDataIsNotInTheCapture) {
  const std::string bytes = capture(/*curve=*/true);
  EXPECT_EQ(bytes.find(kMarker), std::string::npos) << "plain text of the buffer on the wire, under CURVE";
}

TEST_F(CaptureTest, WithoutCurveTheDataIsInTheCapture) {
  const std::string bytes = capture(/*curve=*/false);
  EXPECT_NE(bytes.find(kMarker), std::string::npos) << "the control: without CURVE the capture must show the data";
}

}  // namespace
}  // namespace rcl::test
