// Bad input (bad_input_test.h): messages that are malformed - garbage, another
// protocol version, control messages and requests whose fields do not decode,
// build options naming more include roots than they can.

#include "bad_input_test.h"

namespace rcl::test {
namespace {

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
  EXPECT_EQ(client.createContext(1, device).status, CL_SUCCESS);
}

// A client of another protocol version (an older one would rely on the server
// for less, or more: protocol/message.h) is refused at the hello, with a
// message that says so, and the server goes on serving.
TEST_F(BadInputTest, AClientOfAnotherProtocolVersionIsRefusedAtTheHello) {
  RawClient old(zmq_, server_->endpoint(), 0x4242);
  old.sendControl(protocol::control::Hello{.seq = 1, .protocol_version = protocol::kProtocolVersion - 1,
                                           .client_name = "a client of the protocol before"}
                      .frames());
  auto refused = old.receive();
  ASSERT_TRUE(refused) << "no answer to a hello of protocol " << protocol::kProtocolVersion - 1;
  EXPECT_EQ(refused->kind, Kind::Error) << "a hello of another protocol version was accepted";
  EXPECT_EQ(refused->status, CL_INVALID_OPERATION);
  ASSERT_TRUE(refused->rest);
  const std::string message = refused->rest->str();
  EXPECT_NE(message.find("protocol version mismatch"), std::string::npos) << message;

  // A client of a future protocol whose hello is laid out otherwise (a field
  // changed type, fields added): still refused by its version, not as malformed.
  RawClient future(zmq_, server_->endpoint(), 0x4244);
  protocol::Writer w;
  w.integer(Kind::Request);
  w.u64(1);
  w.integer(protocol::ControlCall::Hello);
  w.integer(protocol::kProtocolVersion + 1);
  w.array(2);  // the client's name, now a record
  w.str("a client of the protocol after");
  w.u64(7);
  w.u64(42);  // and fields protocol 2 has not heard of
  w.str("a feature");
  future.sendControl(w.finish());
  auto later = future.receive();
  ASSERT_TRUE(later) << "no answer to a hello of protocol " << protocol::kProtocolVersion + 1 << " with extra fields";
  EXPECT_EQ(later->kind, Kind::Error) << "a hello of a future protocol version was accepted";
  EXPECT_EQ(later->status, CL_INVALID_OPERATION) << "a future hello was not refused as a version mismatch";
  ASSERT_TRUE(later->rest);
  const std::string laterMessage = later->rest->str();
  EXPECT_NE(laterMessage.find("protocol version mismatch"), std::string::npos) << laterMessage;

  RawClient client(zmq_, server_->endpoint(), 0x4243);
  EXPECT_NE(client.hello(), 0u) << "the server stopped serving after a refused hello";
}

// A malformed control message (codegen/messages.toml, [control.*]) gets an
// Error naming the field the generated decoder refused, on the listening
// endpoint and on a session's control channel; both go on serving.
TEST_F(BadInputTest, MalformedControlMessagesAreRefusedNamingTheField) {
  const auto raw = [](std::uint64_t seq, protocol::ControlCall call,
                      const std::function<void(protocol::Writer&)>& fields) {
    protocol::Writer w;
    w.integer(Kind::Request);
    w.u64(seq);
    w.integer(call);
    fields(w);
    return w.finish();
  };
  const auto expectRefused = [](RawClient& client, protocol::Frames frames, const std::string& field) {
    client.sendControl(std::move(frames));
    auto reply = client.receive();
    ASSERT_TRUE(reply) << field << ": no answer";
    EXPECT_EQ(reply->kind, Kind::Error) << field << " was accepted";
    EXPECT_EQ(reply->status, CL_INVALID_VALUE) << field;
    ASSERT_TRUE(reply->rest) << field;
    const std::string message = reply->rest->str();
    EXPECT_NE(message.find(field), std::string::npos) << "the error does not name " << field << ": " << message;
  };
  RawClient stranger(zmq_, server_->endpoint(), 0x7a11);
  expectRefused(stranger, raw(1, protocol::ControlCall::Hello, [](protocol::Writer& w) {
    w.integer(protocol::kProtocolVersion);
    w.str(std::string(5000, 'x'));
  }), "Hello.client_name");
  expectRefused(stranger, raw(2, protocol::ControlCall::Status, [](protocol::Writer& w) { w.str("2"); }),
                "Status.version");

  RawClient client(zmq_, server_->endpoint(), 0x7a12);
  const auto device = client.hello();
  ASSERT_NE(device, 0u) << "the server stopped serving after malformed hellos";
  expectRefused(client, raw(3, protocol::ControlCall::Attach, [](protocol::Writer& w) { w.str("yes"); }),
                "Attach.device_times");
  expectRefused(client, raw(4, protocol::ControlCall::ShmAttach, [](protocol::Writer& w) {
    w.str("/rcl-none");
    w.i64(-1);
    w.u64(1);
  }), "ShmAttach.slots");
  expectRefused(client, raw(5, protocol::ControlCall::BulkAttach, [](protocol::Writer& w) {
    w.u64(1);
    w.str("sealed");
  }), "BulkAttach.sealed");
  EXPECT_EQ(client.createContext(1, device).status, CL_SUCCESS) << "the session stopped after malformed control messages";
}

// The session set-up messages are extensible (`extensible = true` in
// codegen/messages.toml): a newer peer's fields past the last one this
// server knows are skipped, not refused, on the listening endpoint (Hello)
// and on a session's control channel (Attach); a newer field of a wrong
// type in a known place is still refused.
TEST_F(BadInputTest, SetUpMessagesWithNewerFieldsAreAccepted) {
  // Sends `call` with its fields (a newer peer's included) on `client`'s control channel; expects its Reply.
  const auto expectTaken = [](RawClient& client, std::uint64_t seq, protocol::ControlCall call,
                              const std::function<void(protocol::Writer&)>& fields, const std::string& what) {
    protocol::Writer w;
    w.integer(Kind::Request);
    w.u64(seq);
    w.integer(call);
    fields(w);
    client.sendControl(w.finish());
    auto answer = client.receive();
    ASSERT_TRUE(answer) << "no answer to " << what;
    EXPECT_EQ(answer->kind, Kind::Reply) << what << " was refused";
    EXPECT_EQ(answer->status, CL_SUCCESS) << what;
  };
  RawClient newer(zmq_, server_->endpoint(), 0x7a14);
  expectTaken(
      newer, 1, protocol::ControlCall::Hello,
      [](protocol::Writer& w) {
        w.integer(protocol::kProtocolVersion);
        w.str("a newer client");
        w.boolean(false);  // takes_pending
        w.str("a field this server has not heard of");
        w.u64(42);
      },
      "a Hello with newer fields");

  RawClient client(zmq_, server_->endpoint(), 0x7a15);
  ASSERT_NE(client.hello(), 0u);
  expectTaken(
      client, 3, protocol::ControlCall::Attach,
      [](protocol::Writer& w) {
        w.boolean(false);  // device_times
        w.array(0);        // a newer field
      },
      "an Attach with a newer field");
  expectTaken(
      client, 4, protocol::ControlCall::PlatformInfoAll, [](protocol::Writer& w) { w.u64(1); },  // a newer field
      "a PlatformInfoAll with a newer field");
}

// A malformed request of a private call whose arguments are described
// (codegen/messages.toml, [requests.*]), or of an OpenCL call hand-written on
// the server that decodes its generated NAMERequest (codegen/opencl_calls.toml,
// described = true), gets an Error naming the field the generated decoder
// refused; the session goes on, and the well-formed request is answered.
TEST_F(BadInputTest, MalformedPrivateRequestsAreRefusedNamingTheField) {
  RawClient client(zmq_, server_->endpoint(), 0x7a13);
  const auto device = client.hello();
  ASSERT_NE(device, 0u);
  const auto expectRefused = [&](CallId call, const std::function<void(protocol::Writer&)>& fields,
                                 const std::string& field) {
    auto reply = client.call(call, fields);
    EXPECT_EQ(reply.kind, Kind::Error) << field << " was accepted";
    EXPECT_EQ(reply.status, CL_INVALID_VALUE) << field;
    ASSERT_TRUE(reply.rest) << field;
    const std::string message = reply.rest->str();
    EXPECT_NE(message.find("malformed request: " + field), std::string::npos)
        << "the error does not name " << field << ": " << message;
  };
  // Each case: the call, the field the error must name, and the request's malformed fields.
  struct Malformed {
    CallId call;
    std::string field;
    std::function<void(protocol::Writer&)> fields;
  };
  const std::size_t three[3] = {0, 0, 0};
  const std::vector<Malformed> cases = {
      {CallId::DeviceInfoAll, "DeviceInfoAll.device", [](protocol::Writer& w) { w.str("device"); }},
      {CallId::KernelLaunchInfo, "KernelLaunchInfo.device", [](protocol::Writer& w) { w.u64(5); }},
      {CallId::ProgramKernels, "ProgramKernels.program", [](protocol::Writer& w) { w.nil(); }},
      {CallId::ListOps, "ListOps: 1 values past its last field", [&](protocol::Writer& w) { w.u64(1); w.u64(2); }},
      {CallId::clSetKernelArg, "clSetKernelArgRequest.arg_value",
       [](protocol::Writer& w) { w.u64(11); w.u64(0); w.u64(sizeof(cl_mem)); w.str("a buffer"); }},
      {CallId::clSetKernelArgSVMPointer, "clSetKernelArgSVMPointerRequest.arg_value",
       [](protocol::Writer& w) { w.u64(11); w.u64(0); w.str("an address"); }},
      {CallId::clFinish, "clFinishRequest.command_queue", [](protocol::Writer& w) { w.str("queue"); }},
      {CallId::clSetEventCallback, "clSetEventCallbackRequest: 1 values past its last field",
       [](protocol::Writer& w) { w.u64(12); w.i64(CL_SUBMITTED); w.u64(1); w.u64(2); }},
      {CallId::clSetUserEventStatus, "clSetUserEventStatusRequest.execution_status",
       [](protocol::Writer& w) { w.u64(12); w.u64(std::uint64_t{1} << 40); }},
      {CallId::clSetUserEventStatus, "clSetUserEventStatusRequest.event",
       [](protocol::Writer& w) { w.str("user event"); w.i64(CL_COMPLETE); }},
      {CallId::clSetUserEventStatus, "clSetUserEventStatusRequest: 1 values past its last field",
       [](protocol::Writer& w) { w.u64(12); w.i64(CL_COMPLETE); w.u64(1); }},
      {CallId::clSetKernelExecInfo, "clSetKernelExecInfoRequest.param_value",
       [](protocol::Writer& w) { w.u64(11); w.u64(CL_KERNEL_EXEC_INFO_SVM_PTRS); w.str("pointers"); }},
      {CallId::clSVMAlloc, "clSVMAllocRequest.flags", [](protocol::Writer& w) { w.u64(1); w.str("flags"); }},
      {CallId::clSVMFree, "clSVMFreeRequest.svm_pointer", [](protocol::Writer& w) { w.str("an address"); }},
      {CallId::clEnqueueSVMFree, "clEnqueueSVMFreeRequest.svm_pointers", [](protocol::Writer& w) {
         w.u64(13); w.bin("12345", 5);  // not a whole number of addresses
       }},
      {CallId::clEnqueueSVMMigrateMem, "clEnqueueSVMMigrateMemRequest: 1 values past its last field",
       [](protocol::Writer& w) {
         const std::uint64_t address = 0x1000;
         w.u64(13); w.bin(&address, sizeof address); w.nil(); w.u64(0); w.nil(); w.nil(); w.u64(1);
       }},
      {CallId::clCreateBuffer, "clCreateBufferRequest.host_ptr", [](protocol::Writer& w) {
         w.u64(20);  // the new buffer's id
         w.u64(1); w.u64(CL_MEM_READ_WRITE); w.u64(4096); w.array(1);  // a shared buffer is [fd, bytes]
         w.integer(3);
       }},
      {CallId::clCreateBufferWithProperties, "clCreateBufferWithPropertiesRequest.host_ptr", [](protocol::Writer& w) {
         const std::uint32_t address = 0x1000;
         w.u64(21); w.u64(1); w.nil(); w.u64(CL_MEM_USE_HOST_PTR); w.u64(4096);
         w.bin(&address, sizeof address);  // an SVM host pointer is 8 bytes
       }},
      {CallId::clCreateImage, "clCreateImageRequest.mem_object", [](protocol::Writer& w) {
         w.u64(22); w.u64(1); w.u64(CL_MEM_READ_WRITE); w.nil(); w.nil(); w.str("a buffer"); w.nil();
       }},
      {CallId::clBuildProgram, "clBuildProgramRequest.device_list",
       [](protocol::Writer& w) { w.u64(14); w.u64(1); w.str("devices"); }},
      {CallId::clCreateCommandBufferKHR, "clCreateCommandBufferKHRRequest.queues", [](protocol::Writer& w) {
         w.u64(23);  // the new command buffer's id
         w.u64(1); w.str("queues");
       }},
      {CallId::clEnqueueCommandBufferKHR, "clEnqueueCommandBufferKHRRequest.runs_on",
       [](protocol::Writer& w) { w.str("the queue it runs on"); }},
      {CallId::clEnqueueSVMMemcpy, "clEnqueueSVMMemcpyRequest.direction", [](protocol::Writer& w) {
         w.u64(13); w.u64(4);  // no such direction
       }},
      {CallId::clEnqueueSVMMemcpy, "clEnqueueSVMMemcpyRequest.HostToSvm.src_bytes", [](protocol::Writer& w) {
         w.u64(13); w.u64(1);  // HostToSvm
         w.u64(0x1000); w.u64(4); w.array(1); w.u64(5);  // a bulk frame that is not there
       }},
      // Reads and writes (their requests' tails and pieces included).
      {CallId::clEnqueueReadBuffer, "clEnqueueReadBufferRequest.client_waits", [](protocol::Writer& w) {
         w.u64(12); w.u64(13); w.u64(0); w.u64(4); w.nil(); w.u64(7); w.u64(0); w.str("client waits");
       }},
      {CallId::clEnqueueWriteBuffer, "clEnqueueWriteBufferRequest.ptr", [](protocol::Writer& w) {
         w.u64(12); w.u64(13); w.u64(0); w.u64(4); w.array(1); w.u64(5);  // a bulk frame that is not there
       }},
      {CallId::clEnqueueReadBufferRect, "clEnqueueReadBufferRectRequest.buffer_origin",
       [](protocol::Writer& w) { w.u64(12); w.u64(13); w.bin("seven b", 7); }},
      {CallId::clEnqueueWriteBufferRect, "clEnqueueWriteBufferRectRequest.region",
       [&](protocol::Writer& w) { w.u64(12); w.u64(13); w.bin(three, sizeof three); w.u64(3); }},
      {CallId::clEnqueueReadImage, "clEnqueueReadImageRequest.origin",
       [](protocol::Writer& w) { w.u64(12); w.u64(13); w.str("origin"); }},
      {CallId::clEnqueueWriteImage, "clEnqueueWriteImageRequest: 1 values past its last field",
       [&](protocol::Writer& w) {
         w.u64(12); w.u64(13); w.bin(three, sizeof three); w.bin(three, sizeof three);
         w.nil(); w.nil(); w.nil(); w.u64(1);
       }},
      {CallId::MapReadBuffer, "MapReadBuffer.size",
       [](protocol::Writer& w) { w.u64(12); w.u64(13); w.u64(0); w.str("size"); }},
      {CallId::MapReadImage, "MapReadImage.origin",
       [](protocol::Writer& w) { w.u64(12); w.u64(13); w.bin(std::string(25, 'x').data(), 25); }},
  };
  for (const auto& c : cases) expectRefused(c.call, c.fields, c.field);

  auto all = client.call(CallId::DeviceInfoAll, [&](protocol::Writer& w) { w.u64(device); });
  ASSERT_EQ(all.status, CL_SUCCESS) << "the session stopped serving after malformed private requests";
  ASSERT_TRUE(all.rest);
  const auto info = protocol::calls::DeviceInfoAllReply::decodeBody(*all.rest, 0);
  EXPECT_TRUE(std::any_of(info.values.begin(), info.values.end(),
                          [](const auto& v) { return v.param == CL_DEVICE_NAME && !v.value.empty(); }))
      << "the device's information has no CL_DEVICE_NAME";
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
  ASSERT_EQ(client.createContext(1, device).status, CL_SUCCESS) << "the session stopped serving";
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

// Build options' included files: the options name every root the server
// makes a folder for; a count beyond that is malformed.
TEST_F(BadInputTest, BuildOptionsNamingMoreIncludeRootsThanTheyCanAreMalformed) {
  RawClient client(zmq_, server_->endpoint(), 0x1dc1);
  ASSERT_NO_FATAL_FAILURE(open(client));
  const std::string header = "#define ANSWER 42\n";
  const auto bundle = [&](std::uint64_t roots) {
    return [&, roots](protocol::Writer& w) {
      w.array(3);
      w.str("-I \x1b" "rcl-include-0\x1b");
      w.array(1);
      w.array(3);
      w.u64(0);
      w.str("answer.h");
      w.bulkCopy(header.data(), header.size());
      w.u64(roots);
    };
  };
  const std::string source = "#include \"answer.h\"\nkernel void k(global int* o) { o[0] = ANSWER; }\n";
  auto tooMany = buildProgram(client, 40, source, bundle(5000));
  EXPECT_EQ(tooMany.kind, Kind::Error) << "5000 include roots named by options of 18 characters";
  EXPECT_EQ(tooMany.status, CL_INVALID_VALUE);
  expectServing(client, "an include bundle's lie");
  EXPECT_EQ(buildProgram(client, 41, source, bundle(1)).status, CL_SUCCESS) << "the same bundle, told truly";
}

}  // namespace
}  // namespace rcl::test
