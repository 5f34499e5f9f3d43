// The threads of a session (session.h, top): one leader owns the socket and
// runs the calls; a spare takes the lead when the leader's call stays inside
// the real platform too long, so heartbeats, pushes and (after a sync call)
// the client's other calls never wait for a slow driver.
#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

#include "rcl/protocol/transport.h"
#include "rcl/server/session/session.h"

namespace rcl::server {

using Clock = std::chrono::steady_clock;

namespace {
// A session's threads at most: one leader, spares, and calls that were taken
// over and still run (each held by its own slow call).
constexpr std::size_t kMaxThreads = 16;
}  // namespace

void Session::threadMain(bool leads) {
  if (leads) leader_ = std::this_thread::get_id();
  for (;;) {
    if (leads && lead()) return;
    leads = spare();
    if (!leads) return;
  }
}

bool Session::readingPaused() {
  if (held_) return true;
  std::lock_guard role(roleMutex_);
  return pausedFor_.has_value();
}

bool Session::lead() {
  zmq::pollitem_t items[] = {
      {socket_.handle(), 0, ZMQ_POLLIN, 0},
      {nullptr, outbox_->wakeFd(), ZMQ_POLLIN, 0},
      {watch_ ? watch_->handle() : nullptr, -1, ZMQ_POLLIN, 0},
  };
  std::unique_lock socket(socketMutex_);
  for (;;) {
    {
      std::lock_guard lock(closeMutex_);
      if (closing_) break;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(nextBeat_ - Clock::now());
    items[0].events = readingPaused() ? 0 : ZMQ_POLLIN;
    protocol::pollOnce(items, 3, std::clamp(wait, std::chrono::milliseconds(0), std::chrono::milliseconds(500)));
    if ((items[2].revents & ZMQ_POLLIN) != 0) {
      for (const int fd : watch_->closed())
        if (fd == controlFd_ && fd >= 0) close("the client's connection closed");
    }
    if (held_ && heldDone_) {
      held_ = false;
      lastHeard_ = Clock::now();  // the client's pings waited in the socket meanwhile
      auto then = std::move(heldThen_);
      socket.unlock();
      {
        std::lock_guard state(stateMutex_);
        then();
      }
      socket.lock();
    }
    // A held call stops the reading until it is done (and may start while reading).
    while (!readingPaused()) {
      auto frames = protocol::recvFrames(socket_, zmq::recv_flags::dontwait);
      if (!frames) break;
      socket.unlock();
      {
        std::lock_guard state(stateMutex_);
        onMessage(std::move(*frames));
      }
      if (!isLeader()) {
        // A spare led while this call ran. If it waited for this call (an
        // ordered one), it reads calls again from now on.
        {
          std::lock_guard role(roleMutex_);
          if (pausedFor_ == std::this_thread::get_id()) pausedFor_.reset();
        }
        outbox_->wake();
        return false;
      }
      socket.lock();
    }
    if ((items[1].revents & ZMQ_POLLIN) != 0) {
      for (auto& m : outbox_->drain()) sendNow(m.replyTo, std::move(m.frames));
    }
    if (Clock::now() >= nextBeat_) {
      heartbeat();
      nextBeat_ = Clock::now() + options_.heartbeat;
    }
  }
  socket.unlock();
  end();
  return true;
}

bool Session::spare() {
  const auto me = std::this_thread::get_id();
  std::unique_lock role(roleMutex_);
  ++spares_;
  for (;;) {
    if (over_) {
      --spares_;
      return false;
    }
    if (leaderOutsideSince_ && Clock::now() - *leaderOutsideSince_ >= kTakeOverAfter) break;
    roleChanged_.wait_for(role, kTakeOverAfter / 2);
  }
  --spares_;
  const auto slow = leader_.load();
  // The calls after an ordered call (no reply awaited: an enqueue, a
  // release) may name what it makes: they wait. A sync call's thread waits
  // for its answer, so nothing after it can depend on it: they go on.
  if (leaderCallOrdered_) pausedFor_ = slow;
  leaderOutsideSince_.reset();
  leader_ = me;
  spdlog::debug("session {:016x}: a call is inside the platform for more than {} ms; another thread leads{}", id_,
                kTakeOverAfter.count(), pausedFor_ ? " (no call is read until it ends)" : "");
  if (spares_ == 0 && threads_.size() < kMaxThreads) threads_.emplace_back([this] { threadMain(false); });
  return true;
}

void Session::end() {
  {
    // A call taken over may still be inside the platform, on objects that are about to be freed.
    std::unique_lock role(roleMutex_);
    endWaits_ = true;
    outsideDone_.wait(role, [this] { return outside_ == 0; });
  }
  {
    std::lock_guard state(stateMutex_);
    freeEverything();
    shm_.reset();            // unmapped once no piece holds it any more
    direct_.reset();         // every copy is done: the queues are finished
    sharedBuffers_.reset();  // the buffers' own destructor callbacks unmap what is left
    bulk_.reset();
  }
  {
    std::lock_guard socket(socketMutex_);
    watch_.reset();  // (before the socket: link_watch.h)
    socket_.close();
  }
  {
    std::lock_guard role(roleMutex_);
    over_ = true;
  }
  roleChanged_.notify_all();
  finished_ = true;
}

Session::Outside::Outside(Session& session, bool holdsState, bool ordered)
    : session_(session), holdsState_(holdsState) {
  if (!holdsState_) return;
  session_.stateMutex_.unlock();
  std::lock_guard role(session_.roleMutex_);
  ++session_.outside_;
  if (session_.isLeader()) {
    session_.leaderOutsideSince_ = Clock::now();
    session_.leaderCallOrdered_ = ordered;
  }
}

Session::Outside::~Outside() {
  if (!holdsState_) return;
  {
    std::lock_guard role(session_.roleMutex_);
    --session_.outside_;
    if (session_.isLeader()) session_.leaderOutsideSince_.reset();
    if (session_.outside_ == 0 && session_.endWaits_) session_.outsideDone_.notify_all();
  }
  session_.stateMutex_.lock();
}

void Session::delayForTests(protocol::CallId call) const {
  if (options_.delayCall.empty() || options_.delayCall != protocol::callName(static_cast<std::uint16_t>(call))) return;
  std::this_thread::sleep_for(options_.delayFor);
}

}  // namespace rcl::server
