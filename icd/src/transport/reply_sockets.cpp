#include "rcl/icd/transport/reply_sockets.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "rcl/icd/support/log.h"

#include "rcl/protocol/codec.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/transport.h"

namespace rcl::icd {
namespace {

// The sockets this thread borrowed, returned when the thread ends (to pools
// that still exist); nullptr for a pool that could not lend one (the thread
// then uses the control channel for good, rather than wait for another
// attach on every call).
struct Borrowed {
  std::vector<std::pair<std::weak_ptr<ReplySockets>, ReplySocket*>> sockets;
  std::pair<std::weak_ptr<ReplySockets>, ReplySocket*>* find(const ReplySockets* pool) {
    for (auto& entry : sockets)
      if (auto p = entry.first.lock(); p.get() == pool) return &entry;
    return nullptr;
  }
  ~Borrowed();
};

}  // namespace

ReplySockets::ReplySockets(zmq::context_t& zmq, std::uint64_t session, std::string endpoint,
                           std::chrono::milliseconds attachTimeout, protocol::CurveClientKeys curve)
    : zmq_(zmq), session_(session), endpoint_(std::move(endpoint)), attachTimeout_(attachTimeout),
      curve_(std::move(curve)) {}

ReplySockets::~ReplySockets() = default;

namespace {
thread_local Borrowed t_borrowed;

Borrowed::~Borrowed() {
  for (auto& [owner, socket] : sockets)
    if (auto pool = owner.lock(); pool && socket != nullptr) pool->giveBackFromThread(socket);
}
}  // namespace

ReplySocket* ReplySockets::forThisThread() {
  if (const auto* mine = t_borrowed.find(this)) return mine->second;
  bool attachFailed = false;
  ReplySocket* socket = lend(attachFailed);
  if (socket != nullptr || attachFailed) t_borrowed.sockets.emplace_back(weak_from_this(), socket);
  return socket;
}

ReplySocket* ReplySockets::lend(bool& attachFailed) {
  std::uint32_t index = 0;
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      ReplySocket* s = free_.back();
      free_.pop_back();
      return s;
    }
    if (all_.size() + attaching_ >= kMaxSockets || nextIndex_ > kMaxIndex) return nullptr;
    // An index is never used twice: the session may still route to a socket
    // that gave up attaching, and would refuse a new one of the same id.
    index = nextIndex_++;
    ++attaching_;
  }
  // Attached without the lock: other threads get theirs meanwhile.
  auto s = std::make_unique<ReplySocket>(ReplySocket{zmq::socket_t(zmq_, zmq::socket_type::dealer), index});
  protocol::applyCurveClient(s->socket, curve_);
  const auto id = protocol::makeRoutingId(session_, protocol::Channel::Reply, index);
  s->socket.set(zmq::sockopt::routing_id, zmq::buffer(id));
  s->socket.set(zmq::sockopt::linger, 0);
  s->socket.set(zmq::sockopt::rcvhwm, 0);
  bool attached = false;
  try {
    protocol::allowIpv6For(s->socket, endpoint_);
    s->socket.connect(endpoint_);
    attached = attach(*s);
    attachFailed = !attached;
  } catch (const zmq::error_t& e) {
    log().warn("remote-cl: no reply socket: {}", e.what());
  }
  std::lock_guard lock(mutex_);
  --attaching_;
  if (!attached) return nullptr;
  all_.push_back(std::move(s));
  return all_.back().get();
}

void ReplySockets::giveBackFromThread(ReplySocket* socket) {
  std::lock_guard lock(mutex_);
  free_.push_back(socket);
}

bool ReplySockets::attach(ReplySocket& s) {
  auto frames = protocol::control::Attach{}.frames();  // seq 0, no device_times: a reply socket
  protocol::sendFrames(s.socket, frames);
  zmq::pollitem_t item{s.socket.handle(), 0, ZMQ_POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + attachTimeout_;
  while (std::chrono::steady_clock::now() < deadline) {
    protocol::pollOnce(&item, 1, std::chrono::milliseconds(50));
    if (protocol::recvFrames(s.socket, zmq::recv_flags::dontwait)) return true;
  }
  log().warn("remote-cl: a reply socket did not attach; this thread waits through the receiver");
  return false;
}

}  // namespace rcl::icd
