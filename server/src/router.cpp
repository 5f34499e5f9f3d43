#include "rcl/server/router.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "rcl/protocol/control.h"

namespace rcl::server {

using protocol::Channel;
using protocol::ControlCall;
using protocol::Kind;

namespace {
std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}
}  // namespace

Router::Router(RouterOptions options, std::vector<ExposedPlatform> platforms)
    : options_(std::move(options)), platforms_(std::move(platforms)), serverName_(hostName()),
      context_(1), socket_(context_, zmq::socket_type::router) {
  socket_.set(zmq::sockopt::router_mandatory, 1);
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind(options_.listen);
}

Router::~Router() {
  for (auto& [id, session] : sessions_) session->close("server shutting down");
  sessions_.clear();  // joins each worker after it has freed its objects
}

std::string Router::endpoint() const { return socket_.get(zmq::sockopt::last_endpoint); }

std::string Router::sessionBindAddress(std::uint64_t sessionId) const {
  const std::string bound = endpoint();
  if (bound.rfind("tcp://", 0) == 0) return bound.substr(0, bound.rfind(':')) + ":*";
  return fmt::format("{}.{:016x}", bound, sessionId);
}

void Router::run(const std::atomic<bool>& stop) {
  zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
  while (!stop) {
    protocol::pollOnce(&item, 1, std::chrono::milliseconds(200));
    if ((item.revents & ZMQ_POLLIN) != 0) {
      while (auto frames = protocol::recvFrames(socket_, zmq::recv_flags::dontwait)) onMessage(std::move(*frames));
    }
    collectEnded();
  }
}

void Router::onMessage(protocol::Frames frames) {
  if (frames.size() < 2) return;
  zmq::message_t routing = std::move(frames.front());
  frames.erase(frames.begin());
  std::uint64_t sessionId = 0;
  Channel channel{};
  if (!protocol::parseRoutingId(routing, sessionId, channel) || channel != Channel::Control) {
    sendError(routing, 0, CL_INVALID_VALUE, "not a remote-cl handshake: unexpected routing id");
    return;
  }
  std::uint64_t seq = 0;
  try {
    protocol::Reader reader(std::move(frames));
    const auto kind = reader.integer<Kind>();
    seq = reader.u64();
    if (kind != Kind::Request || reader.integer<ControlCall>() != ControlCall::Hello)
      throw protocol::DecodeError("this endpoint takes only the handshake");
    onHello(sessionId, routing, seq, reader);
  } catch (const protocol::DecodeError& e) {
    spdlog::warn("malformed handshake: {}", e.what());
    sendError(routing, seq, CL_INVALID_VALUE, std::string("malformed handshake: ") + e.what());
  }
}

void Router::onHello(std::uint64_t sessionId, const zmq::message_t& routing, std::uint64_t seq,
                     protocol::Reader& reader) {
  const auto version = reader.integer<std::uint32_t>();
  const std::string client = reader.str();
  if (version != protocol::kProtocolVersion) {
    const auto message = fmt::format("protocol version mismatch: client speaks {}, server speaks {}", version,
                                      protocol::kProtocolVersion);
    spdlog::warn("refused client {}: {}", client, message);
    return sendError(routing, seq, CL_INVALID_OPERATION, message);
  }
  if (sessions_.count(sessionId) != 0) return sendError(routing, seq, CL_INVALID_VALUE, "session id already in use");

  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(context_, sessionBindAddress(sessionId), sessionId, client, platforms_,
                                        options_.session);
  } catch (const zmq::error_t& e) {
    spdlog::error("cannot open a session for {}: {}", client, e.what());
    return sendError(routing, seq, CL_OUT_OF_RESOURCES, std::string("cannot open a session: ") + e.what());
  }
  protocol::Writer w;
  w.integer(Kind::Reply);
  w.u64(seq);
  w.i64(CL_SUCCESS);
  w.integer(protocol::kProtocolVersion);
  w.str(serverName_);
  w.str(session->endpoint());
  const auto& platforms = session->platformIds();
  w.array(static_cast<std::uint32_t>(platforms.size()));
  for (const auto& p : platforms) {
    w.array(2);
    w.u64(p.platform);
    w.array(static_cast<std::uint32_t>(p.devices.size()));
    for (auto d : p.devices) w.u64(d);
  }
  spdlog::info("session {:016x} started: client {}, at {}", sessionId, client, session->endpoint());
  sessions_.emplace(sessionId, std::move(session));
  auto frames = w.finish();
  sendTo(routing, frames);
}

void Router::sendTo(const zmq::message_t& routing, protocol::Frames& frames) {
  try {
    protocol::sendFrames(socket_, frames, routing.data(), routing.size(), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    spdlog::debug("dropped a message to a client that is gone: {}", e.what());
  }
}

void Router::sendError(const zmq::message_t& routing, std::uint64_t seq, cl_int status, const std::string& message) {
  protocol::Writer w;
  w.integer(Kind::Error);
  w.u64(seq);
  w.i64(status);
  w.str(message);
  auto frames = w.finish();
  sendTo(routing, frames);
}

void Router::collectEnded() {
  std::erase_if(sessions_, [](const auto& entry) { return entry.second->finished(); });
}

}  // namespace rcl::server
