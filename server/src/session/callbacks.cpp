#include "rcl/server/session/callbacks.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/no_destructor.h"
#include "rcl/protocol/pushes.h"
#include "rcl/server/session/outbox.h"

namespace rcl::server {
namespace {

// Values a session hands to OpenCL as callback user data, by a key that is
// never reused, process-wide: a callback that comes after its session let go
// of the key finds nothing (implementations call back from their own
// threads, maybe after the session ended).
template <class Value>
class KeyedRegistry {
 public:
  void* add(const void* owner, Value value) {
    std::lock_guard lock(mutex_);
    const std::uintptr_t key = nextKey_++;
    entries_.emplace(key, Entry{owner, std::move(value)});
    return reinterpret_cast<void*>(key);
  }
  // The value of `key`, taken out (once-only values) or copied; nullopt if there is none (any more).
  std::optional<Value> take(void* key) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(reinterpret_cast<std::uintptr_t>(key));
    if (it == entries_.end()) return std::nullopt;
    std::optional<Value> value(std::move(it->second.value));
    entries_.erase(it);
    return value;
  }
  std::optional<Value> find(void* key) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(reinterpret_cast<std::uintptr_t>(key));
    if (it == entries_.end()) return std::nullopt;
    return it->second.value;
  }
  // Applies `change` to the value of `key` under the lock; false if there is none (any more).
  template <class Change>
  bool update(void* key, const Change& change) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(reinterpret_cast<std::uintptr_t>(key));
    if (it == entries_.end()) return false;
    change(it->second.value);
    return true;
  }
  // Takes out every value of `owner`, for the caller to destroy outside the lock.
  std::vector<Value> takeAllOf(const void* owner) {
    std::vector<Value> taken;
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.owner != owner) {
        ++it;
        continue;
      }
      taken.push_back(std::move(it->second.value));
      it = entries_.erase(it);
    }
    return taken;
  }

 private:
  struct Entry {
    const void* owner;
    Value value;
  };
  std::mutex mutex_;
  std::uintptr_t nextKey_ = 1;  // 0 would be a null user_data
  std::unordered_map<std::uintptr_t, Entry> entries_;
};

using Clock = std::chrono::steady_clock;

// A CompletionActions action that has not run, and the event the failure
// watch looks at for it (CL_COMPLETE actions of commands only), retained for
// the watch: whoever takes the action hands that reference to the watch's
// thread, the only one that releases it.
struct PendingAction {
  std::function<void(cl_int)> run;
  cl_event watched = nullptr;
};

KeyedRegistry<PendingAction>& actions() {
  static NoDestructor<KeyedRegistry<PendingAction>> instance;
  return instance.get();
}

// Looks for commands that failed without a callback (CompletionActions, in
// callbacks.h: why) at the events of the pending actions, and releases the
// events it watched once their actions ran. Its cost stays off the path of
// every command: an enqueue adds a retain to its action's entry and a node
// to the watch's schedule (a min-heap by next look; a callback hands the
// event over in O(1) and leaves the node, dropped when it comes due and
// finds no action), and the thread sleeps until the earliest next look, at
// most every kQuantum (kQuietTick while nothing failed), releasing in
// batches within kQuietTick; with nothing watched or released it sleeps
// until woken. A tick costs the due
// nodes, each a lookup in the registry (its lock held per node) and,
// outside every lock, a status read. A command is first looked at after
// kQuietFirstLook; once something failed (checkSoon: a negative user event,
// a failed callback), every watched event is looked at at once, and for
// kAlert after that new ones after kFirstLook, with a back-off to
// kLongestLook. One thread for the process; it makes no OpenCL call under its
// mutex (PoCL may hold an event's lock while it calls back, and a callback
// may call checkSoon).
class FailureWatch {
 public:
  static constexpr Clock::duration kFirstLook = std::chrono::milliseconds(20);
  static constexpr Clock::duration kQuietFirstLook = std::chrono::seconds(1);
  static constexpr Clock::duration kLongestLook = std::chrono::seconds(2);
  static constexpr Clock::duration kAlert = std::chrono::seconds(10);
  static constexpr Clock::duration kQuantum = std::chrono::milliseconds(10);
  static constexpr Clock::duration kQuietTick = std::chrono::milliseconds(200);
  static constexpr std::size_t kReleaseBatch = 512;

  FailureWatch() : thread_([this] { run(); }) {}

  // Schedules the action `key` (whose entry holds the retained event) for
  // looks, the first one after firstLook().
  void watch(void* key) {
    const auto first = firstLook();
    const Look look{Clock::now() + first, first, key};
    std::lock_guard lock(mutex_);
    schedule_.push_back(look);
    std::push_heap(schedule_.begin(), schedule_.end(), Later{});
    // Woken only when it sleeps past this look by more than a tick's slack
    // (nothing else scheduled, or only later looks of a back-off).
    if (look.at + kQuantum < sleepsUntil_) wake_.notify_one();
  }

  // An event the watch retained, whose action ran: released on the watch's thread.
  void release(cl_event event) {
    std::lock_guard lock(mutex_);
    released_.push_back(event);
    // A thread that sleeps with nothing scheduled would keep it for ever, one
    // that sleeps till a later look past a quiet tick (run(): within one).
    if (released_.size() == kReleaseBatch || schedule_.empty() ||
        (released_.size() == 1 && sleepsUntil_ > Clock::now() + kQuietTick))
      wake_.notify_one();
  }

  void checkSoon() {
    alertUntil_.store((Clock::now() + kAlert).time_since_epoch().count(), std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    soon_ = true;
    wake_.notify_one();
  }

 private:
  // A watched action's next look.
  struct Look {
    Clock::time_point at;
    Clock::duration interval;
    void* key;
  };
  struct Later {
    bool operator()(const Look& a, const Look& b) const { return a.at > b.at; }
  };

  bool alert(Clock::time_point now) const {
    return now.time_since_epoch().count() < alertUntil_.load(std::memory_order_relaxed);
  }
  // When an event watched from now on is first looked at.
  Clock::duration firstLook() const { return alert(Clock::now()) ? kFirstLook : kQuietFirstLook; }

  [[noreturn]] void run() {
    std::vector<cl_event> releasing;
    std::vector<Look> due;
    auto lastTick = Clock::now();
    for (;;) {
      bool soon = false;
      {
        std::unique_lock lock(mutex_);
        for (;;) {
          if (soon_ || released_.size() >= kReleaseBatch || (schedule_.empty() && !released_.empty())) break;
          const auto now = Clock::now();
          if (schedule_.empty()) {
            sleepsUntil_ = Clock::time_point::max();
            wake_.wait(lock);
            continue;
          }
          // The earliest look, but ticks at least a tick apart: looks due
          // within the tick are taken together.
          sleepsUntil_ = std::max(schedule_.front().at, lastTick + (alert(now) ? kQuantum : kQuietTick));
          // Released events (what PoCL holds with them: buffers a destructor
          // callback waits for) go within a quiet tick, not at the next look.
          if (!released_.empty()) sleepsUntil_ = std::min(sleepsUntil_, lastTick + kQuietTick);
          if (sleepsUntil_ <= now) break;
          wake_.wait_until(lock, sleepsUntil_);
        }
        sleepsUntil_ = Clock::time_point::min();  // awake: never woken
        soon = std::exchange(soon_, false);
        releasing.swap(released_);
        lastTick = Clock::now();
        takeDue(lastTick + kQuantum, soon, due);
      }
      for (cl_event event : releasing) ::clReleaseEvent(event);
      releasing.clear();
      look(due, lastTick, soon);
      std::lock_guard lock(mutex_);
      for (const Look& again : due) {
        schedule_.push_back(again);
        std::push_heap(schedule_.begin(), schedule_.end(), Later{});
      }
      due.clear();
    }
  }

  // Moves the looks due by `until` (all of them after a checkSoon) from the schedule to `due`.
  void takeDue(Clock::time_point until, bool all, std::vector<Look>& due) {
    if (all) {
      due.swap(schedule_);  // (`due` is empty)
      return;
    }
    while (!schedule_.empty() && schedule_.front().at <= until) {
      std::pop_heap(schedule_.begin(), schedule_.end(), Later{});
      due.push_back(schedule_.back());
      schedule_.pop_back();
    }
  }

  // Looks at the events of the `due` looks, runs the action of each that
  // failed, and leaves in `due` those to look at again, rescheduled; an
  // action that ran (its event released or handed to release()) is dropped.
  static void look(std::vector<Look>& due, Clock::time_point now, bool soon) {
    std::size_t kept = 0;
    for (Look& look : due) {
      cl_event event = nullptr;
      if (!actions().update(look.key, [&](const PendingAction& action) { event = action.watched; }) ||
          event == nullptr)
        continue;  // ran already: only this thread releases the event, so it is valid while looked at
      cl_int status = CL_QUEUED;
      if (::clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr) != CL_SUCCESS)
        status = CL_QUEUED;  // (it is retained: cannot happen) looked at again later
      if (status < 0) {
        if (auto taken = actions().take(look.key)) {
          taken->run(status);
          ::clReleaseEvent(taken->watched);
        }
        continue;
      }
      look.interval = soon ? kFirstLook : std::min(look.interval * 2, kLongestLook);
      look.at = now + look.interval;
      due[kept++] = look;
    }
    due.resize(kept);
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Look> schedule_;  // a min-heap by Look::at (Later)
  std::vector<cl_event> released_;
  bool soon_ = false;
  Clock::time_point sleepsUntil_ = Clock::time_point::min();
  std::atomic<Clock::rep> alertUntil_{0};
  std::thread thread_;  // never joined: the watch lasts as long as the process
};

FailureWatch& failureWatch() {
  static NoDestructor<FailureWatch> instance;
  return instance.get();
}

KeyedRegistry<CallbackTarget>& targets() {
  static NoDestructor<KeyedRegistry<CallbackTarget>> instance;
  return instance.get();
}

// Pushes the callback `key` names, with its kind's arguments, if its session still has it.
template <CallbackKind K>
void push(void* key, const protocol::push::CallbackArgs<K>& args) {
  const auto target = targets().find(key);
  if (!target) return;
  protocol::Writer w;
  protocol::push::Callback{.callback_id = target->callbackId}.encode(w);
  args.encode(w);
  target->outbox->post(w.finish());
}

}  // namespace

void CallbackTrampoline<CallbackKind::context_notify>::call(const char* errinfo, const void* private_info,
                                                            size_t cb, void* target) {
  using Args = protocol::push::CallbackArgs<CallbackKind::context_notify>;
  std::string info = errinfo != nullptr ? errinfo : "";
  std::string bytes(static_cast<const char*>(private_info), private_info != nullptr ? cb : 0);
  // Within what the client takes (the Args' limits).
  if (info.size() > Args::kErrinfoMax) info.resize(Args::kErrinfoMax);
  if (bytes.size() > Args::kPrivateInfoMax) bytes.resize(Args::kPrivateInfoMax);
  push(target, Args{.errinfo = std::move(info), .private_info = std::move(bytes)});
}

void CallbackTrampoline<CallbackKind::program_notify>::call(cl_program, void* target) {
  push(target, protocol::push::CallbackArgs<CallbackKind::program_notify>{});
}

void CallbackTrampoline<CallbackKind::event_notify>::call(cl_event, cl_int status, void* target) {
  push(target, protocol::push::CallbackArgs<CallbackKind::event_notify>{.status = status});
}

void CallbackTrampoline<CallbackKind::mem_destructor>::call(cl_mem, void* target) {
  push(target, protocol::push::CallbackArgs<CallbackKind::mem_destructor>{});
}

void CallbackTrampoline<CallbackKind::context_destructor>::call(cl_context, void* target) {
  push(target, protocol::push::CallbackArgs<CallbackKind::context_destructor>{});
}

CallbackTargets::~CallbackTargets() { dropAll(); }

void* CallbackTargets::add(CallbackTarget target) { return targets().add(this, std::move(target)); }

void CallbackTargets::dropAll() { targets().takeAllOf(this); }

CompletionActions::~CompletionActions() { dropPending(); }

cl_int CompletionActions::onStatus(cl_event event, cl_int when, std::function<void(cl_int)> action) {
  void* key = actions().add(this, PendingAction{std::move(action)});
  const cl_int status = clSetEventCallback(event, when, &fire, key);
  if (status != CL_SUCCESS) {
    actions().take(key);
    return status;
  }
  // Not a user event: the client sets its status itself, and PoCL calls its
  // CL_COMPLETE callback when it completes (and an application counting its
  // references, which the session hides, would see the watch's). Nor one
  // whose action ran already, inside clSetEventCallback.
  if (when != CL_COMPLETE) return status;
  cl_command_type type = 0;
  if (::clGetEventInfo(event, CL_EVENT_COMMAND_TYPE, sizeof type, &type, nullptr) != CL_SUCCESS ||
      type == CL_COMMAND_USER || ::clRetainEvent(event) != CL_SUCCESS)
    return status;
  if (actions().update(key, [&](PendingAction& pending) { pending.watched = event; }))
    failureWatch().watch(key);
  else
    ::clReleaseEvent(event);  // its action ran already (not in a callback here)
  return status;
}

void CompletionActions::checkSoon() { failureWatch().checkSoon(); }

void CompletionActions::fire(cl_event event, cl_int status, void* key) {
  // PoCL 3.1 calls a CL_COMPLETE callback set on a command that failed
  // already at once, with CL_COMPLETE: the event's own status tells.
  if (status == CL_COMPLETE) {
    cl_int real = CL_COMPLETE;
    if (::clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof real, &real, nullptr) == CL_SUCCESS &&
        real < 0)
      status = real;
  }
  if (auto taken = actions().take(key)) {
    taken->run(status);
    if (taken->watched != nullptr) failureWatch().release(taken->watched);
  }
  // The commands that waited for a failed one fail too, maybe without callbacks.
  if (status < 0) failureWatch().checkSoon();
}

void CompletionActions::dropPending() {
  for (auto& dropped : actions().takeAllOf(this))
    if (dropped.watched != nullptr) failureWatch().release(dropped.watched);
}

}  // namespace rcl::server
