// A client meets a server older than its hello. Since hello14 the client's
// Hello ends with takes_pending; a server from before extensible set-up
// messages (extensible = true in codegen/messages.toml) refuses any value
// past client_name as malformed: an Error of CL_INVALID_VALUE with the
// hello's seq. The client then says hello again without it, once.
//
// The old server is a fake: a ZeroMQ ROUTER socket in the test that answers
// as such a router did (its refusal's status, seq and text). The client is the
// real one, remote-cl's ICD in a child process through the ICD loader.

#include <gtest/gtest.h>

#include <CL/cl.h>
#include <CL/cl_ext.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "child_process.h"
#include "own_server_test.h"
#include "text_file.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/message.h"
#include "rcl/protocol/pushes.h"
#include "rcl/protocol/transport.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// What the fake server received: each hello's seq and whether it said takes_pending.
struct HelloSeen {
  std::uint64_t seq = 0;
  bool takesPending = false;
};

class OldServerTest : public OwnServerTest {
 protected:
  OldServerTest() : OwnServerTest("rcl-old-server", true) {}

  // Runs the real client against the fake (its platforms asked once, in a
  // child) while the fake answers each hello with `answer`; gives back the
  // hellos seen and the child's outcome (with the client's log if it failed).
  //
  // The child is forked before this process has a ZeroMQ context: a fork
  // copies no thread, and a lock another thread held at that moment would
  // stay taken in the child for good. The fake binds after, and hands the
  // child its endpoint through a pipe.
  template <class Answer>
  std::vector<HelloSeen> serve(Answer answer, std::string& outcome) {
    const std::string vendors = vendors_, log = temp_.file("client.log");
    ChildProcess child([&]() -> Outcome {
      const std::string endpoint = ChildProcess::awaitLine(10s);
      if (endpoint.empty()) return "no endpoint from the test within 10 s";
      if (std::freopen(log.c_str(), "w", stderr) == nullptr) return "no client log";
      setenv("REMOTE_CL_LOG", "debug", 1);
      setenv("OCL_ICD_VENDORS", vendors.c_str(), 1);
      setenv("REMOTE_CL_SERVERS", endpoint.c_str(), 1);
      setenv("REMOTE_CL_CONNECT_TIMEOUT_MS", "3000", 1);
      cl_uint n = 0;
      const cl_int status = clGetPlatformIDs(0, nullptr, &n);
      if (status != CL_SUCCESS && status != CL_PLATFORM_NOT_FOUND_KHR)
        return "clGetPlatformIDs: " + std::to_string(status);
      return {};
    });
    zmq::context_t zmq(1);
    zmq::socket_t router(zmq, zmq::socket_type::router);
    router.set(zmq::sockopt::linger, 0);
    router.bind("tcp://127.0.0.1:*");
    child.tell(router.get(zmq::sockopt::last_endpoint));
    std::vector<HelloSeen> seen;
    const auto until = Clock::now() + 20s;
    while (Clock::now() < until && !child.waitForExit(1ms)) {
      zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(50));
      if ((item.revents & ZMQ_POLLIN) == 0) continue;
      auto frames = protocol::recvFrames(router, zmq::recv_flags::dontwait);
      if (!frames || frames->size() < 2) continue;
      zmq::message_t routing = std::move(frames->front());
      frames->erase(frames->begin());
      protocol::Reader r(std::move(*frames));
      const auto hello = protocol::control::Hello::decode(r);
      seen.push_back({hello.seq, hello.takes_pending.has_value()});
      std::vector<zmq::message_t> reply;
      reply.push_back(std::move(routing));
      for (auto& f : answer(hello)) reply.push_back(std::move(f));
      protocol::sendFrames(router, reply);
    }
    outcome = child.waitForOutcome(10s);
    if (!outcome.empty()) outcome += "\nthe client's log:\n" + readTextFile(log);
    return seen;
  }

  // The refusal an older router gave a hello it took as malformed (router.cpp before extensible Hello).
  static std::vector<zmq::message_t> malformed(const protocol::control::Hello& hello) {
    return protocol::push::Error{.seq = hello.seq,
                                 .status = CL_INVALID_VALUE,
                                 .message = "malformed handshake: Hello: 1 values past its last field"}
        .frames();
  }

};

TEST_F(OldServerTest, AHelloRefusedAsMalformedGoesAgainWithoutTakesPending) {
  std::string outcome;
  const auto seen = serve(
      [](const protocol::control::Hello& hello) {
        if (hello.takes_pending) return malformed(hello);
        // The plain hello: this old server is full (the client gives up, having said it right).
        return protocol::push::Error{.seq = hello.seq, .status = CL_OUT_OF_RESOURCES, .message = "no room"}.frames();
      },
      outcome);
  EXPECT_EQ(outcome, "") << "the client against an older server";
  ASSERT_EQ(seen.size(), 2u) << "hellos the older server got (one with takes_pending, one without)";
  EXPECT_TRUE(seen[0].takesPending) << "the first hello said takes_pending";
  EXPECT_FALSE(seen[1].takesPending) << "the hello after the refusal still said takes_pending";
  EXPECT_EQ(seen[0].seq, seen[1].seq) << "the second hello has another seq";
}

TEST_F(OldServerTest, ARefusalForAnotherReasonIsFinal) {
  std::string outcome;
  const auto seen = serve(
      [](const protocol::control::Hello& hello) {
        return protocol::push::Error{.seq = hello.seq, .status = CL_INVALID_OPERATION, .message = "not admitted"}
            .frames();
      },
      outcome);
  EXPECT_EQ(outcome, "") << "the client refused";
  EXPECT_EQ(seen.size(), 1u) << "hellos a server that refused the client (not as malformed) got";
}

// The old refusal's text without its status: the fallback goes by the
// refusal's status and seq, not by words.
TEST_F(OldServerTest, TheFallbackGoesByStatusNotText) {
  std::string outcome;
  const auto seen = serve(
      [](const protocol::control::Hello& hello) {
        return protocol::push::Error{.seq = hello.seq,
                                     .status = CL_INVALID_OPERATION,
                                     .message = "malformed handshake: but refused for another reason"}
            .frames();
      },
      outcome);
  EXPECT_EQ(outcome, "") << "the client refused";
  EXPECT_EQ(seen.size(), 1u) << "hellos the server got after a refusal of another status";
}

}  // namespace
}  // namespace rcl::test
