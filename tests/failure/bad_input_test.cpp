// Input no real client sends: garbage, ids of another client, sizes,
// counts, offsets and regions that lie about the bytes a message holds or
// overflow when added or multiplied. The server must answer each with the
// call's own OpenCL error (or as malformed), never read or write past what
// it has, and keep serving the session and everyone else.

#include <gtest/gtest.h>
#include <unistd.h>

#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <CL/cl_remote.h>

#include <array>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "raw_client.h"
#include "own_server_test.h"
#include "rcl/protocol/bulk_socket.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/extension_calls.h"
#include "rcl/protocol/kernel_launch_info.h"
#include "rcl/protocol/shm.h"
#include "rcl/protocol/transport.h"
#include "test_segment.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using protocol::CallId;
using protocol::Kind;

constexpr std::uint64_t kContext = 1;
constexpr std::uint64_t kQueue = 2;
constexpr std::uint64_t kBuffer = 3;
constexpr std::size_t kBufferBytes = 4096;
// Values that wrap around when an offset or a size is added to them.
constexpr std::uint64_t kNearlyAll = ~std::uint64_t{0} - 7;
// Builds can take a while on a busy machine.
constexpr auto kBuildWait = 120s;

// A kernel with an argument of each kind: a buffer, a value, local memory.
constexpr const char* kKernelSource = R"(
kernel void k(global int* out, int value, local int* scratch) {
  scratch[get_local_id(0)] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  out[0] = scratch[0];
}
)";

class BadInputTest : public RawServerTest {
 protected:
  BadInputTest() : RawServerTest("rcl-bad-input") {}

  RawReply contextDeviceCount(RawClient& client, std::uint64_t id) {
    return client.call(CallId::clGetContextInfo, [&](protocol::Writer& w) {
      w.u64(id);
      w.u64(CL_CONTEXT_NUM_DEVICES);
    });
  }

  // A session with context kContext, queue kQueue and buffer kBuffer (kBufferBytes) on the first device.
  void open(RawClient& client) {
    device_ = client.hello();
    ASSERT_NE(device_, 0u);
    ASSERT_EQ(client.createContext(kContext, device_).status, CL_SUCCESS);
    ASSERT_EQ(client.createQueue(kQueue, kContext, device_).status, CL_SUCCESS);
    ASSERT_EQ(client.createBuffer(kBuffer, kContext, kBufferBytes).status, CL_SUCCESS);
  }

  // The session still serves: its context answers an ordinary query.
  void expectServing(RawClient& client, const char* after) {
    auto count = contextDeviceCount(client, kContext);
    EXPECT_EQ(count.kind, Kind::Reply) << "no answer after " << after << ": the worker died?";
    EXPECT_EQ(count.status, CL_SUCCESS) << "the session stopped serving after " << after;
  }

  // clEnqueueWriteBuffer of `bytes` at `offset` of `buffer`, in one piece; `token` names staged pieces.
  static RawReply writeBuffer(RawClient& client, std::uint64_t buffer, std::uint64_t offset, std::uint64_t size,
                              const std::string& bytes, std::optional<std::uint64_t> token = std::nullopt) {
    return client.call(CallId::clEnqueueWriteBuffer, [&](protocol::Writer& w) {
      w.u64(kQueue);
      w.u64(buffer);
      w.u64(offset);
      w.u64(size);
      w.array(1);
      w.bulkCopy(bytes.data(), bytes.size());
      w.nil();  // wait list
      w.nil();  // no event
      if (token) w.u64(*token);
    });
  }

  static RawReply readBuffer(RawClient& client, std::uint64_t buffer, std::uint64_t offset, std::uint64_t size,
                             std::uint64_t readId) {
    return client.call(CallId::clEnqueueReadBuffer, [&](protocol::Writer& w) {
      w.u64(kQueue);
      w.u64(buffer);
      w.u64(offset);
      w.u64(size);
      w.nil();  // wait list
      w.u64(readId);
    });
  }

  // The bytes of a read whose command succeeded (they come as a ReadData push), or nullopt.
  static std::optional<std::string> readData(RawClient& client, const char* what) {
    auto data = client.receive(10s);
    if (!data || data->kind != Kind::ReadData) {
      ADD_FAILURE() << "no ReadData for " << what;
      return std::nullopt;
    }
    if (data->rest->integer<cl_int>() != CL_COMPLETE) {
      ADD_FAILURE() << what << " did not complete";
      return std::nullopt;
    }
    std::string bytes;
    const std::uint32_t pieces = data->rest->array();
    for (std::uint32_t i = 0; i < pieces; ++i) {
      const auto& frame = data->rest->bulk();
      bytes.append(static_cast<const char*>(frame.data()), frame.size());
    }
    return bytes;
  }

  // Program `program` from `source`, built with `options` (an include bundle as the client writes it), or nil.
  static RawReply buildProgram(RawClient& client, std::uint64_t program, const std::string& source,
                               const std::function<void(protocol::Writer&)>& options = nullptr) {
    auto created = client.call(CallId::clCreateProgramWithSource, [&](protocol::Writer& w) {
      w.u64(program);
      w.u64(kContext);
      w.u64(1);
      w.array(1);
      w.str(source);
    });
    if (created.status != CL_SUCCESS) return created;
    return client.call(
        CallId::clBuildProgram,
        [&](protocol::Writer& w) {
          w.u64(program);
          w.u64(0);  // every device of the context
          w.nil();
          if (options) {
            options(w);
          } else {
            w.array(3);  // [options, files, roots]
            w.nil();
            w.array(0);
            w.u64(0);
          }
          w.nil();  // no callback
        },
        kBuildWait);
  }

  // kKernelSource's kernel `k` as `kernel`, built as program `program`.
  void kernel(RawClient& client, std::uint64_t program, std::uint64_t kernel) {
    ASSERT_EQ(buildProgram(client, program, kKernelSource).status, CL_SUCCESS);
    ASSERT_EQ(client.call(CallId::clCreateKernel, [&](protocol::Writer& w) {
                w.u64(kernel);
                w.u64(program);
                w.str("k");
              }).status,
              CL_SUCCESS);
  }

  // clSetKernelArg: `value` writes the value (nil, bin or an object id).
  static cl_int setArg(RawClient& client, std::uint64_t kernel, std::uint64_t index, std::uint64_t size,
                       const std::function<void(protocol::Writer&)>& value) {
    return client
        .call(CallId::clSetKernelArg,
              [&](protocol::Writer& w) {
                w.u64(kernel);
                w.u64(index);
                w.u64(size);
                value(w);
              })
        .status;
  }

  static std::function<void(protocol::Writer&)> bytes(std::size_t n) {
    return [n](protocol::Writer& w) {
      const std::string zeros(n, '\0');
      w.bin(zeros.data(), zeros.size());
    };
  }
  static std::function<void(protocol::Writer&)> object(std::uint64_t id) {
    return [id](protocol::Writer& w) { w.u64(id); };
  }

  std::uint64_t device_ = 0;
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
    w.boolean(false);
    w.u64(3);
  }), "BulkAttach: 1 values past its last field");
  EXPECT_EQ(client.createContext(1, device).status, CL_SUCCESS) << "the session stopped after malformed control messages";
}

// A malformed request of a private call whose arguments are described
// (codegen/messages.toml, [requests.*]) gets an Error naming the field the
// generated decoder refused; the session goes on, and the well-formed request
// is answered.
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
  expectRefused(CallId::DeviceInfoAll, [](protocol::Writer& w) { w.str("device"); }, "DeviceInfoAll.device");
  expectRefused(CallId::KernelLaunchInfo, [](protocol::Writer& w) { w.u64(5); }, "KernelLaunchInfo.device");
  expectRefused(CallId::ProgramKernels, [](protocol::Writer& w) { w.nil(); }, "ProgramKernels.program");
  expectRefused(CallId::ListOps, [&](protocol::Writer& w) {
    w.u64(1);
    w.u64(2);
  }, "ListOps: 1 values past its last field");

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

TEST_F(BadInputTest, AnIdOfAnotherClientIsUnknown) {
  RawClient alice(zmq_, server_->endpoint(), 0xa11ce);
  RawClient bob(zmq_, server_->endpoint(), 0xb0b);
  const auto device = alice.hello();
  ASSERT_NE(device, 0u);
  ASSERT_NE(bob.hello(), 0u);
  ASSERT_EQ(alice.createContext(5, device).status, CL_SUCCESS);
  EXPECT_EQ(contextDeviceCount(alice, 5).status, CL_SUCCESS);
  EXPECT_EQ(contextDeviceCount(bob, 5).status, CL_INVALID_CONTEXT);
  // A wrong kind: the context's id used as a memory object.
  auto asBuffer = alice.call(CallId::clGetMemObjectInfo, [](protocol::Writer& w) {
    w.u64(5);
    w.u64(CL_MEM_SIZE);
  });
  EXPECT_EQ(asBuffer.status, CL_INVALID_MEM_OBJECT);
}

// [clSetKernelArg]: a value is exactly `size` bytes (the implementation reads
// that many), an object is a handle's size, local memory has no value.
TEST_F(BadInputTest, ClSetKernelArgWhoseSizeLiesIsRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x5e7a);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_NO_FATAL_FAILURE(kernel(client, 10, 11));

  EXPECT_EQ(setArg(client, 11, 1, sizeof(cl_int), bytes(1)), CL_INVALID_ARG_SIZE) << "a value shorter than its size";
  EXPECT_EQ(setArg(client, 11, 1, 4096, bytes(sizeof(cl_int))), CL_INVALID_ARG_SIZE) << "a size past the value";
  EXPECT_EQ(setArg(client, 11, 1, kNearlyAll, bytes(sizeof(cl_int))), CL_INVALID_ARG_SIZE) << "a huge size";
  EXPECT_EQ(setArg(client, 11, 1, sizeof(cl_int), bytes(8)), CL_INVALID_ARG_SIZE) << "a value longer than its size";
  EXPECT_EQ(setArg(client, 11, 0, sizeof(cl_int), object(kBuffer)), CL_INVALID_ARG_SIZE) << "a buffer of 4 bytes";
  EXPECT_EQ(setArg(client, 11, 0, 4096, object(kBuffer)), CL_INVALID_ARG_SIZE) << "a buffer of 4096 bytes";
  EXPECT_EQ(setArg(client, 11, 0, 0, object(kBuffer)), CL_INVALID_ARG_SIZE) << "a buffer of no bytes";
  EXPECT_EQ(setArg(client, 11, 0, sizeof(cl_mem), object(kContext)), CL_INVALID_ARG_VALUE) << "a context";
  // An index that does not fit a cl_uint would be cut to index 0: malformed.
  auto wrapped = client.call(CallId::clSetKernelArg, [&](protocol::Writer& w) {
    w.u64(11);
    w.u64(std::uint64_t{1} << 32);
    w.u64(sizeof(cl_mem));
    w.u64(kBuffer);
  });
  EXPECT_EQ(wrapped.kind, Kind::Error) << "an index of 2^32";
  EXPECT_EQ(wrapped.status, CL_INVALID_VALUE) << "an index of 2^32";
  expectServing(client, "clSetKernelArg lies");

  // The same arguments, told truly, run the kernel.
  const cl_int value = 0x600d;
  EXPECT_EQ(setArg(client, 11, 0, sizeof(cl_mem), object(kBuffer)), CL_SUCCESS) << "the buffer";
  EXPECT_EQ(setArg(client, 11, 1, sizeof value, [&](protocol::Writer& w) { w.bin(&value, sizeof value); }),
            CL_SUCCESS)
      << "the value";
  EXPECT_EQ(setArg(client, 11, 2, 64, [](protocol::Writer& w) { w.nil(); }), CL_SUCCESS) << "local memory";
  auto run = client.call(CallId::clEnqueueNDRangeKernel, [&](protocol::Writer& w) {
    const std::size_t one = 1;
    w.u64(kQueue);
    w.u64(11);
    w.u64(1);  // work_dim
    w.nil();   // offset
    w.bin(&one, sizeof one);
    w.bin(&one, sizeof one);
    w.u64(0);
    w.nil();
    w.nil();
  });
  ASSERT_EQ(run.status, CL_SUCCESS) << "the kernel did not run";
  ASSERT_EQ(readBuffer(client, kBuffer, 0, sizeof value, 100).status, CL_SUCCESS);
  const auto out = readData(client, "the kernel's result");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), sizeof value);
  cl_int seen = 0;
  std::memcpy(&seen, out->data(), sizeof seen);
  EXPECT_EQ(seen, value);
}

// [clSetKernelExecInfo]: CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM is a cl_bool, SVM_PTRS a list of pointers.
// [KernelLaunchInfo] (protocol/kernel_launch_info.h): the kernel's limits on
// a device; any other object in either place, or an unknown id, is refused.
TEST_F(BadInputTest, KernelLaunchInfoOfOtherObjectsIsRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x1a7c);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_NO_FATAL_FAILURE(kernel(client, 10, 11));
  const auto ask = [&](std::uint64_t kernel, std::optional<std::uint64_t> device) {
    return client.call(CallId::KernelLaunchInfo, [&](protocol::Writer& w) {
      w.u64(kernel);
      if (device) w.u64(*device);
      else w.nil();
    });
  };
  auto fine = ask(11, device_);
  ASSERT_EQ(fine.status, CL_SUCCESS) << "the kernel on its device";
  ASSERT_TRUE(fine.rest);
  EXPECT_EQ(fine.rest->integer<cl_uint>(), 3u) << "CL_KERNEL_NUM_ARGS of k";
  EXPECT_GT(fine.rest->integer<std::size_t>(), 0u) << "CL_KERNEL_WORK_GROUP_SIZE of k";
  EXPECT_EQ(fine.rest->array(), 3u) << "CL_KERNEL_COMPILE_WORK_GROUP_SIZE: 3 values";
  for (int d = 0; d < 3; ++d) EXPECT_EQ(fine.rest->integer<std::size_t>(), 0u) << "k has no reqd_work_group_size";
  EXPECT_EQ(fine.rest->integer<cl_ulong>(), 0u) << "k has no __local variables (its __local argument is not counted)";
  EXPECT_NE(ask(kBuffer, device_).status, CL_SUCCESS) << "a buffer for the kernel";
  EXPECT_NE(ask(11, kQueue).status, CL_SUCCESS) << "a queue for the device";
  EXPECT_NE(ask(999, device_).status, CL_SUCCESS) << "an unknown kernel";
  EXPECT_NE(ask(11, 998).status, CL_SUCCESS) << "an unknown device";
  expectServing(client, "launch information of other objects");
}

// [ProgramKernels] (protocol/program_kernels.h): a program's kernel names and
// their arguments' information; another object, an unknown id or a program
// with no executable is refused, and the server keeps serving.
TEST_F(BadInputTest, ProgramKernelsOfOtherObjectsIsRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x9b0c);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_NO_FATAL_FAILURE(kernel(client, 10, 11));
  const auto ask = [&](std::optional<std::uint64_t> program) {
    return client.call(CallId::ProgramKernels, [&](protocol::Writer& w) {
      if (program) w.u64(*program);
      else w.nil();
    });
  };
  auto fine = ask(10);
  ASSERT_EQ(fine.status, CL_SUCCESS) << "the built program";
  ASSERT_TRUE(fine.rest);
  ASSERT_EQ(fine.rest->array(), 1u) << "one kernel";
  ASSERT_EQ(fine.rest->array(), 2u) << "[name, args]";
  EXPECT_EQ(fine.rest->str(), "k");
  ASSERT_FALSE(fine.rest->isNil()) << "PoCL gives argument information";
  EXPECT_EQ(fine.rest->array(), 3u) << "k's arguments";
  EXPECT_NE(ask(11).status, CL_SUCCESS) << "a kernel for the program";
  EXPECT_NE(ask(kBuffer).status, CL_SUCCESS) << "a buffer for the program";
  EXPECT_NE(ask(999).status, CL_SUCCESS) << "an unknown program";
  EXPECT_NE(ask(std::nullopt).status, CL_SUCCESS) << "no program";
  expectServing(client, "kernels of other objects");
}

TEST_F(BadInputTest, ClSetKernelExecInfoWhoseValueLiesIsRefused) {
  RawClient client(zmq_, server_->endpoint(), 0xe8ec);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_NO_FATAL_FAILURE(kernel(client, 10, 11));
  const auto execInfo = [&](cl_kernel_exec_info name, std::size_t n) {
    return client
        .call(CallId::clSetKernelExecInfo,
              [&](protocol::Writer& w) {
                w.u64(11);
                w.u64(name);
                bytes(n)(w);
              })
        .status;
  };
  EXPECT_EQ(execInfo(CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM, 1), CL_INVALID_VALUE) << "a cl_bool of 1 byte";
  EXPECT_EQ(execInfo(CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM, 64), CL_INVALID_VALUE) << "a cl_bool of 64 bytes";
  EXPECT_EQ(execInfo(CL_KERNEL_EXEC_INFO_SVM_PTRS, 12), CL_INVALID_VALUE) << "a pointer and a half";
  expectServing(client, "clSetKernelExecInfo lies");
}

// Generated handlers: a value or bulk bytes shorter than the annotation's
// length ([clCreateSubBuffer] buffer_create_info, [clEnqueueFillImage]
// fill_color, [clCreateProgramWithIL] il) are refused before the
// implementation reads them.
TEST_F(BadInputTest, GeneratedValuesAndBulkBytesShorterThanTheirLengthAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x9e4e);
  ASSERT_NO_FATAL_FAILURE(open(client));
  const auto subBuffer = [&](std::uint64_t id, std::size_t infoBytes) {
    return client
        .call(CallId::clCreateSubBuffer,
              [&](protocol::Writer& w) {
                w.u64(id);
                w.u64(kBuffer);
                w.u64(CL_MEM_READ_WRITE);
                w.u64(CL_BUFFER_CREATE_TYPE_REGION);
                const cl_buffer_region region{0, 16};  // its first infoBytes bytes
                w.bin(&region, std::min(infoBytes, sizeof region));
              })
        .status;
  };
  EXPECT_EQ(subBuffer(40, 8), CL_INVALID_VALUE) << "a cl_buffer_region of 8 bytes";
  const auto il = [&](std::uint64_t id, std::size_t sent, std::uint64_t length) {
    return client
        .call(CallId::clCreateProgramWithIL,
              [&](protocol::Writer& w) {
                w.u64(id);
                w.u64(kContext);
                const std::string body(sent, '\x07');
                w.bulkCopy(body.data(), body.size());
                w.u64(length);
              })
        .status;
  };
  EXPECT_EQ(il(41, 16, 1 << 20), CL_INVALID_VALUE) << "an IL of 16 bytes said to be 1 MiB";
  expectServing(client, "generated value lies");
  // The right lengths: a sub-buffer is made (the IL is not SPIR-V: the platform's own error).
  EXPECT_EQ(subBuffer(42, sizeof(cl_buffer_region)), CL_SUCCESS) << "a true cl_buffer_region";
  EXPECT_NE(il(43, 16, 16), CL_SUCCESS) << "16 bytes that are no IL";
  expectServing(client, "true lengths");
}

// [clEnqueueReadBuffer], [clEnqueueWriteBuffer]: offset + size within the
// buffer, without wrapping; the bytes sent are the size.
TEST_F(BadInputTest, BufferReadsAndWritesOutsideTheirBufferAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0xb0ff);
  ASSERT_NO_FATAL_FAILURE(open(client));
  const std::string sixteen(16, 'x');

  EXPECT_EQ(readBuffer(client, kBuffer, kNearlyAll, 16, 100).status, CL_INVALID_VALUE) << "a read whose end wraps";
  EXPECT_EQ(readBuffer(client, kBuffer, 0, std::uint64_t{1} << 40, 101).status, CL_INVALID_VALUE)
      << "a read of 1 TiB";
  EXPECT_EQ(readBuffer(client, kBuffer, kBufferBytes - 8, 16, 102).status, CL_INVALID_VALUE)
      << "a read past the end";
  EXPECT_EQ(writeBuffer(client, kBuffer, kNearlyAll, 16, sixteen).status, CL_INVALID_VALUE)
      << "a write whose end wraps";
  EXPECT_EQ(writeBuffer(client, kBuffer, 0, 32, sixteen).status, CL_INVALID_VALUE) << "a size past the bytes sent";
  EXPECT_EQ(writeBuffer(client, kBuffer, 0, 8, sixteen).status, CL_INVALID_VALUE) << "bytes past the size";
  EXPECT_EQ(writeBuffer(client, kBuffer, 0, ~std::uint64_t{0}, sixteen).status, CL_INVALID_VALUE)
      << "a size of 2^64 - 1";
  expectServing(client, "buffer transfer lies");

  const std::string data = "sixteen bytes ok";
  ASSERT_EQ(writeBuffer(client, kBuffer, 64, data.size(), data).status, CL_SUCCESS);
  ASSERT_EQ(readBuffer(client, kBuffer, 64, data.size(), 103).status, CL_SUCCESS);
  EXPECT_EQ(readData(client, "the read back"), data);
}

// [clEnqueueReadBufferRect], [clEnqueueWriteBufferRect]: the packed region
// is the bytes sent (or staged), without overflow, and fits in the buffer.
TEST_F(BadInputTest, RectTransfersWhoseRegionLiesAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x4ec7);
  ASSERT_NO_FATAL_FAILURE(open(client));
  using Triple = std::array<std::size_t, 3>;
  const auto writeRect = [&](Triple region, const std::string& bytes) {
    return client.call(CallId::clEnqueueWriteBufferRect, [&](protocol::Writer& w) {
      const Triple origin{0, 0, 0};
      w.u64(kQueue);
      w.u64(kBuffer);
      w.bin(origin.data(), sizeof origin);
      w.bin(region.data(), sizeof region);
      w.u64(0);  // buffer pitches: packed
      w.u64(0);
      w.bulkCopy(bytes.data(), bytes.size());
      w.nil();
      w.nil();
    });
  };
  std::uint64_t readId = 200;
  const auto readRect = [&](Triple region) {
    return client.call(CallId::clEnqueueReadBufferRect, [&](protocol::Writer& w) {
      const Triple origin{0, 0, 0};
      w.u64(kQueue);
      w.u64(kBuffer);
      w.bin(origin.data(), sizeof origin);
      w.bin(region.data(), sizeof region);
      w.u64(0);
      w.u64(0);
      w.nil();
      w.u64(readId++);
    });
  };
  EXPECT_EQ(writeRect({4, 4, 1}, std::string(8, 'r')).status, CL_INVALID_VALUE) << "a region past the bytes sent";
  EXPECT_EQ(writeRect({4, 4, 1}, std::string(32, 'r')).status, CL_INVALID_VALUE) << "bytes past the region";
  // 2^63 + 1 rows of 2 bytes: the product wraps to 2, the bytes sent.
  EXPECT_EQ(writeRect({(std::size_t{1} << 63) + 1, 2, 1}, "rr").status, CL_INVALID_VALUE) << "a region that wraps";
  EXPECT_EQ(readRect({std::size_t{1} << 20, std::size_t{1} << 20, std::size_t{1} << 10}).status, CL_INVALID_VALUE)
      << "a read of 2^50 bytes";
  EXPECT_EQ(readRect({std::size_t{1} << 32, std::size_t{1} << 32, 1}).status, CL_INVALID_VALUE)
      << "a read whose region wraps to 0";
  EXPECT_EQ(readRect({64, 64, 2}).status, CL_INVALID_VALUE) << "a read larger than the buffer";
  expectServing(client, "rect transfer lies");

  const std::string data = "eight by";
  EXPECT_EQ(writeRect({4, 2, 1}, data).status, CL_SUCCESS);
  ASSERT_EQ(readRect({4, 2, 1}).status, CL_SUCCESS);
  EXPECT_EQ(readData(client, "the rect read"), data);
}

// An 8 x 8 RGBA image of bytes, with its host memory if given.
std::function<void(protocol::Writer&)> image2d(std::uint64_t id, const std::optional<std::string>& host,
                                               std::size_t rowPitch = 0) {
  return [=](protocol::Writer& w) {
    const cl_image_format format{CL_RGBA, CL_UNSIGNED_INT8};
    cl_image_desc desc{};
    desc.image_type = CL_MEM_OBJECT_IMAGE2D;
    desc.image_width = 8;
    desc.image_height = 8;
    desc.image_row_pitch = rowPitch;
    w.u64(id);
    w.u64(kContext);
    w.u64(CL_MEM_READ_WRITE | (host ? CL_MEM_COPY_HOST_PTR : 0));
    w.bin(&format, sizeof format);
    w.bin(&desc, sizeof desc);
    w.nil();  // no mem_object
    if (host) w.bulkCopy(host->data(), host->size());
    else w.nil();
  };
}

// [clEnqueueReadImage], [clEnqueueWriteImage]: the packed region is the bytes
// sent, without overflow, and no larger than the image.
TEST_F(BadInputTest, ImageTransfersWhoseRegionLiesAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x1a6e);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_EQ(client.call(CallId::clCreateImage, image2d(20, std::nullopt)).status, CL_SUCCESS);
  using Triple = std::array<std::size_t, 3>;
  const auto writeImage = [&](Triple region, const std::string& bytes) {
    return client.call(CallId::clEnqueueWriteImage, [&](protocol::Writer& w) {
      const Triple origin{0, 0, 0};
      w.u64(kQueue);
      w.u64(20);
      w.bin(origin.data(), sizeof origin);
      w.bin(region.data(), sizeof region);
      w.bulkCopy(bytes.data(), bytes.size());
      w.nil();
      w.nil();
    });
  };
  std::uint64_t readId = 300;
  const auto readImage = [&](Triple region) {
    return client.call(CallId::clEnqueueReadImage, [&](protocol::Writer& w) {
      const Triple origin{0, 0, 0};
      w.u64(kQueue);
      w.u64(20);
      w.bin(origin.data(), sizeof origin);
      w.bin(region.data(), sizeof region);
      w.nil();
      w.u64(readId++);
    });
  };
  EXPECT_EQ(writeImage({8, 8, 1}, std::string(16, 'i')).status, CL_INVALID_VALUE) << "a region past the bytes sent";
  // 2^62 pixels of 4 bytes: the product wraps to 0, the bytes sent.
  EXPECT_EQ(writeImage({std::size_t{1} << 62, 1, 1}, "").status, CL_INVALID_VALUE) << "a region that wraps";
  EXPECT_EQ(readImage({std::size_t{1} << 20, std::size_t{1} << 20, 1}).status, CL_INVALID_VALUE)
      << "a read of 4 TiB";
  EXPECT_EQ(readImage({16, 16, 1}).status, CL_INVALID_VALUE) << "a read larger than the image";
  expectServing(client, "image transfer lies");

  const std::string pixels(8 * 8 * 4, 'p');
  EXPECT_EQ(writeImage({8, 8, 1}, pixels).status, CL_SUCCESS);
  ASSERT_EQ(readImage({8, 8, 1}).status, CL_SUCCESS);
  EXPECT_EQ(readData(client, "the image read"), pixels);
}

// [clCreateImage], [clCreateImageWithProperties]: format and description
// are exactly their structs, the host memory holds what the implementation
// reads (its rows at their pitch), no product overflows.
TEST_F(BadInputTest, ImageCreationsWhoseHostBytesLieAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x1a6f);
  ASSERT_NO_FATAL_FAILURE(open(client));
  const std::string packed(8 * 8 * 4, 'h');
  EXPECT_EQ(client.call(CallId::clCreateImage, image2d(20, std::string(16, 'h'))).status, CL_INVALID_HOST_PTR)
      << "16 bytes for an image of 256";
  EXPECT_EQ(client.call(CallId::clCreateImage, image2d(21, packed, 4096)).status, CL_INVALID_HOST_PTR)
      << "packed bytes for rows 4096 bytes apart";
  EXPECT_EQ(client.call(CallId::clCreateImage, image2d(22, packed, 8)).status, CL_INVALID_IMAGE_DESCRIPTOR)
      << "a row pitch under the row";
  const auto create = [&](std::uint64_t id, std::size_t formatBytes, std::size_t descBytes,
                          const std::function<void(cl_image_desc&)>& edit, bool withProperties = false) {
    return client
        .call(withProperties ? CallId::clCreateImageWithProperties : CallId::clCreateImage,
              [&](protocol::Writer& w) {
                const cl_image_format format{CL_RGBA, CL_UNSIGNED_INT8};
                cl_image_desc desc{};
                desc.image_type = CL_MEM_OBJECT_IMAGE2D;
                desc.image_width = 8;
                desc.image_height = 8;
                if (edit) edit(desc);
                std::string raw(sizeof desc + 16, '\0');
                std::memcpy(raw.data(), &desc, sizeof desc);
                w.u64(id);
                w.u64(kContext);
                if (withProperties) w.nil();
                w.u64(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR);
                w.bin(&format, formatBytes);
                if (descBytes != 0) w.bin(raw.data(), descBytes);
                else w.nil();
                w.nil();
                w.bulkCopy(packed.data(), packed.size());
              })
        .status;
  };
  EXPECT_EQ(create(23, 4, sizeof(cl_image_desc), nullptr), CL_INVALID_IMAGE_FORMAT_DESCRIPTOR) << "half a format";
  EXPECT_EQ(create(24, sizeof(cl_image_format), 16, nullptr), CL_INVALID_IMAGE_DESCRIPTOR) << "a cut description";
  EXPECT_EQ(create(25, sizeof(cl_image_format), sizeof(cl_image_desc) + 16, nullptr), CL_INVALID_IMAGE_DESCRIPTOR)
      << "a description too long";
  EXPECT_EQ(create(26, sizeof(cl_image_format), 0, nullptr), CL_INVALID_IMAGE_DESCRIPTOR) << "no description";
  EXPECT_EQ(create(27, sizeof(cl_image_format), sizeof(cl_image_desc),
                   [](cl_image_desc& d) { d.image_width = std::size_t{1} << 62; }),
            CL_INVALID_IMAGE_SIZE)
      << "a row whose size wraps";
  EXPECT_EQ(create(28, sizeof(cl_image_format), sizeof(cl_image_desc),
                   [](cl_image_desc& d) { d.image_height = std::size_t{1} << 60; }),
            CL_INVALID_IMAGE_SIZE)
      << "rows whose size wraps";
  EXPECT_EQ(create(29, sizeof(cl_image_format), sizeof(cl_image_desc),
                   [](cl_image_desc& d) {
                     d.image_type = CL_MEM_OBJECT_IMAGE3D;
                     d.image_depth = 4;
                   }),
            CL_INVALID_HOST_PTR)
      << "one slice of four";
  EXPECT_EQ(create(30, sizeof(cl_image_format), sizeof(cl_image_desc),
                   [](cl_image_desc& d) { d.image_height = 64; }, true),
            CL_INVALID_HOST_PTR)
      << "clCreateImageWithProperties: 8 rows of 64";
  // Descriptions PoCL exits on (the worker with it) rather than refuse.
  EXPECT_EQ(create(33, sizeof(cl_image_format), sizeof(cl_image_desc), [](cl_image_desc& d) { d.num_samples = 4; }),
            CL_INVALID_IMAGE_DESCRIPTOR)
      << "num_samples of 4";
  EXPECT_EQ(create(34, sizeof(cl_image_format), sizeof(cl_image_desc), [](cl_image_desc& d) { d.num_mip_levels = 2; }),
            CL_INVALID_IMAGE_DESCRIPTOR)
      << "mip levels without cl_khr_mipmap_image";
  expectServing(client, "image creation lies");

  EXPECT_EQ(client.call(CallId::clCreateImage, image2d(31, packed)).status, CL_SUCCESS);
  EXPECT_EQ(create(32, sizeof(cl_image_format), sizeof(cl_image_desc), nullptr, true), CL_SUCCESS);
}

// [ShmWritePiece], [DirectWrite], [BulkWrite], [SharedWrite], [SharedMap], [MapReadBuffer]:
// a piece's bytes lie in its buffer, without wrapping, or its transfer fails
// with CL_INVALID_VALUE (the piece's error is the command's).
TEST_F(BadInputTest, TransferPiecesWhoseRangeLiesFailTheirTransfer) {
  RawClient client(zmq_, server_->endpoint(), 0x9ece);
  ASSERT_NO_FATAL_FAILURE(open(client));
  TestSegment segment;
  auto attached = attach(client, segment, std::pair{::getpid(), segment.headerAddress()});
  ASSERT_TRUE(attached);
  ASSERT_EQ(attached->status, CL_SUCCESS);
  attached->rest->u64();  // the cookie
  ASSERT_TRUE(attached->rest->boolean()) << "no direct copies: the worker could not read this process";

  std::uint64_t token = 500;
  // A piece [token, where, length, queue, buffer, offset, wait list], sent as a client does (no answer).
  const auto piece = [&](CallId call, std::uint64_t where, std::uint64_t length, std::uint64_t offset) {
    client.post(call, [&](protocol::Writer& w) {
      w.u64(token);
      w.u64(where);
      w.u64(length);
      w.u64(kQueue);
      w.u64(kBuffer);
      w.u64(offset);
      w.nil();
    });
  };
  // The write the pieces stand for: 16 bytes at 0, all of them in the pieces.
  const auto command = [&] {
    return client
        .call(CallId::clEnqueueWriteBuffer,
              [&](protocol::Writer& w) {
                w.u64(kQueue);
                w.u64(kBuffer);
                w.u64(0);
                w.u64(16);
                w.nil();  // no pieces
                w.nil();
                w.nil();
                w.u64(token++);
              })
        .status;
  };
  const std::uint64_t local = reinterpret_cast<std::uintptr_t>(segment.name().data());

  piece(CallId::WritePiece, 0, 16, kNearlyAll);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a slot piece whose end wraps";
  auto freed = client.receive();
  ASSERT_TRUE(freed) << "the slot was not given back";
  EXPECT_EQ(freed->kind, Kind::SlotFree);
  piece(CallId::DirectWrite, local, 16, kNearlyAll);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a direct piece whose end wraps";
  piece(CallId::DirectWrite, local, 8, 8);
  piece(CallId::DirectWrite, local, kNearlyAll, 16);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "pieces whose lengths add up past 2^64";
  piece(CallId::DirectWrite, local, 16, kBufferBytes - 8);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a direct piece past the buffer's end";
  piece(CallId::SharedWrite, local, 16, kNearlyAll);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a shared piece whose end wraps";
  auto map = client.call(CallId::SharedMap, [&](protocol::Writer& w) {
    w.u64(kQueue);
    w.u64(kBuffer);
    w.u64(CL_MAP_READ);
    w.u64(kNearlyAll);
    w.u64(16);
    w.nil();
    w.nil();
    w.u64(0);  // where the client's mapping would be
  });
  EXPECT_EQ(map.status, CL_INVALID_VALUE) << "a shared map whose end wraps";
  // [MapReadBuffer]: the read of a map for writing of a host-write-only buffer.
  const auto mapRead = [&](std::uint64_t offset, std::uint64_t size) {
    return client
        .call(CallId::MapReadBuffer,
              [&](protocol::Writer& w) {
                w.u64(kQueue);
                w.u64(kBuffer);
                w.u64(offset);
                w.u64(size);
                w.nil();  // wait list
                w.u64(token++);  // read id
              })
        .status;
  };
  EXPECT_EQ(mapRead(kNearlyAll, 16), CL_INVALID_VALUE) << "a map's read whose end wraps";
  EXPECT_EQ(mapRead(kBufferBytes - 8, 16), CL_INVALID_VALUE) << "a map's read past the buffer's end";
  EXPECT_EQ(mapRead(0, 0), CL_INVALID_VALUE) << "a map's read of nothing";

  // A bulk socket's piece (its lanes are never connected: the piece comes first).
  client.sendControl(protocol::control::BulkAttach{.seq = 91, .lanes = 1}.frames());
  auto bulk = client.receive();
  ASSERT_TRUE(bulk);
  ASSERT_EQ(bulk->status, CL_SUCCESS) << "no bulk socket";
  piece(CallId::BulkWrite, token, 16, kNearlyAll);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a bulk piece whose end wraps";
  expectServing(client, "piece lies");

  // The session's transfers go on.
  const std::string data = "still sixteen ok";
  ASSERT_EQ(writeBuffer(client, kBuffer, 0, data.size(), data).status, CL_SUCCESS);
  ASSERT_EQ(readBuffer(client, kBuffer, 0, data.size(), 600).status, CL_SUCCESS);
  EXPECT_EQ(readData(client, "the read back"), data);
}

// [EnqueueOp] sgemm: every matrix within its buffer, however its offset and
// leading dimension would wrap CLBlast's own check; host-out arguments
// together under the limit.
TEST_F(BadInputTest, GemmMatricesOutsideTheirBuffersAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x6e33);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_EQ(client.createBuffer(4, kContext, kBufferBytes).status, CL_SUCCESS);
  ASSERT_EQ(client.createBuffer(5, kContext, kBufferBytes).status, CL_SUCCESS);
  // sgemm of 4 x 4 matrices in buffers of 1024 floats; `replace(w, i)` may write argument i instead.
  const auto sgemm = [&](const std::function<bool(protocol::Writer&, std::uint32_t)>& replace) {
    return client
        .call(CallId::EnqueueOp,
              [&](protocol::Writer& w) {
                w.u64(kQueue);
                w.str("sgemm");
                w.array(17);
                for (std::uint32_t i = 0; i < 17; ++i) {
                  w.array(2);
                  if (replace(w, i)) continue;
                  if (i == 7 || i == 10 || i == 14) {  // a, b, c
                    w.u64(CL_RCL_ARG_MEM);
                    w.u64(i == 7 ? kBuffer : i == 10 ? 4 : 5);
                    continue;
                  }
                  w.u64(CL_RCL_ARG_SCALAR);
                  if (i == 0 || i == 1 || i == 2) {
                    const cl_uint v = i == 0 ? CL_RCL_COL_MAJOR : CL_RCL_NO_TRANS;
                    w.bin(&v, sizeof v);
                  } else if (i == 6 || i == 13) {
                    const cl_float v = 1.0f;
                    w.bin(&v, sizeof v);
                  } else {
                    const cl_ulong v = (i == 8 || i == 11 || i == 15) ? 0 : 4;  // offsets 0, m, n, k, lds 4
                    w.bin(&v, sizeof v);
                  }
                }
                w.nil();
                w.nil();
              },
              30s)
        .status;
  };
  const auto scalar = [&](std::uint32_t bad, cl_ulong value) {
    return sgemm([bad, value](protocol::Writer& w, std::uint32_t i) {
      if (i != bad) return false;
      w.u64(CL_RCL_ARG_SCALAR);
      w.bin(&value, sizeof value);
      return true;
    });
  };
  EXPECT_EQ(scalar(8, cl_ulong{1} << 62), CL_INVALID_VALUE) << "a's offset: its bytes wrap to 64";
  EXPECT_EQ(scalar(12, cl_ulong{1} << 62), CL_INVALID_VALUE) << "b's leading dimension: its bytes wrap";
  EXPECT_EQ(scalar(15, 2000), CL_INVALID_VALUE) << "c's offset past its buffer";
  EXPECT_EQ(scalar(3, cl_ulong{1} << 40), CL_INVALID_VALUE) << "m of 2^40";
  EXPECT_EQ(scalar(16, kNearlyAll), CL_INVALID_VALUE) << "c's leading dimension of 2^64 - 8";
  // Two host-out arguments of 3 GiB: 6 GiB together, refused as the arguments are read.
  EXPECT_EQ(sgemm([](protocol::Writer& w, std::uint32_t i) {
              if (i > 1) return false;
              w.u64(CL_RCL_ARG_HOST_OUT);
              w.u64(std::uint64_t{3} << 30);
              return true;
            }),
            CL_INVALID_VALUE)
      << "6 GiB of host-out arguments";
  expectServing(client, "GEMM lies");
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

// cl_khr_command_buffer's hand-written handlers (and a generated recording
// call): counts that do not match their lists, a first queue that is not the
// one the buffer runs on, ids of another kind or none. Each is refused with
// the call's error and the session goes on; the true message then works.
TEST_F(BadInputTest, CommandBufferMessagesThatLieAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0xcb0f);
  ASSERT_NO_FATAL_FAILURE(open(client));
  constexpr std::uint64_t kOtherQueue = 60;
  constexpr std::uint64_t kCommands = 61;
  ASSERT_EQ(client.createQueue(kOtherQueue, kContext, device_).status, CL_SUCCESS);
  const auto create = [&](std::uint64_t id, std::uint64_t count, const std::vector<std::uint64_t>& queues) {
    return client
        .call(CallId::clCreateCommandBufferKHR,
              [&](protocol::Writer& w) {
                w.u64(id);
                w.u64(count);
                w.array(static_cast<std::uint32_t>(queues.size()));
                for (auto q : queues) w.u64(q);
                w.nil();  // properties
              })
        .status;
  };
  EXPECT_EQ(create(kCommands, 2, {kQueue}), CL_INVALID_VALUE) << "two queues said, one sent";
  EXPECT_EQ(create(kCommands, 0, {}), CL_INVALID_VALUE) << "no queue: no platform to ask";
  EXPECT_EQ(create(kCommands, 1, {kBuffer}), CL_INVALID_COMMAND_QUEUE) << "a buffer's id as a queue";
  expectServing(client, "command buffer creations that lie");
  ASSERT_EQ(create(kCommands, 1, {kQueue}), CL_SUCCESS);

  const auto fill = [&](std::uint64_t count, std::size_t sent) {
    return client
        .call(CallId::clCommandFillBufferKHR,
              [&](protocol::Writer& w) {
                w.u64(kCommands);
                w.nil();  // command_queue
                w.u64(kBuffer);
                const cl_int pattern = 3;
                w.bin(&pattern, sizeof pattern);
                w.u64(sizeof pattern);
                w.u64(0);
                w.u64(kBufferBytes);
                w.u64(count);
                const std::vector<cl_sync_point_khr> points(sent, 1);
                if (sent == 0) w.nil();
                else w.bin(points.data(), points.size() * sizeof(cl_sync_point_khr));
                w.boolean(true);   // its sync point
                w.boolean(false);  // no mutable handle
              })
        .status;
  };
  EXPECT_EQ(fill(1, 3), CL_INVALID_VALUE) << "one sync point said, three sent";
  EXPECT_EQ(fill(0, 0), CL_SUCCESS);
  ASSERT_EQ(client.call(CallId::clFinalizeCommandBufferKHR, [&](protocol::Writer& w) { w.u64(kCommands); }).status,
            CL_SUCCESS);

  const auto enqueue = [&](std::uint64_t first, std::uint64_t buffer, std::uint64_t waits) {
    return client
        .call(CallId::clEnqueueCommandBufferKHR,
              [&](protocol::Writer& w) {
                w.u64(first);  // the queue it runs on
                w.u64(0);      // num_queues
                w.nil();       // queues
                w.u64(buffer);
                w.u64(waits);
                if (waits == 0) w.nil();
                else w.array(0);
                w.nil();  // no event
              })
        .status;
  };
  EXPECT_EQ(enqueue(kOtherQueue, kCommands, 0), CL_INVALID_VALUE) << "the first queue is not the buffer's";
  EXPECT_EQ(enqueue(kQueue, kQueue, 0), CL_INVALID_COMMAND_BUFFER_KHR) << "a queue's id as a command buffer";
  EXPECT_EQ(enqueue(kQueue, 999, 0), CL_INVALID_COMMAND_BUFFER_KHR) << "an unknown id";
  EXPECT_EQ(enqueue(kQueue, kCommands, 2), CL_INVALID_VALUE) << "two events said, none sent";
  expectServing(client, "command buffer enqueues that lie");
  EXPECT_EQ(enqueue(kQueue, kCommands, 0), CL_SUCCESS) << "the true enqueue";
  EXPECT_EQ(client.call(CallId::clFinish, [&](protocol::Writer& w) { w.u64(kQueue); }).status, CL_SUCCESS);
}

}  // namespace
}  // namespace rcl::test
