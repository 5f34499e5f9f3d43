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

Connection::Result Connection::roundTripOn(ReplySocket& socket, protocol::Writer& request, std::size_t seqOffset) {
  const std::uint64_t seq =
      (static_cast<std::uint64_t>(socket.slot) << protocol::kReplySlotShift) | (nextSeq_++ & ((1ULL << 48) - 1));
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

void Connection::expectRead(std::uint64_t eventId, PendingRead read) {
  std::lock_guard lock(objectsMutex_);
  reads_[eventId] = std::move(read);
}

std::optional<PendingRead> Connection::cancelRead(std::uint64_t eventId) {
  std::lock_guard lock(objectsMutex_);
  auto it = reads_.find(eventId);
  if (it == reads_.end()) return std::nullopt;
  PendingRead read = std::move(it->second);
  reads_.erase(it);
  return read;
}

std::uint64_t Connection::addCallback(RemoteCallback callback) {
  std::lock_guard lock(objectsMutex_);
  const std::uint64_t id = nextCallbackId_++;
  callbacks_[id] = std::move(callback);
  return id;
}

void Connection::runCallback(std::function<void()> job) {
  {
    std::lock_guard lock(jobsMutex_);
    jobs_.push_back(std::move(job));
  }
  jobsReady_.notify_one();
}

void Connection::callbackLoop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(jobsMutex_);
      jobsReady_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
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

void Connection::dispatch(protocol::Frames frames) {
  try {
    protocol::Reader r(std::move(frames));
    const auto kind = r.integer<Kind>();
    const auto seq = r.u64();
    switch (kind) {
      case Kind::Reply: {
        const auto status = r.integer<cl_int>();
        onReply(seq, status, std::move(r));
        return;
      }
      case Kind::Error: {
        const auto error = protocol::push::Error::decodeBody(r, seq);
        log().warn("remote-cl: server {} reports: {}", endpoint_, error.message);
        if (seq != 0) onReply(seq, error.status, std::nullopt);
        else askAboutPendingEvents();  // an async call refused unread: its event, if any, never completes
        return;
      }
      case Kind::Event: {
        const auto event = protocol::push::Event::decodeBody(r);
        if (Object* o = find(event.event_id); o != nullptr && o->kind == ObjectKind::Event) {
          static_cast<cl_event>(o)->ranNs = event.ran_ns.value_or(0);  // how long it ran on the device
          if (event.times) setProfilingTimes(static_cast<cl_event>(o), *event.times);
          setEventStatus(static_cast<cl_event>(o), event.status);
        }
        return;
      }
      case Kind::ReadData:
        return onReadData(r);
      case Kind::SlotData:
        return onSlotData(r);
      case Kind::SlotFree: {
        const auto slotFree = protocol::push::SlotFree::decodeBody(r);
        if (shm_) shm_->release(slotFree.slot);
        return;
      }
      case Kind::CopyNow:
        return onCopyNow(r);
      case Kind::Callback:
        return onCallback(r);
      case Kind::AsyncError: {
        const auto error = protocol::push::AsyncError::decodeBody(r);
        const cl_int status = error.status;
        const std::uint16_t call = error.call_id;
        const std::uint64_t eventId = error.event_id;
        const char* name = protocol::callName(call);
        log().warn("remote-cl: {} failed on the server with {}", name != nullptr ? name : "?", status);
        if (Object* o = eventId != 0 ? find(eventId) : nullptr; o != nullptr && o->kind == ObjectKind::Event) {
          auto read = cancelRead(eventId);
          if (read && read->join) {
            std::lock_guard lock(read->join->mutex);
            read->join->done = true;  // its pieces no longer count
          }
          static_cast<cl_event>(o)->rejectedWith = status;
          setEventStatus(static_cast<cl_event>(o), status < 0 ? status : CL_OUT_OF_RESOURCES);
          if (read) unhold(read->event);
        } else if (eventId == 0) {
          askAboutPendingEvents();
        }
        return;
      }
      case Kind::Ping:
        protocol::push::Ping::decodeBody(r);
        return;
      case Kind::Output:
        return printOutput(r);
      default:
        log().warn("remote-cl: unexpected message kind {} from {}", static_cast<int>(kind), endpoint_);
    }
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed message from {}: {}", endpoint_, e.what());
  }
}

void Connection::printOutput(protocol::Reader& r) {
  const auto bytes = protocol::push::Output::decodeBody(r).bytes;
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  std::fflush(stdout);
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

void Connection::onReadData(protocol::Reader& r) {
  auto push = protocol::push::ReadData::decodeBody(r);
  const auto id = push.event_id;
  const cl_int status = push.status;
  PendingRead read;
  {
    std::lock_guard lock(objectsMutex_);
    auto it = reads_.find(id);
    if (it == reads_.end()) return;
    read = std::move(it->second);
    reads_.erase(it);
  }
  cl_int final = status;
  if (status == CL_COMPLETE && push.chunks) {
    std::size_t offset = 0;
    for (const auto& frame : *push.chunks) {
      read.deliver(frame.data(), frame.size(), offset);
      offset += frame.size();
    }
  } else if (status == CL_COMPLETE) {
    final = CL_OUT_OF_RESOURCES;
  }
  if (status == CL_COMPLETE && push.times) setProfilingTimes(read.event, *push.times);
  if (read.join) {
    std::function<void()> cancel;
    {
      std::lock_guard lock(read.join->mutex);
      read.join->commandArrived = true;
      if (final != CL_COMPLETE && read.join->status == CL_COMPLETE) read.join->status = final;
      if (read.join->done) return;
      if (read.join->piecesLeft > 0) {
        if (final == CL_COMPLETE || !read.join->cancel) return;  // the last piece completes it
        cancel = read.join->cancel;  // a failed read: its pieces' bytes are not waited for
      }
      read.join->done = true;
      final = read.join->status;
    }
    if (cancel) cancel();
  }
  setEventStatus(read.event, final);
  unhold(read.event);
}

void Connection::onSlotData(protocol::Reader& r) {
  const auto data = protocol::push::SlotData::decodeBody(r);
  const std::uint32_t slot = data.slot;
  const cl_int status = data.status;
  if (!shm_) return;
  auto piece = shm_->takePiece(slot);
  if (!piece) return shm_->release(slot);
  auto& join = *piece->join;
  bool wanted;
  {
    std::lock_guard lock(join.mutex);
    wanted = !join.done && status == CL_COMPLETE;
  }
  if (wanted) piece->deliver(shm_->slot(slot), shm_->slotBytes());
  shm_->release(slot);
  finishPiece(join, status);
}

void Connection::expectSharedCopy(std::uint64_t token, SharedCopy copy) {
  std::lock_guard lock(sharedCopiesMutex_);
  sharedCopies_[token] = std::move(copy);
}

void Connection::cancelSharedCopy(std::uint64_t token) {
  std::lock_guard lock(sharedCopiesMutex_);
  sharedCopies_.erase(token);
}

void Connection::onCopyNow(protocol::Reader& r) {
  const auto copyNow = protocol::push::CopyNow::decodeBody(r);
  const std::uint64_t token = copyNow.token;
  const std::optional<std::uint64_t> offset = copyNow.offset;
  SharedCopy copy;
  {
    std::lock_guard lock(sharedCopiesMutex_);
    auto it = sharedCopies_.find(token);
    if (it != sharedCopies_.end()) {
      copy = std::move(it->second);
      sharedCopies_.erase(it);
    }
  }
  if (!offset) return;  // the worker copied it itself
  // On this thread: the copy is one memcpy, and the region stays mapped until the answer.
  if (!runSharedCopy(copy, *offset))
    log().warn("remote-cl: the server asked for a shared copy this process cannot make (token {})", token);
  protocol::Writer copied;
  copied.integer(Kind::Request);
  const std::size_t seqOffset = copied.reserveU64();
  copied.u64(protocol::wireId(protocol::CallId::SharedCopied));
  copied.u64(token);
  send(copied, seqOffset);
}

void Connection::onCallback(protocol::Reader& r) {
  const auto id = protocol::push::Callback::decodeBody(r).callback_id;  // its kind's arguments follow
  RemoteCallback cb;
  {
    std::lock_guard lock(objectsMutex_);
    auto it = callbacks_.find(id);
    if (it == callbacks_.end()) return;
    cb = it->second;
    if (cb.once) callbacks_.erase(it);
  }
  // The reader's values are copied before the receiver moves on.
  auto frames = std::make_shared<protocol::Reader>(std::move(r));
  runCallback([cb, frames] {
    try {
      cb.run(*frames);
    } catch (const protocol::DecodeError& e) {
      log().warn("remote-cl: malformed callback: {}", e.what());
    }
  });
}

void Connection::askAboutPendingEvents() {
  // Collected first, as declareDead does: objectsMutex_ is not held while an
  // event's mutex is taken (unhold under an event's mutex takes objectsMutex_).
  std::vector<cl_event> events;
  {
    std::lock_guard lock(objectsMutex_);
    for (auto& [id, o] : objects_)
      if (o->kind == ObjectKind::Event) events.push_back(static_cast<cl_event>(o));
  }
  for (cl_event e : events) {
    std::lock_guard lock(e->mutex);
    if (isFinal(e->status)) continue;
    e->askServer = true;
    e->changed.notify_all();
  }
}

void Connection::declareDead(const std::string& why) {
  if (!alive_.exchange(false)) return;
  log().error("remote-cl: lost server {}: {}; its calls now fail", endpoint_, why);
  if (bulk_) bulk_->abort();  // a transfer stuck on a silent peer fails now
  {
    // Frames ZeroMQ still holds (bulk data lent from the application's
    // memory) are dropped now: blocking writes waiting for them return, and
    // nothing reads that memory after the application got its failure.
    std::lock_guard lock(sendMutex_);
    if (calls_.handle() != nullptr) {
      calls_.set(zmq::sockopt::linger, 0);
      calls_.close();
    }
  }
  // ZeroMQ lets go of them as it tears the socket down (a frame it is writing
  // at the moment, once that write returns): only then may the application,
  // told its calls failed, free that memory.
  if (!lentFrames_.waitFor(std::chrono::seconds(10)))
    log().error("remote-cl: ZeroMQ still holds frames of application memory 10 s after the server was lost");
  std::unordered_map<std::uint64_t, Waiter*> waiters;
  {
    std::lock_guard lock(waitersMutex_);
    waiters.swap(waiters_);
  }
  for (auto& [seq, w] : waiters) {
    std::lock_guard lock(w->mutex);
    w->result.status = CL_OUT_OF_RESOURCES;
    w->finished = true;
    w->done.notify_one();
  }
  std::vector<cl_event> events;
  std::unordered_map<std::uint64_t, PendingRead> reads;
  {
    std::lock_guard lock(objectsMutex_);
    for (auto& [id, o] : objects_)
      if (o->kind == ObjectKind::Event) events.push_back(static_cast<cl_event>(o));
    reads.swap(reads_);
  }
  for (cl_event e : events) setEventStatus(e, CL_OUT_OF_RESOURCES);
  for (auto& [id, read] : reads) unhold(read.event);
  std::lock_guard lock(sharedCopiesMutex_);
  sharedCopies_.clear();
}

}  // namespace rcl::icd
