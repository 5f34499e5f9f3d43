// Input no real client sends: garbage, ids of another client. The server must
// answer with an error and keep serving everyone else.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "raw_client.h"
#include "rcl/protocol/transport.h"
#include "server_process.h"
#include "temp_directory.h"

namespace rcl::test {
namespace {

using protocol::CallId;
using protocol::Kind;

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* server = std::getenv("RCL_SERVER_BIN");
    if (server == nullptr) GTEST_SKIP() << "RCL_SERVER_BIN is not set";
    server_ = std::make_unique<ServerProcess>(ServerLaunch::loopback(server, temp_.path() + "/server.log"));
  }

  // A context on the first device, created through `client` under `id`.
  RawReply createContext(RawClient& client, std::uint64_t id, std::uint64_t device) {
    return client.createContext(id, device);
  }

  RawReply contextDeviceCount(RawClient& client, std::uint64_t id) {
    return client.call(CallId::clGetContextInfo, [&](protocol::Writer& w) {
      w.u64(id);
      w.u64(CL_CONTEXT_NUM_DEVICES);
    });
  }

  TempDirectory temp_{"rcl-bad-input"};
  std::unique_ptr<ServerProcess> server_;
  zmq::context_t zmq_{1};
};

TEST_F(BadInputTest, GarbageFromAStrangerGetsAnErrorAndTheServerGoesOn) {
  zmq::socket_t stranger(zmq_, zmq::socket_type::dealer);
  stranger.set(zmq::sockopt::linger, 0);
  stranger.connect(server_->endpoint());
  stranger.send(zmq::buffer(std::string("\xc1 not msgpack at all")), zmq::send_flags::none);
  zmq::pollitem_t item{stranger.handle(), 0, ZMQ_POLLIN, 0};
  ASSERT_EQ(protocol::pollOnce(&item, 1, std::chrono::seconds(5)), 1) << "no error reply";
  auto frames = protocol::recvFrames(stranger);
  ASSERT_TRUE(frames);
  protocol::Reader reply(std::move(*frames));
  EXPECT_EQ(reply.integer<Kind>(), Kind::Error);

  RawClient client(zmq_, server_->endpoint(), 0x1234);
  const auto device = client.hello();
  ASSERT_NE(device, 0u) << "the server stopped serving after garbage";
  EXPECT_EQ(createContext(client, 1, device).status, CL_SUCCESS);
}

TEST_F(BadInputTest, MalformedRequestsOfASessionGetErrorsAndTheSessionGoesOn) {
  RawClient client(zmq_, server_->endpoint(), 0x5678);
  const auto device = client.hello();
  ASSERT_NE(device, 0u);

  // Not msgpack.
  protocol::Frames garbage;
  garbage.emplace_back("\xc1\xc1\xc1", 3);
  client.sendRaw(std::move(garbage));
  auto error = client.receive();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, Kind::Error);
  EXPECT_EQ(error->status, CL_INVALID_VALUE);

  // A request cut short: clCreateContext without its arguments.
  auto truncated = client.call(CallId::clCreateContext, [](protocol::Writer& w) { w.u64(9); });
  EXPECT_EQ(truncated.kind, Kind::Error);
  // A call id that does not exist.
  auto unknown = client.call(static_cast<CallId>(4242), [](protocol::Writer&) {});
  EXPECT_EQ(unknown.kind, Kind::Error);
  // A bulk frame index that does not exist (program IL said to be in frame 77).
  ASSERT_EQ(createContext(client, 1, device).status, CL_SUCCESS) << "the session stopped serving";
  auto badBulk = client.call(CallId::clCreateProgramWithIL, [&](protocol::Writer& w) {
    w.u64(10);  // the new program's id
    w.u64(1);   // the context
    w.u64(77);  // il: a bulk frame that is not there
    w.u64(3);   // length
  });
  EXPECT_EQ(badBulk.kind, Kind::Error);

  auto count = contextDeviceCount(client, 1);
  ASSERT_EQ(count.status, CL_SUCCESS) << "the session stopped serving";
  cl_uint devices = 0;
  const auto value = count.rest->bin();
  ASSERT_EQ(value.size(), sizeof devices);
  std::memcpy(&devices, value.data(), sizeof devices);
  EXPECT_EQ(devices, 1u);
}

TEST_F(BadInputTest, AnIdOfAnotherClientIsUnknown) {
  RawClient alice(zmq_, server_->endpoint(), 0xa11ce);
  RawClient bob(zmq_, server_->endpoint(), 0xb0b);
  const auto device = alice.hello();
  ASSERT_NE(device, 0u);
  ASSERT_NE(bob.hello(), 0u);
  ASSERT_EQ(createContext(alice, 5, device).status, CL_SUCCESS);
  EXPECT_EQ(contextDeviceCount(alice, 5).status, CL_SUCCESS);
  EXPECT_EQ(contextDeviceCount(bob, 5).status, CL_INVALID_CONTEXT);
  // A wrong kind: the context's id used as a memory object.
  auto asBuffer = alice.call(CallId::clGetMemObjectInfo, [](protocol::Writer& w) {
    w.u64(5);
    w.u64(CL_MEM_SIZE);
  });
  EXPECT_EQ(asBuffer.status, CL_INVALID_MEM_OBJECT);
}

}  // namespace
}  // namespace rcl::test
