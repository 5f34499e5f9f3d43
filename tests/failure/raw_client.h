#pragma once
// A client that speaks remote-cl's protocol by hand (no ICD): for tests that
// send what a real client never would, or pose as two clients at once.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CL/cl.h>
#include <zmq.hpp>

#include "rcl/protocol/call_ids.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/transport.h"

namespace rcl::test {

struct RawReply {
  protocol::Kind kind;
  cl_int status;
  std::optional<protocol::Reader> rest;  // the values after the status
};

class RawClient {
 public:
  RawClient(zmq::context_t& zmq, const std::string& endpoint, std::uint64_t session);

  // The handshake; returns the first device id the server offers.
  std::uint64_t hello();
  // Sends a request built by `args` and waits (up to `wait`) for its answer
  // (a Reply or an Error); pushes that come first are kept for receive().
  RawReply call(protocol::CallId call, const std::function<void(protocol::Writer&)>& args,
                std::chrono::milliseconds wait = std::chrono::seconds(5));
  // Sends a request built by `args` as a real client sends a call it wants no
  // answer to (seq 0): its errors come as pushes (AsyncError).
  void post(protocol::CallId call, const std::function<void(protocol::Writer&)>& args);
  // clCreateContext on `device` alone, as context `id` (after hello()).
  RawReply createContext(std::uint64_t id, std::uint64_t device);
  // clCreateCommandQueueWithProperties on `device` of `context`, without properties, as queue `id`.
  RawReply createQueue(std::uint64_t id, std::uint64_t context, std::uint64_t device);
  // clCreateBuffer of `size` bytes, CL_MEM_READ_WRITE, no host memory, in `context`, as buffer `id`.
  RawReply createBuffer(std::uint64_t id, std::uint64_t context, std::uint64_t size);
  // Sends these frames as they are on the control channel (after hello()).
  void sendControl(protocol::Frames frames);
  // Sends these frames as they are on the calls channel (after hello()).
  void sendRaw(protocol::Frames frames);
  // The next message on the control channel that is not a ping (up to `wait`).
  std::optional<RawReply> receive(std::chrono::milliseconds wait = std::chrono::seconds(5));

 private:
  std::optional<RawReply> receiveFromSocket(std::chrono::milliseconds wait);

  std::deque<std::optional<RawReply>> pushes_;  // received while a call waited for its answer
  zmq::socket_t control_;
  zmq::socket_t calls_;
  std::string listening_;
  std::uint64_t seq_ = 1;
};

}  // namespace rcl::test
