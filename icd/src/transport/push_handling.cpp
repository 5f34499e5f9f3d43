// The pushes a connection's receiver hands on (Connection::dispatch): replies
// to the waiting calls, events' completions, reads' bytes, shared copies,
// application callbacks, kernel output; and what a lost server fails.
#include "rcl/icd/transport/connection.h"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "rcl/icd/objects/events.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/support/log.h"
#include "rcl/protocol/call_ids.h"
#include "rcl/protocol/profiling_times.h"
#include "rcl/protocol/pushes.h"
#include "rcl/protocol/control_messages.h"

namespace rcl::icd {

using protocol::Kind;

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

void Connection::dropCallback(std::uint64_t id) {
  std::lock_guard lock(objectsMutex_);
  callbacks_.erase(id);
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

void Connection::onReadData(protocol::Reader& r) { deliverRead(protocol::push::ReadData::decodeBody(r)); }

void Connection::readInReply(protocol::Reader& r, std::uint64_t eventId) {
  try {
    auto data = protocol::push::ReadData::decodeBody(r);
    if (data.event_id != eventId) throw protocol::DecodeError("ReadData.event_id: not the read's");
    deliverRead(std::move(data));
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed read reply from {}: {}", endpoint_, e.what());
    if (auto read = cancelRead(eventId)) {
      setEventStatus(read->event, CL_OUT_OF_RESOURCES);
      unhold(read->event);
    }
  }
}

void Connection::deliverRead(protocol::push::ReadData push) {
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
  if (status == CL_COMPLETE && push.pieces) {
    std::size_t offset = 0;
    for (const auto& frame : *push.pieces) {
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
  copy.inFlightMark = sharedFdsInFlight_.mark();  // its CopyNow shows the worker ran what came before
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
      sharedFdsInFlight_.settled(copy.inFlightMark);
    }
  }
  if (!offset) return;  // the worker copied it itself
  // On this thread: the copy is one memcpy, and the region stays mapped until the answer.
  if (!runSharedCopy(copy, *offset))
    log().warn("remote-cl: the server asked for a shared copy this process cannot make (token {})", token);
  protocol::Writer copied;  // [requests.SharedCopied]; its seq is send()'s
  copied.integer(Kind::Request);
  const std::size_t seqOffset = copied.reserveU64();
  copied.integer(protocol::calls::SharedCopied::kCall);
  protocol::calls::SharedCopied{.token = token}.encodeBody(copied);
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
