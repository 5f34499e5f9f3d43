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
#include "rcl/protocol/control_messages.h"
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
  auto frames = protocol::control::Goodbye{}.frames();
  protocol::sendFrames(control_, frames, nullptr, 0, zmq::send_flags::dontwait);
}

}  // namespace rcl::icd
