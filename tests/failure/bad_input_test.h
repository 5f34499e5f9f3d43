#pragma once
// The fixture of the bad input tests (bad_input_*_test.cpp): input no real
// client sends: garbage, ids of another client, sizes, counts, offsets and
// regions that lie about the bytes a message holds or overflow when added or
// multiplied. The server must answer each with the call's own OpenCL error
// (or as malformed), never read or write past what it has, and keep serving
// the session and everyone else.

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

}  // namespace rcl::test
