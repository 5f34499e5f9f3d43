// The control channel's messages on the wire, byte for byte: what the
// generated structs (control_messages.h, from [control.*] in
// codegen/messages.toml) encode is what the hand-written code of protocol 2
// wrote, so clients and servers from before keep agreeing with these. Each
// expected message is written here value by value, as the old code did.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/message.h"

namespace rcl::protocol {
namespace {

std::string bytesOf(std::vector<zmq::message_t> frames) {
  EXPECT_EQ(frames.size(), 1u) << "a control message is one frame";
  return frames.empty() ? std::string() : std::string(frames[0].to_string_view());
}

// [kind, seq, third, ...]: the header as the old code wrote it.
Writer header(Kind kind, std::uint64_t seq) {
  Writer w;
  w.integer(kind);
  w.u64(seq);
  return w;
}

TEST(ControlWire, HelloAndItsAnswer) {
  Writer hello = header(Kind::Request, 1);
  hello.integer(ControlCall::Hello);
  hello.integer(kProtocolVersion);
  hello.str("host:42 (app)");
  EXPECT_EQ(bytesOf(control::Hello{.seq = 1, .protocol_version = kProtocolVersion, .client_name = "host:42 (app)"}
                        .frames()),
            bytesOf(hello.finish()));

  Writer answer = header(Kind::Reply, 1);
  answer.i64(0);  // CL_SUCCESS
  answer.integer(kProtocolVersion);
  answer.str("gpu-host");
  answer.str("tcp://0.0.0.0:5001");
  answer.array(2);
  answer.array(2);
  answer.u64(7);
  answer.array(2);
  answer.u64(70);
  answer.u64(71);
  answer.array(2);
  answer.u64(8);
  answer.array(0);
  control::HelloReply reply{.seq = 1, .protocol_version = kProtocolVersion, .server_name = "gpu-host",
                            .session_endpoint = "tcp://0.0.0.0:5001"};
  reply.platforms = {{7, {70, 71}}, {8, {}}};
  EXPECT_EQ(bytesOf(reply.frames()), bytesOf(answer.finish()));
}

// A hello that takes the router's interim answer has one trailing value (an
// older client's hello, above, is unchanged); the interim answer is a request
// of the router's with the hello's seq.
TEST(ControlWire, HelloThatTakesPendingAndTheInterimAnswer) {
  Writer hello = header(Kind::Request, 1);
  hello.integer(ControlCall::Hello);
  hello.integer(kProtocolVersion);
  hello.str("host:42 (app)");
  hello.boolean(true);
  EXPECT_EQ(bytesOf(control::Hello{.seq = 1, .protocol_version = kProtocolVersion, .client_name = "host:42 (app)",
                                   .takes_pending = true}
                        .frames()),
            bytesOf(hello.finish()));

  Writer pending = header(Kind::Request, 1);
  pending.integer(ControlCall::HelloPending);
  pending.u64(10000);
  EXPECT_EQ(bytesOf(control::HelloPending{.seq = 1, .start_timeout_ms = 10000}.frames()), bytesOf(pending.finish()));
}

TEST(ControlWire, AttachGoodbyeAndTheirAnswers) {
  Writer control = header(Kind::Request, 2);
  control.integer(ControlCall::Attach);
  control.boolean(true);
  EXPECT_EQ(bytesOf(control::Attach{.seq = 2, .device_times = true}.frames()), bytesOf(control.finish()));

  Writer replySocket = header(Kind::Request, 0);  // a reply socket's: no device_times
  replySocket.integer(ControlCall::Attach);
  EXPECT_EQ(bytesOf(control::Attach{}.frames()), bytesOf(replySocket.finish()));

  Writer attached = header(Kind::Reply, 2);
  attached.i64(0);
  EXPECT_EQ(bytesOf(control::AttachReply{.seq = 2}.frames()), bytesOf(attached.finish()));

  Writer bye = header(Kind::Request, 0);
  bye.integer(ControlCall::Goodbye);
  EXPECT_EQ(bytesOf(control::Goodbye{}.frames()), bytesOf(bye.finish()));
}

TEST(ControlWire, StatusQueries) {
  Writer v1 = header(Kind::Request, 5);
  v1.integer(ControlCall::Status);
  EXPECT_EQ(bytesOf(control::Status{.seq = 5}.frames()), bytesOf(v1.finish()));
  Writer v2 = header(Kind::Request, 6);
  v2.integer(ControlCall::Status);
  v2.u64(2);
  EXPECT_EQ(bytesOf(control::Status{.seq = 6, .version = 2}.frames()), bytesOf(v2.finish()));
}

TEST(ControlWire, SharedMemoryOfferAndItsAnswer) {
  Writer plain = header(Kind::Request, 3);
  plain.integer(ControlCall::ShmAttach);
  plain.str("/rcl-1");
  plain.u64(8);
  plain.u64(1 << 20);
  EXPECT_EQ(bytesOf(control::ShmAttach{.seq = 3, .name = "/rcl-1", .slots = 8, .slot_bytes = 1 << 20}.frames()),
            bytesOf(plain.finish()));

  Writer proof = header(Kind::Request, 3);
  proof.integer(ControlCall::ShmAttach);
  proof.str("/rcl-1");
  proof.u64(8);
  proof.u64(1 << 20);
  proof.i64(4242);
  proof.u64(0x7f0000001000ULL);
  EXPECT_EQ(bytesOf(control::ShmAttach{.seq = 3, .name = "/rcl-1", .slots = 8, .slot_bytes = 1 << 20, .pid = 4242,
                                       .header = 0x7f0000001000ULL}
                        .frames()),
            bytesOf(proof.finish()));

  Writer answer = header(Kind::Reply, 3);
  answer.i64(0);
  answer.u64(0xc0ffee);
  answer.boolean(true);
  EXPECT_EQ(bytesOf(control::ShmAttachReply{.seq = 3, .cookie = 0xc0ffee, .direct = true}.frames()),
            bytesOf(answer.finish()));
}

TEST(ControlWire, BulkSocketOfferAndItsAnswer) {
  Writer ask = header(Kind::Request, 4);
  ask.integer(ControlCall::BulkAttach);
  ask.u64(4);
  ask.boolean(true);
  EXPECT_EQ(bytesOf(control::BulkAttach{.seq = 4, .lanes = 4, .sealed = true}.frames()), bytesOf(ask.finish()));

  const std::string token(16, 't'), toServer(32, 's'), toClient(32, 'c');
  Writer answer = header(Kind::Reply, 4);
  answer.i64(0);
  answer.u64(40001);
  answer.bin(token.data(), token.size());
  answer.u64(4);
  answer.bin(toServer.data(), toServer.size());
  answer.bin(toClient.data(), toClient.size());
  EXPECT_EQ(bytesOf(control::BulkAttachReply{.seq = 4, .port = 40001, .token = token, .lanes = 4,
                                             .key_to_server = toServer, .key_to_client = toClient}
                        .frames()),
            bytesOf(answer.finish()));

  // A server from before lanes: [port, token] alone, read with lanes absent.
  Writer old = header(Kind::Reply, 4);
  old.i64(0);
  old.u64(40001);
  old.bin(token.data(), token.size());
  Reader r(old.finish());
  const auto decoded = control::BulkAttachReply::decode(r);
  EXPECT_EQ(decoded.port, 40001);
  EXPECT_EQ(decoded.token, token);
  EXPECT_FALSE(decoded.lanes.has_value());
}

// The calls channel's described replies ([replies.*]): the body after
// CallContext::reply(CL_SUCCESS), as the handlers wrote it by hand.
TEST(ControlWire, KernelLaunchInfoAnswer) {
  Writer body;
  body.u64(3);     // num_args
  body.u64(256);   // work_group_size
  body.array(3);
  body.u64(8);
  body.u64(4);
  body.u64(1);
  body.u64(4096);  // static_local_bytes
  Writer encoded;
  calls::KernelLaunchInfoReply{.num_args = 3, .work_group_size = 256, .compile_size = {8, 4, 1},
                               .static_local_bytes = 4096}
      .encodeBody(encoded);
  EXPECT_EQ(bytesOf(encoded.finish()), bytesOf(body.finish()));
}

TEST(ControlWire, ListOpsAnswer) {
  Writer body;
  body.array(1);
  body.array(4);
  body.str("saxpy");
  body.str("y = a x + y");
  body.str("");
  body.array(2);
  body.array(3);
  body.u64(1);  // a scalar
  body.u64(4);
  body.str("a");
  body.array(3);
  body.u64(2);
  body.u64(0);
  body.str("x");
  Writer encoded;
  calls::ListOpsReply reply;
  reply.ops.push_back({"saxpy", "y = a x + y", "", {{1, 4, "a"}, {2, 0, "x"}}});
  reply.encodeBody(encoded);
  EXPECT_EQ(bytesOf(encoded.finish()), bytesOf(body.finish()));
}

TEST(ControlWire, DeviceInfoAllAnswer) {
  const std::string value("\x00\xff name", 7);
  Writer body;
  body.array(1);
  body.array(2);
  body.u64(0x102b);  // CL_DEVICE_NAME
  body.bin(value.data(), value.size());
  body.array(1);
  body.array(2);
  body.u64(0x1032);
  body.i64(-59);  // CL_INVALID_OPERATION: refused with another status than CL_INVALID_VALUE
  Writer encoded;
  calls::DeviceInfoAllReply reply;
  reply.values.push_back({0x102b, value});
  reply.refused.push_back({0x1032, -59});
  reply.encodeBody(encoded);
  EXPECT_EQ(bytesOf(encoded.finish()), bytesOf(body.finish()));
}

// The calls channel's described requests ([requests.*]): the whole request,
// as the client writes it (a handle: its id as a u64).
TEST(ControlWire, PrivateRequests) {
  Writer launch = header(Kind::Request, 7);
  launch.integer(CallId::KernelLaunchInfo);
  launch.u64(0x1234);  // kernel
  launch.u64(3);       // device
  EXPECT_EQ(bytesOf(calls::KernelLaunchInfo{.seq = 7, .kernel = 0x1234, .device = 3}.frames()),
            bytesOf(launch.finish()));
  Writer all = header(Kind::Request, 8);
  all.integer(CallId::DeviceInfoAll);
  all.u64(3);
  EXPECT_EQ(bytesOf(calls::DeviceInfoAll{.seq = 8, .device = 3}.frames()), bytesOf(all.finish()));
  Writer kernels = header(Kind::Request, 9);
  kernels.integer(CallId::ProgramKernels);
  kernels.u64(~std::uint64_t{0});
  EXPECT_EQ(bytesOf(calls::ProgramKernels{.seq = 9, .program = ~std::uint64_t{0}}.frames()), bytesOf(kernels.finish()));
  Writer ops = header(Kind::Request, 10);
  ops.integer(CallId::ListOps);
  ops.u64(1);
  EXPECT_EQ(bytesOf(calls::ListOps{.seq = 10, .platform = 1}.frames()), bytesOf(ops.finish()));
}

}  // namespace
}  // namespace rcl::protocol
