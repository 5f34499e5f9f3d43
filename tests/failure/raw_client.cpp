#include "raw_client.h"

#include <chrono>

#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/transport.h"

namespace rcl::test {

using protocol::Kind;

RawClient::RawClient(zmq::context_t& zmq, const std::string& endpoint, std::uint64_t session)
    : control_(zmq, zmq::socket_type::dealer), calls_(zmq, zmq::socket_type::dealer) {
  const auto controlId = protocol::makeRoutingId(session, protocol::Channel::Control);
  const auto callsId = protocol::makeRoutingId(session, protocol::Channel::Calls);
  control_.set(zmq::sockopt::routing_id, zmq::buffer(controlId));
  calls_.set(zmq::sockopt::routing_id, zmq::buffer(callsId));
  control_.set(zmq::sockopt::linger, 0);
  calls_.set(zmq::sockopt::linger, 0);
  control_.connect(endpoint);
  listening_ = endpoint;
}

std::optional<RawReply> RawClient::receive(std::chrono::milliseconds wait) {
  if (pushes_.empty()) return receiveFromSocket(wait);
  std::optional<RawReply> kept = std::move(pushes_.front());
  pushes_.pop_front();
  return kept;
}

std::optional<RawReply> RawClient::receiveFromSocket(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    zmq::pollitem_t item{control_.handle(), 0, ZMQ_POLLIN, 0};
    protocol::pollOnce(&item, 1, std::chrono::milliseconds(100));
    auto frames = protocol::recvFrames(control_, zmq::recv_flags::dontwait);
    if (!frames) continue;
    protocol::Reader r(std::move(*frames));
    const auto kind = r.integer<Kind>();
    r.u64();
    if (kind == Kind::Ping) continue;
    RawReply reply{kind, r.integer<cl_int>(), std::nullopt};
    reply.rest.emplace(std::move(r));
    return reply;
  }
  return std::nullopt;
}

std::uint64_t RawClient::hello() {
  auto frames = protocol::control::Hello{.seq = seq_++, .protocol_version = protocol::kProtocolVersion,
                                         .client_name = "raw test client"}
                    .frames();
  protocol::sendFrames(control_, frames);
  auto reply = receive();
  if (!reply || reply->kind != Kind::Reply || reply->status != CL_SUCCESS) return 0;
  const auto answer = protocol::control::HelloReply::decodeBody(*reply->rest, 0);
  if (answer.platforms.empty() || answer.platforms.front().devices.empty()) return 0;
  const std::string& session = answer.session_endpoint;
  const std::uint64_t device = answer.platforms.front().devices.front();
  // Move to the session's own endpoint and say so.
  control_.disconnect(listening_);
  control_.connect(session);
  calls_.connect(session);
  frames = protocol::control::Attach{.seq = seq_++}.frames();
  protocol::sendFrames(control_, frames);
  auto attached = receive();
  return attached && attached->kind == Kind::Reply ? device : 0;
}

RawReply RawClient::createContext(std::uint64_t id, std::uint64_t device) {
  return call(protocol::CallId::clCreateContext, [&](protocol::Writer& w) {
    w.u64(id);  // the id the client picks
    w.nil();    // properties
    w.u64(1);   // num_devices
    w.array(1);
    w.u64(device);
    w.nil();  // no callback
  });
}

RawReply RawClient::createQueue(std::uint64_t id, std::uint64_t context, std::uint64_t device) {
  return call(protocol::CallId::clCreateCommandQueueWithProperties, [&](protocol::Writer& w) {
    w.u64(id);
    w.u64(context);
    w.u64(device);
    w.nil();  // properties
  });
}

RawReply RawClient::createBuffer(std::uint64_t id, std::uint64_t context, std::uint64_t size) {
  return call(protocol::CallId::clCreateBuffer, [&](protocol::Writer& w) {
    w.u64(id);
    w.u64(context);
    w.u64(CL_MEM_READ_WRITE);
    w.u64(size);
    w.nil();  // no host memory
  });
}

RawReply RawClient::call(protocol::CallId call, const std::function<void(protocol::Writer&)>& args,
                         std::chrono::milliseconds wait) {
  protocol::Writer w;
  w.integer(Kind::Request);
  w.u64(seq_++);
  w.integer(static_cast<std::uint16_t>(call));
  args(w);
  sendRaw(w.finish());
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (auto now = std::chrono::steady_clock::now(); now < deadline; now = std::chrono::steady_clock::now()) {
    auto reply = receiveFromSocket(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    if (!reply) break;
    if (reply->kind == Kind::Reply || reply->kind == Kind::Error) return std::move(*reply);
    pushes_.push_back(std::move(reply));
  }
  return RawReply{Kind::Error, CL_SUCCESS, std::nullopt};
}

void RawClient::post(protocol::CallId call, const std::function<void(protocol::Writer&)>& args) {
  protocol::Writer w;
  w.integer(Kind::Request);
  w.u64(0);
  w.integer(static_cast<std::uint16_t>(call));
  args(w);
  sendRaw(w.finish());
}

void RawClient::sendControl(protocol::Frames frames) { protocol::sendFrames(control_, frames); }

void RawClient::sendRaw(protocol::Frames frames) { protocol::sendFrames(calls_, frames); }

}  // namespace rcl::test
