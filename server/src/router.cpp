#include "rcl/server/router.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/control.h"

namespace rcl::server {

using protocol::Channel;
using protocol::ControlCall;
using protocol::Kind;
using Clock = std::chrono::steady_clock;

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
  socket_.set(zmq::sockopt::router_handover, 1);
  socket_.set(zmq::sockopt::sndhwm, 0);
  socket_.set(zmq::sockopt::rcvhwm, 0);
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind(options_.listen);
}

Router::~Router() {
  for (auto& [id, record] : sessions_) record.session->close("server shutting down");
  sessions_.clear();  // joins each worker after it has freed its objects
  closing_.clear();
}

std::string Router::endpoint() const { return socket_.get(zmq::sockopt::last_endpoint); }

void Router::run(const std::atomic<bool>& stop) {
  zmq::pollitem_t items[] = {
      {socket_.handle(), 0, ZMQ_POLLIN, 0},
      {nullptr, outbox_.wakeFd(), ZMQ_POLLIN, 0},
  };
  auto nextBeat = Clock::now() + options_.heartbeat;
  while (!stop) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(nextBeat - Clock::now());
    protocol::pollOnce(items, 2, std::max(std::chrono::milliseconds(0), std::min(wait, std::chrono::milliseconds(200))));
    if ((items[0].revents & ZMQ_POLLIN) != 0) {
      while (auto frames = protocol::recvFrames(socket_, zmq::recv_flags::dontwait)) onMessage(std::move(*frames));
    }
    if ((items[1].revents & ZMQ_POLLIN) != 0) {
      for (auto& out : outbox_.drain()) deliver(out);
    }
    if (Clock::now() >= nextBeat) {
      heartbeat();
      nextBeat = Clock::now() + options_.heartbeat;
    }
    collectClosed();
  }
}

void Router::onMessage(protocol::Frames frames) {
  if (frames.size() < 2) return;
  zmq::message_t routing = std::move(frames.front());
  frames.erase(frames.begin());
  std::uint64_t sessionId = 0;
  Channel channel{};
  if (!protocol::parseRoutingId(routing, sessionId, channel)) {
    sendError(routing, 0, CL_INVALID_VALUE, "not a remote-cl client: unexpected routing id");
    return;
  }
  if (channel == Channel::Control) return onControl(sessionId, routing, std::move(frames));
  auto it = sessions_.find(sessionId);
  if (it == sessions_.end()) {
    sendError(routing, 0, CL_INVALID_VALUE, "unknown session: say hello first");
    return;
  }
  it->second.lastSeen = Clock::now();
  it->second.session->enqueue(std::move(frames));
}

void Router::onControl(std::uint64_t sessionId, const zmq::message_t& routing, protocol::Frames message) {
  std::uint64_t seq = 0;
  try {
    protocol::Reader reader(std::move(message));
    const auto kind = reader.integer<Kind>();
    seq = reader.u64();
    auto it = sessions_.find(sessionId);
    if (it != sessions_.end()) it->second.lastSeen = Clock::now();
    if (kind == Kind::Ping) return;
    if (kind != Kind::Request) throw protocol::DecodeError("unexpected message kind on the control channel");
    const auto call = reader.integer<ControlCall>();
    switch (call) {
      case ControlCall::Hello:
        return onHello(sessionId, routing, seq, reader);
      case ControlCall::Goodbye:
        return closeSession(sessionId, "client said goodbye");
    }
    throw protocol::DecodeError("unknown control call");
  } catch (const protocol::DecodeError& e) {
    spdlog::warn("malformed control message from session {:016x}: {}", sessionId, e.what());
    sendError(routing, seq, CL_INVALID_VALUE, std::string("malformed control message: ") + e.what());
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

  auto session = std::make_unique<Session>(sessionId, client, outbox_, platforms_);
  protocol::Writer w;
  w.integer(Kind::Reply);
  w.u64(seq);
  w.i64(CL_SUCCESS);
  w.integer(protocol::kProtocolVersion);
  w.str(serverName_);
  const auto& platforms = session->platformIds();
  w.array(static_cast<std::uint32_t>(platforms.size()));
  for (const auto& p : platforms) {
    w.array(2);
    w.u64(p.platform);
    w.array(static_cast<std::uint32_t>(p.devices.size()));
    for (auto d : p.devices) w.u64(d);
  }
  SessionRecord record;
  record.session = std::move(session);
  std::memcpy(record.control.data(), routing.data(), record.control.size());
  record.lastSeen = Clock::now();
  sessions_.emplace(sessionId, std::move(record));
  spdlog::info("session {:016x} started: client {}", sessionId, client);
  auto frames = w.finish();
  sendTo(routing.data(), routing.size(), frames);
}

void Router::deliver(Outgoing& out) {
  auto it = sessions_.find(out.session);
  if (it == sessions_.end()) return;  // the session ended; nobody to tell
  for (const auto& f : out.frames) it->second.session->stats().bytesOut += f.size();
  sendTo(it->second.control.data(), it->second.control.size(), out.frames);
}

void Router::sendTo(const void* routing, std::size_t size, protocol::Frames& frames) {
  try {
    protocol::sendFrames(socket_, frames, routing, size, zmq::send_flags::dontwait);
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
  sendTo(routing.data(), routing.size(), frames);
}

void Router::heartbeat() {
  const auto now = Clock::now();
  std::vector<std::uint64_t> silent;
  for (auto& [id, record] : sessions_) {
    if (now - record.lastSeen > options_.clientTimeout) {
      silent.push_back(id);
      continue;
    }
    protocol::Writer w;
    w.integer(Kind::Ping);
    w.u64(0);
    w.u64(0);
    auto frames = w.finish();
    sendTo(record.control.data(), record.control.size(), frames);
  }
  for (auto id : silent)
    closeSession(id, fmt::format("client silent for more than {} ms", options_.clientTimeout.count()));
}

void Router::closeSession(std::uint64_t id, std::string reason) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  it->second.session->close(std::move(reason));
  closing_.push_back(std::move(it->second.session));
  sessions_.erase(it);
}

void Router::collectClosed() {
  std::erase_if(closing_, [](const std::unique_ptr<Session>& s) { return s->finished(); });
}

}  // namespace rcl::server
