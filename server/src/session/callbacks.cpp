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
  // Calls `visit(key, value)` for every value, under the lock: it must be quick and call nothing back.
  template <class Visit>
  void forEach(const Visit& visit) {
    std::lock_guard lock(mutex_);
    for (auto& [key, entry] : entries_) visit(reinterpret_cast<void*>(key), entry.value);
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
  Clock::time_point nextLook{};
  Clock::duration interval{};
};

KeyedRegistry<PendingAction>& actions() {
  static NoDestructor<KeyedRegistry<PendingAction>> instance;
  return instance.get();
}

// Looks for commands that failed without a callback (CompletionActions, in
// callbacks.h: why) at the events of the pending actions, and releases the
// events it watched once their actions ran. Its cost stays off the path of
// every command: an enqueue adds a retain to its action's entry, a callback
// hands the event over in O(1), and the thread wakes a few times a second,
// releasing in batches. A command is first looked at after kQuietFirstLook;
// once something failed (checkSoon: a negative user event, a failed
// callback), every watched event is looked at at once, and for kAlert after
// that new ones after kFirstLook, with a back-off to kLongestLook. One thread
// for the process; it makes no OpenCL call under its mutex (PoCL may hold an
// event's lock while it calls back, and a callback may call checkSoon).
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

  // When an event watched from now on is first looked at.
  Clock::duration firstLook() const {
    return Clock::now().time_since_epoch().count() < alertUntil_.load(std::memory_order_relaxed) ? kFirstLook
                                                                                                 : kQuietFirstLook;
  }

  // An event the watch retained, whose action ran: released on the watch's thread.
  void release(cl_event event) {
    std::lock_guard lock(mutex_);
    released_.push_back(event);
    if (released_.size() == kReleaseBatch) wake_.notify_one();
  }

  void checkSoon() {
    alertUntil_.store((Clock::now() + kAlert).time_since_epoch().count(), std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    soon_ = true;
    wake_.notify_one();
  }

 private:
  [[noreturn]] void run() {
    std::vector<cl_event> releasing;
    for (;;) {
      bool soon = false;
      {
        std::unique_lock lock(mutex_);
        const auto tick = Clock::now().time_since_epoch().count() < alertUntil_.load() ? kQuantum : kQuietTick;
        wake_.wait_for(lock, tick, [this] { return soon_ || released_.size() >= kReleaseBatch; });
        soon = std::exchange(soon_, false);
        releasing.swap(released_);
      }
      for (cl_event event : releasing) ::clReleaseEvent(event);
      releasing.clear();
      look(soon);
    }
  }

  // Looks at the watched events that are due (all of them after a checkSoon)
  // and runs the action of each that failed.
  static void look(bool soon) {
    const auto now = Clock::now();
    std::vector<std::pair<void*, cl_event>> due;
    actions().forEach([&](void* key, const PendingAction& action) {
      if (action.watched != nullptr && (soon || action.nextLook <= now)) due.emplace_back(key, action.watched);
    });
    for (const auto& [key, event] : due) {
      cl_int status = CL_QUEUED;
      if (::clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr) != CL_SUCCESS)
        status = CL_QUEUED;  // (it is retained: cannot happen) looked at again later
      if (status < 0) {
        if (auto taken = actions().take(key)) {
          taken->run(status);
          ::clReleaseEvent(taken->watched);
        }
        continue;
      }
      actions().update(key, [&](PendingAction& action) {
        action.interval = soon ? kFirstLook : std::min(action.interval * 2, kLongestLook);
        action.nextLook = now + action.interval;
      });
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<cl_event> released_;
  bool soon_ = false;
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
  auto& watch = failureWatch();
  const auto first = watch.firstLook();
  const bool watched = actions().update(key, [&](PendingAction& pending) {
    pending.watched = event;
    pending.interval = first;
    pending.nextLook = Clock::now() + first;
  });
  if (!watched) ::clReleaseEvent(event);  // its action ran already (not in a callback here)
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
