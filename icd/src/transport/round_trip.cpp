// A connection's calls on their way out: sync calls and their replies
// (on the calls socket, or the calling thread's own reply socket), async sends.
#include "rcl/icd/transport/connection.h"

#include <spdlog/spdlog.h>

#include "rcl/icd/support/log.h"
#include "rcl/protocol/pushes.h"

namespace rcl::icd {

using protocol::Kind;

Connection::Result Connection::roundTripOn(ReplySocket& socket, protocol::Writer& request, std::size_t seqOffset) {
  const std::uint64_t seq =
      (static_cast<std::uint64_t>(socket.index) << protocol::kReplyIndexShift) | (nextSeq_++ & ((1ULL << 48) - 1));
  request.patchU64(seqOffset, seq);
  auto frames = request.finish();
  {
    std::lock_guard lock(sendMutex_);
    if (calls_.handle() == nullptr || !protocol::sendFrames(calls_, frames)) return {CL_OUT_OF_RESOURCES, std::nullopt};
  }
  zmq::pollitem_t item{socket.socket.handle(), 0, ZMQ_POLLIN, 0};
  while (alive_) {
    protocol::pollOnce(&item, 1, std::chrono::milliseconds(100));
    while (auto reply = protocol::recvFrames(socket.socket, zmq::recv_flags::dontwait)) {
      try {
        protocol::Reader r(std::move(*reply));
        const auto kind = r.integer<Kind>();
        const auto replySeq = r.u64();
        if (kind == Kind::Output) {
          printOutput(r);
          continue;
        }
        if (replySeq != seq) continue;  // the answer to a call given up on
        if (kind == Kind::Error) {
          const auto error = protocol::push::Error::decodeBody(r, replySeq);
          log().warn("remote-cl: server {} reports: {}", endpoint_, error.message);
          return {error.status, std::nullopt};
        }
        const auto status = r.integer<cl_int>();
        if (kind == Kind::Reply) return {status, std::move(r)};
        log().warn("remote-cl: server {} answered with a message of kind {}", endpoint_, static_cast<int>(kind));
        return {status, std::nullopt};
      } catch (const protocol::DecodeError& e) {
        log().warn("remote-cl: malformed reply from {}: {}", endpoint_, e.what());
        return {CL_OUT_OF_RESOURCES, std::nullopt};
      }
    }
  }
  return {CL_OUT_OF_RESOURCES, std::nullopt};
}

Connection::Result Connection::roundTrip(protocol::Writer& request, std::size_t seqOffset) {
  if (!alive_) return {CL_OUT_OF_RESOURCES, std::nullopt};
  if (ReplySocket* own = replySockets_ ? replySockets_->forThisThread() : nullptr)
    return roundTripOn(*own, request, seqOffset);
  Waiter waiter;
  const std::uint64_t seq = nextSeq_++;
  request.patchU64(seqOffset, seq);
  {
    std::lock_guard lock(waitersMutex_);
    waiters_[seq] = &waiter;
  }
  auto frames = request.finish();
  bool sent;
  {
    std::lock_guard lock(sendMutex_);
    sent = calls_.handle() != nullptr && protocol::sendFrames(calls_, frames);
  }
  if (!sent || !alive_) {
    std::lock_guard lock(waitersMutex_);
    waiters_.erase(seq);
    return {CL_OUT_OF_RESOURCES, std::nullopt};
  }
  std::unique_lock lock(waiter.mutex);
  waiter.done.wait(lock, [&] { return waiter.finished; });
  return std::move(waiter.result);
}

cl_int Connection::send(protocol::Writer& request, std::size_t seqOffset) {
  if (!alive_) return CL_OUT_OF_RESOURCES;
  request.patchU64(seqOffset, 0);
  auto frames = request.finish();
  std::lock_guard lock(sendMutex_);
  if (calls_.handle() == nullptr) return CL_OUT_OF_RESOURCES;  // shut down
  return protocol::sendFrames(calls_, frames) ? CL_SUCCESS : CL_OUT_OF_RESOURCES;
}

void Connection::onReply(std::uint64_t seq, cl_int status, std::optional<protocol::Reader> reply) {
  Waiter* w = nullptr;
  {
    std::lock_guard lock(waitersMutex_);
    auto it = waiters_.find(seq);
    if (it == waiters_.end()) return;
    w = it->second;
    waiters_.erase(it);
  }
  std::lock_guard lock(w->mutex);
  w->result.status = status;
  w->result.reply = std::move(reply);
  w->finished = true;
  w->done.notify_one();
}

}  // namespace rcl::icd
