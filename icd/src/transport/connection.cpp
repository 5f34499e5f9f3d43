#include "rcl/icd/transport/connection.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <random>

#include <spdlog/spdlog.h>

#include "rcl/icd/support/log.h"

#include "rcl/icd/transport/driver.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/transport/handshake_monitor.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/protocol/bulk_socket.h"
#include "rcl/protocol/control.h"
#include "rcl/protocol/link_watch.h"
#include "rcl/protocol/profiling_times.h"
#include "rcl/protocol/pushes.h"
#include "rcl/protocol/shm.h"
#include "rcl/protocol/transport.h"

namespace rcl::icd {

using protocol::Kind;
using Clock = std::chrono::steady_clock;

namespace {

std::uint64_t randomSessionId() {
  std::random_device device;
  std::uint64_t id = 0;
  while (id == 0) id = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return id;
}

std::string clientName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  char exe[512] = {};
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  const std::string program = n > 0 ? std::string(exe, static_cast<std::size_t>(n)) : "?";
  return fmt::format("{}:{} ({})", host, getpid(), program.substr(program.find_last_of('/') + 1));
}

void configure(zmq::socket_t& s, std::uint64_t session, protocol::Channel channel,
               const protocol::CurveClientKeys& curve) {
  protocol::applyCurveClient(s, curve);
  const auto id = protocol::makeRoutingId(session, channel);
  s.set(zmq::sockopt::routing_id, zmq::buffer(id));
  s.set(zmq::sockopt::linger, 200);
  s.set(zmq::sockopt::sndhwm, 0);
  s.set(zmq::sockopt::rcvhwm, 0);
  s.set(zmq::sockopt::immediate, 0);
}

}  // namespace

Connection::Connection(zmq::context_t& zmq, std::string endpoint, ConnectionOptions options)
    : endpoint_(std::move(endpoint)), options_(options), session_(randomSessionId()),
      calls_(zmq, zmq::socket_type::dealer), control_(zmq, zmq::socket_type::dealer), zmq_(zmq),
      wakeReceiver_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  configure(calls_, session_, protocol::Channel::Calls, options_.curve);
  configure(control_, session_, protocol::Channel::Control, options_.curve);
}

std::unique_ptr<Connection> Connection::open(zmq::context_t& zmq, const std::string& endpoint,
                                             const ConnectionOptions& options) {
  std::unique_ptr<Connection> c(new Connection(zmq, endpoint, options));
  try {
    HandshakeMonitor monitor(c->control_, fmt::format("{:016x}", c->session_), options.curve.enabled(),
                             options.retry);
    protocol::allowIpv6For(c->control_, endpoint);
    c->control_.connect(endpoint);
    if (!c->handshake(monitor)) return nullptr;
  } catch (const zmq::error_t& e) {
    log().log(c->failureLevel(), "remote-cl: cannot use server {}: {}", endpoint, e.what());
    return nullptr;
  }
  try {
    // After the handshake's monitor is gone: a socket has one monitor at a time.
    c->link_ = std::make_unique<protocol::LinkWatch>(zmq, c->control_, fmt::format("{:016x}", c->session_));
  } catch (const zmq::error_t& e) {
    log().debug("remote-cl: no watch on the connection to {} ({}); the heartbeat alone tells", endpoint, e.what());
  }
  c->receiver_ = std::thread([raw = c.get()] { raw->receiveLoop(); });
  c->callbackThread_ = std::thread([raw = c.get()] { raw->callbackLoop(); });
  return c;
}

namespace {

// The session's endpoint as this client reaches it: a tcp session is on the
// host the client already reached (the server may have bound 0.0.0.0).
std::string reachable(const std::string& listening, const std::string& session) {
  if (session.rfind("tcp://", 0) != 0 || listening.rfind("tcp://", 0) != 0) return session;
  return listening.substr(0, listening.rfind(':')) + session.substr(session.rfind(':'));
}

}  // namespace

std::optional<protocol::Reader> Connection::awaitControl(std::chrono::steady_clock::time_point deadline,
                                                         HandshakeMonitor& monitor, std::string* refusal) {
  for (;;) {
    if (const auto failure = monitor.failure()) {
      log().log(failureLevel(), "remote-cl: cannot connect to server {}: {}; it offers no platforms", endpoint_,
                *failure);
      return std::nullopt;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    zmq::pollitem_t item{control_.handle(), 0, ZMQ_POLLIN, 0};
    protocol::pollOnce(&item, 1, std::min(left, std::chrono::milliseconds(50)));  // then the monitor again
    if ((item.revents & ZMQ_POLLIN) == 0) continue;
    auto frames = protocol::recvFrames(control_, zmq::recv_flags::dontwait);
    if (!frames) continue;
    protocol::Reader r(std::move(*frames));
    const auto kind = r.integer<Kind>();
    if (kind == Kind::Ping) continue;
    if (kind == Kind::Error) {
      const auto seq = r.u64();
      const auto error = protocol::push::Error::decodeBody(r, seq);
      if (refusal != nullptr) *refusal = error.message;
      else log().error("remote-cl: server {} refused the connection: {}", endpoint_, error.message);
      return std::nullopt;
    }
    return r;
  }
}

bool Connection::handshake(HandshakeMonitor& monitor) {
  const auto deadline = Clock::now() + options_.connectTimeout;
  protocol::Writer hello;
  hello.integer(Kind::Request);
  hello.u64(1);
  hello.integer(protocol::ControlCall::Hello);
  hello.integer(protocol::kProtocolVersion);
  hello.str(clientName());
  auto frames = hello.finish();
  protocol::sendFrames(control_, frames);
  try {
    auto r = awaitControl(deadline, monitor);
    if (!r) {
      if (Clock::now() >= deadline)
        log().log(failureLevel(), "remote-cl: no answer from server {} within {} ms; it offers no platforms{}", endpoint_,
                   options_.connectTimeout.count(),
                   options_.curve.enabled() ? " (with CURVE: is REMOTE_CL_CURVE_SERVER_KEY its key?)" : "");
      return false;
    }
    r->u64();
    if (r->integer<cl_int>() != CL_SUCCESS) return false;
    const auto version = r->integer<std::uint32_t>();
    serverName_ = r->str();
    if (version != protocol::kProtocolVersion) {
      log().error("remote-cl: server {} speaks protocol {}, this client {}", endpoint_, version,
                    protocol::kProtocolVersion);
      return false;
    }
    const std::string session = reachable(endpoint_, r->str());
    const std::uint32_t platforms = r->array();
    for (std::uint32_t i = 0; i < platforms; ++i) {
      r->array();
      PlatformLayout platform;
      platform.platform = r->u64();
      const std::uint32_t devices = r->array();
      for (std::uint32_t d = 0; d < devices; ++d) platform.devices.push_back(r->u64());
      layout_.push_back(std::move(platform));
    }
    // Move both sockets to the session's own endpoint, and say we are there.
    control_.disconnect(endpoint_);
    protocol::allowIpv6For(control_, session);
    protocol::allowIpv6For(calls_, session);
    control_.connect(session);
    calls_.connect(session);
    protocol::Writer attach;
    attach.integer(Kind::Request);
    attach.u64(2);
    attach.integer(protocol::ControlCall::Attach);
    attach.boolean(options_.deviceTimes);
    frames = attach.finish();
    protocol::sendFrames(control_, frames);
    auto attached = awaitControl(deadline, monitor);
    if (!attached) {
      log().warn("remote-cl: server {} gave a session at {} that does not answer", endpoint_, session);
      return false;
    }
    if (options_.shm) offerSharedMemory(deadline, monitor);
    if (!shm_ && options_.bulkSocket && (!options_.curve.enabled() || options_.encryptedLanes) &&
        !protocol::bulk::tcpHost(session).empty())
      openBulkSocket(session, deadline, monitor);
    replySockets_ = std::make_shared<ReplySockets>(zmq_, session_, session, options_.connectTimeout, options_.curve);
    log().info("remote-cl: connected to {} ({}), session at {}, {} platform(s){}{}{}", endpoint_, serverName_, session,
               layout_.size(), options_.curve.enabled() ? ", CURVE" : "", shm_ ? ", shared memory" : "",
               bulk_ ? (bulk_->encrypted() ? ", encrypted bulk lanes" : ", bulk socket") : "");
    return true;
  } catch (const protocol::DecodeError& e) {
    log().error("remote-cl: malformed handshake from {}: {}", endpoint_, e.what());
    return false;
  } catch (const zmq::error_t& e) {
    log().error("remote-cl: cannot reach the session of {}: {}", endpoint_, e.what());
    return false;
  }
}

void Connection::offerSharedMemory(std::chrono::steady_clock::time_point deadline, HandshakeMonitor& monitor) {
  auto channel = ShmChannel::create(options_.shmMegabytes);
  if (!channel) {
    log().debug("remote-cl: cannot create shared memory; bulk data goes through the socket");
    return;
  }
  protocol::Writer offer;
  offer.integer(Kind::Request);
  offer.u64(3);
  offer.integer(protocol::ControlCall::ShmAttach);
  offer.str(channel->name());
  offer.u64(channel->slots());
  offer.u64(channel->slotBytes());
  if (options_.directCopy) {
    offer.i64(::getpid());
    offer.u64(reinterpret_cast<std::uintptr_t>(channel->header()));
  }
  auto frames = offer.finish();
  protocol::sendFrames(control_, frames);
  std::string refusal;
  auto answer = awaitControl(deadline, monitor, &refusal);
  channel->unlink();  // the server has mapped it, or never will: no name may stay behind
  if (!answer) {
    log().debug("remote-cl: server {} cannot use this client's shared memory ({}); bulk data goes through the socket",
                endpoint_, refusal.empty() ? "no answer" : refusal);
    return;
  }
  answer->u64();
  if (answer->integer<cl_int>() != CL_SUCCESS || answer->u64() != channel->cookie()) return;
  directCopy_ = !answer->atEnd() && answer->boolean();
  shm_ = std::move(channel);
}

void Connection::openBulkSocket(const std::string& session, std::chrono::steady_clock::time_point deadline,
                                HandshakeMonitor& monitor) {
  protocol::Writer ask;
  ask.integer(Kind::Request);
  ask.u64(4);
  ask.integer(protocol::ControlCall::BulkAttach);
  const bool encrypted = options_.curve.enabled();
  ask.u64(options_.bulkLanes != 0 ? options_.bulkLanes : encrypted ? 4 : 2);
  if (encrypted) ask.boolean(true);  // lanes sealed with keys of the session's own (bulk_crypt.h)
  auto frames = ask.finish();
  protocol::sendFrames(control_, frames);
  std::string refusal;
  auto answer = awaitControl(deadline, monitor, &refusal);
  if (!answer) {
    log().debug("remote-cl: no bulk socket from {} ({}); bulk data goes in ZeroMQ frames", endpoint_,
                refusal.empty() ? "no answer" : refusal);
    return;
  }
  answer->u64();
  if (answer->integer<cl_int>() != CL_SUCCESS) return;
  const auto port = static_cast<std::uint16_t>(answer->u64());
  const auto token = answer->bin();
  BulkSocket::Token t{};
  if (token.size() != t.size()) return;
  std::copy(token.begin(), token.end(), t.begin());
  const auto lanes = answer->atEnd() ? 1 : answer->u64();
  if (lanes < 1 || lanes > protocol::bulk::kMaxLanes) return;
  protocol::bulk::LaneKeys keys;
  if (encrypted) {
    // Keys come only over the CURVE-encrypted control socket; a worker that sends none gets no lanes.
    if (answer->atEnd()) return;
    const auto toServer = answer->bin();
    if (answer->atEnd()) return;
    const auto toClient = answer->bin();
    if (toServer.size() != keys.toServer.size() || toClient.size() != keys.toClient.size()) return;
    std::copy(toServer.begin(), toServer.end(), keys.toServer.begin());
    std::copy(toClient.begin(), toClient.end(), keys.toClient.begin());
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  std::string error;
  bulk_ = BulkSocket::connect(protocol::bulk::tcpHost(session), port, t, static_cast<unsigned>(lanes),
                              static_cast<int>(std::max<std::int64_t>(left.count(), 500)),
                              static_cast<int>(options_.deadAfter.count()), error, encrypted ? &keys : nullptr);
  protocol::bulk::wipe(keys);  // copies live only in the lanes' ciphers
  if (!bulk_) log().warn("remote-cl: no bulk socket to {}: {}; bulk data goes in ZeroMQ frames", endpoint_, error);
}

void Connection::retire() {
  retired_ = true;  // the receiver says goodbye to the server as it leaves
  stopReceiver();
  link_.reset();
  control_.close();  // only the receiver used it; no more reconnecting to the dead session
}

Connection::~Connection() { shutdown(); }

void Connection::stopReceiver() {
  const std::uint64_t one = 1;
  if (wakeReceiver_ && ::write(wakeReceiver_.get(), &one, sizeof one) < 0) {
    // Not woken: it sees the flag within its poll's timeout.
  }
  if (receiver_.joinable()) receiver_.join();
}

void Connection::shutdown() {
  if (shutDown_.exchange(true)) return;
  alive_ = false;
  stopping_ = true;  // the receiver says goodbye to the server as it leaves
  stopReceiver();
  link_.reset();  // every socket closed before the driver ends the ZeroMQ context
  replySockets_.reset();
  {
    std::lock_guard lock(jobsMutex_);
    jobsReady_.notify_all();
  }
  if (callbackThread_.joinable()) callbackThread_.join();
  if (bulk_) bulk_->close();
  // Every socket closed, so the driver can end the ZeroMQ context (which
  // lets the goodbye out, within the sockets' linger).
  control_.close();
  std::lock_guard lock(sendMutex_);
  calls_.close();
}

void Connection::track(Object* object) {
  std::lock_guard lock(objectsMutex_);
  objects_[object->id] = object;
  byAddress_[object] = object;
}

void Connection::untrack(Object* object) {
  std::lock_guard lock(objectsMutex_);
  auto it = objects_.find(object->id);
  if (it != objects_.end() && it->second == object) objects_.erase(it);
  byAddress_.erase(object);
}

Object* Connection::owned(const void* address) {
  std::lock_guard lock(objectsMutex_);
  const auto it = byAddress_.find(address);
  if (it == byAddress_.end()) return nullptr;
  switch (it->second->kind) {
    case ObjectKind::Mem:
    case ObjectKind::Sampler:
    case ObjectKind::Queue:
      return it->second;
    default:
      return nullptr;
  }
}

Object* Connection::find(std::uint64_t id) {
  std::lock_guard lock(objectsMutex_);
  const auto it = objects_.find(id);
  return it == objects_.end() ? nullptr : it->second;
}

void Connection::receiveLoop() {
  auto lastHeard = Clock::now();
  auto nextPing = Clock::now() + options_.heartbeat;
  while (!stopping_ && !retired_) {
    // The wake-up: a process leaving (clinfo) does not wait out the timeout.
    // The link watch: a closed connection is known at once.
    zmq::pollitem_t items[3] = {{control_.handle(), 0, ZMQ_POLLIN, 0},
                                {nullptr, wakeReceiver_.get(), ZMQ_POLLIN, 0},
                                {link_ ? link_->handle() : nullptr, -1, ZMQ_POLLIN, 0}};
    if (!wakeReceiver_) items[1].fd = -1;
    protocol::pollOnce(items, 3, std::chrono::milliseconds(100));
    if ((items[0].revents & ZMQ_POLLIN) != 0) {
      while (auto frames = protocol::recvFrames(control_, zmq::recv_flags::dontwait)) {
        lastHeard = Clock::now();
        dispatch(std::move(*frames));
      }
    }
    const auto now = Clock::now();
    if (alive_ && (items[2].revents & ZMQ_POLLIN) != 0 && !link_->closed().empty())
      declareDead("the connection to the server closed (its process ended, or its host refused the connection)");
    if (alive_ && now - lastHeard > options_.deadAfter)
      declareDead(fmt::format("no word from the server for {} ms", options_.deadAfter.count()));
    if (alive_ && now >= nextPing) {  // a dead connection's pings would pile up unsent
      auto frames = protocol::push::Ping{}.frames();
      protocol::sendFrames(control_, frames, nullptr, 0, zmq::send_flags::dontwait);
      nextPing = now + options_.heartbeat;
    }
  }
  // Leaving: tell the server, so it frees this session's objects now.
  protocol::Writer bye;
  bye.integer(Kind::Request);
  bye.u64(0);
  bye.integer(protocol::ControlCall::Goodbye);
  auto frames = bye.finish();
  protocol::sendFrames(control_, frames, nullptr, 0, zmq::send_flags::dontwait);
}

}  // namespace rcl::icd
