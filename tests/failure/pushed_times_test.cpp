// A profiled command's completion push carries its timestamps
// (protocol/profiling_times.h), and they are the ones a live
// clGetEventProfilingInfo of the same event returns; a command of a queue
// without profiling pushes none. Spoken by hand (raw_client.h), so that the
// live query can be forced.

#include <gtest/gtest.h>

#include <CL/cl.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "raw_client.h"
#include "own_server_test.h"
#include "rcl/protocol/profiling_times.h"

namespace rcl::test {
namespace {

using protocol::CallId;
using protocol::Kind;

constexpr std::uint64_t kContext = 1;
constexpr std::uint64_t kProfiled = 2;
constexpr std::uint64_t kPlain = 3;
constexpr std::uint64_t kBuffer = 4;
constexpr std::size_t kBytes = 4096;

class PushedTimesTest : public RawServerTest {
 protected:
  PushedTimesTest() : RawServerTest("rcl-pushed-times") {}

  void SetUp() override {
    RawServerTest::SetUp();
    if (IsSkipped()) return;
    client_ = std::make_unique<RawClient>(zmq_, server_->endpoint(), 0x71e5);
    const std::uint64_t device = client_->hello();
    ASSERT_NE(device, 0u);
    ASSERT_EQ(client_->createContext(kContext, device).status, CL_SUCCESS);
    for (const std::uint64_t id : {kProfiled, kPlain}) {
      const bool profiled = id == kProfiled;
      ASSERT_EQ(client_->call(CallId::clCreateCommandQueueWithProperties, [&](protocol::Writer& w) {
                  w.u64(id);
                  w.u64(kContext);
                  w.u64(device);
                  if (!profiled) return w.nil();
                  w.array(3);
                  w.i64(CL_QUEUE_PROPERTIES);
                  w.i64(CL_QUEUE_PROFILING_ENABLE);
                  w.i64(0);
                }).status,
                CL_SUCCESS);
    }
    ASSERT_EQ(client_->createBuffer(kBuffer, kContext, kBytes).status, CL_SUCCESS);
  }

  // A write of the whole buffer on `queue` whose event is `eventId`; returns
  // the event's completion push, past its id.
  std::optional<RawReply> writeAndWait(std::uint64_t queue, std::uint64_t eventId) {
    const std::string bytes(kBytes, '\x5a');
    const RawReply sent = client_->call(CallId::clEnqueueWriteBuffer, [&](protocol::Writer& w) {
      w.u64(queue);
      w.u64(kBuffer);
      w.u64(0);
      w.u64(kBytes);
      w.array(1);
      w.bulkCopy(bytes.data(), bytes.size());
      w.nil();  // wait list
      w.u64(eventId);
    });
    EXPECT_EQ(sent.status, CL_SUCCESS);
    for (int i = 0; i < 20; ++i) {
      auto push = client_->receive(std::chrono::seconds(30));
      if (!push) return std::nullopt;
      if (push->kind == Kind::Event && static_cast<std::uint64_t>(push->status) == eventId) return push;
    }
    return std::nullopt;
  }

  // A live clGetEventProfilingInfo of `eventId`.
  RawReply live(std::uint64_t eventId, cl_profiling_info param) {
    return client_->call(CallId::clGetEventProfilingInfo, [&](protocol::Writer& w) {
      w.u64(eventId);
      w.u64(param);
    });
  }

  std::unique_ptr<RawClient> client_;
};

TEST_F(PushedTimesTest, AProfiledCommandsPushCarriesTheTimestampsALiveQueryGives) {
  constexpr std::uint64_t kEvent = 10;
  auto push = writeAndWait(kProfiled, kEvent);
  ASSERT_TRUE(push) << "no completion push";
  protocol::Reader& r = *push->rest;
  EXPECT_EQ(r.integer<cl_int>(), CL_COMPLETE);
  r.u64();  // ran_ns
  ASSERT_FALSE(r.atEnd()) << "a profiled command's push without timestamps";
  const protocol::ProfilingTimes times = protocol::readProfilingTimes(r);
  for (std::size_t i = 0; i < times.size(); ++i) {
    const cl_profiling_info param = protocol::kProfilingParams[i];
    RawReply answer = live(kEvent, param);
    ASSERT_EQ(answer.kind, Kind::Reply) << "param " << param;
    if (answer.status != CL_SUCCESS) {
      EXPECT_FALSE(times[i]) << "param " << param << " pushed where a live query fails with " << answer.status;
      continue;
    }
    ASSERT_TRUE(times[i]) << "param " << param << " not pushed";
    const auto bytes = answer.rest->bin();
    cl_ulong value = 0;
    ASSERT_EQ(bytes.size(), sizeof value) << "param " << param;
    std::memcpy(&value, bytes.data(), sizeof value);
    EXPECT_EQ(*times[i], value) << "param " << param;
  }
  ASSERT_TRUE(times[0] && times[1] && times[2] && times[3]);
  EXPECT_LE(*times[0], *times[1]);
  EXPECT_LE(*times[1], *times[2]);
  EXPECT_LE(*times[2], *times[3]);
}

TEST_F(PushedTimesTest, ACommandOfAQueueWithoutProfilingPushesNoTimestamps) {
  constexpr std::uint64_t kEvent = 11;
  auto push = writeAndWait(kPlain, kEvent);
  ASSERT_TRUE(push) << "no completion push";
  protocol::Reader& r = *push->rest;
  EXPECT_EQ(r.integer<cl_int>(), CL_COMPLETE);
  r.u64();  // ran_ns
  EXPECT_TRUE(r.atEnd()) << "timestamps pushed for a queue without profiling";
  EXPECT_EQ(live(kEvent, CL_PROFILING_COMMAND_END).status, CL_PROFILING_INFO_NOT_AVAILABLE);
}

}  // namespace
}  // namespace rcl::test
