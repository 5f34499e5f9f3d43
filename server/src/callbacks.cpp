#include "rcl/server/callbacks.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
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
#include "rcl/server/outbox.h"

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
  bool contains(void* key) {
    std::lock_guard lock(mutex_);
    return entries_.count(reinterpret_cast<std::uintptr_t>(key)) != 0;
  }
  std::optional<Value> find(void* key) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(reinterpret_cast<std::uintptr_t>(key));
    if (it == entries_.end()) return std::nullopt;
    return it->second.value;
  }
  void dropAllOf(const void* owner) {
    std::vector<Value> dropped;  // destroyed outside the lock
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.owner != owner) {
        ++it;
        continue;
      }
      dropped.push_back(std::move(it->second.value));
      it = entries_.erase(it);
    }
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

KeyedRegistry<std::function<void(cl_int)>>& actions() {
  static NoDestructor<KeyedRegistry<std::function<void(cl_int)>>> instance;
  return instance.get();
}

// The events whose CL_COMPLETE action has not run (CompletionActions, in
// callbacks.h: why), each retained until its action ran, or was dropped. One
// thread for the process, started with the first event; it waits, unwoken,
// while nothing is watched, looks at most every kQuantum, and makes no OpenCL
// call under its mutex (PoCL may hold an event's lock while it calls back,
// and a callback may call checkSoon).
class FailureWatch {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kFirstLook = std::chrono::milliseconds(20);
  static constexpr Clock::duration kLongestLook = std::chrono::seconds(2);
  static constexpr Clock::duration kQuantum = std::chrono::milliseconds(10);

  void add(cl_event event, void* key) {
    if (::clRetainEvent(event) != CL_SUCCESS) return;
    const auto due = Clock::now() + kFirstLook;
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    const bool earliest = watched_.empty() || due < watched_.begin()->first;
    watched_.emplace(due, Watched{event, key, kFirstLook});
    if (earliest) wake_.notify_one();
  }

  void checkSoon() {
    std::lock_guard lock(mutex_);
    if (watched_.empty()) return;
    soon_ = true;
    wake_.notify_one();
  }

 private:
  struct Watched {
    cl_event event;
    void* key;
    Clock::duration interval;
  };
  using Schedule = std::multimap<Clock::time_point, Watched>;

  [[noreturn]] void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return soon_ || !watched_.empty(); });
      while (!soon_ && Clock::now() < watched_.begin()->first) wake_.wait_until(lock, watched_.begin()->first);
      const bool soon = std::exchange(soon_, false);
      const auto now = Clock::now();
      // The events due now (all of them after a checkSoon), looked at outside the lock.
      Schedule due;
      const auto end = soon ? watched_.end() : watched_.upper_bound(now);
      while (watched_.begin() != end) due.insert(watched_.extract(watched_.begin()));
      lock.unlock();
      Schedule again;
      for (auto& [when, w] : due)
        if (stillWaits(w, soon)) again.emplace(now + w.interval, w);
      lock.lock();
      watched_.merge(again);
      // At most one look every kQuantum, however many events come and go (a checkSoon still wakes it).
      wake_.wait_for(lock, kQuantum, [this] { return soon_; });
    }
  }

  // Looks at one event: false once its action ran (here or in the callback)
  // or was dropped, and the event is released.
  static bool stillWaits(Watched& w, bool soon) {
    if (actions().contains(w.key)) {
      cl_int status = CL_QUEUED;
      if (::clGetEventInfo(w.event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr) !=
          CL_SUCCESS) {
        status = CL_QUEUED;  // (it is retained: cannot happen) looked at again later
      }
      if (status >= 0) {
        w.interval = soon ? kFirstLook : std::min(w.interval * 2, kLongestLook);
        return true;
      }
      if (auto run = actions().take(w.key)) (*run)(status);
    }
    ::clReleaseEvent(w.event);
    return false;
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  Schedule watched_;  // by when each is looked at next
  bool soon_ = false;
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

void CallbackTargets::dropAll() { targets().dropAllOf(this); }

CompletionActions::~CompletionActions() { dropPending(); }

cl_int CompletionActions::onStatus(cl_event event, cl_int when, std::function<void(cl_int)> action) {
  void* key = actions().add(this, std::move(action));
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
      type == CL_COMMAND_USER)
    return status;
  if (actions().contains(key)) failureWatch().add(event, key);
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
  if (auto run = actions().take(key)) (*run)(status);
  // The commands that waited for a failed one fail too, maybe without callbacks.
  if (status < 0) failureWatch().checkSoon();
}

void CompletionActions::dropPending() {
  actions().dropAllOf(this);
  failureWatch().checkSoon();  // their events are released now
}

}  // namespace rcl::server
