#include "rcl/server/callbacks.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/no_destructor.h"
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

KeyedRegistry<CallbackTarget>& targets() {
  static NoDestructor<KeyedRegistry<CallbackTarget>> instance;
  return instance.get();
}

protocol::Writer pushHeader(const CallbackTarget& target) {
  protocol::Writer w;
  w.integer(protocol::Kind::Callback);
  w.u64(0);
  w.u64(target.callbackId);
  return w;
}

// Pushes the callback `key` names, with the arguments `write` adds, if its session still has it.
template <class Write>
void push(void* key, const Write& write) {
  const auto target = targets().find(key);
  if (!target) return;
  auto w = pushHeader(*target);
  write(w);
  target->outbox->post(w.finish());
}

void pushEmpty(void* key) {
  push(key, [](protocol::Writer&) {});
}

}  // namespace

void CallbackTrampoline<CallbackKind::context_notify>::call(const char* errinfo, const void* private_info,
                                                            size_t cb, void* target) {
  push(target, [&](protocol::Writer& w) {
    w.str(errinfo != nullptr ? errinfo : "");
    w.bin(private_info, private_info != nullptr ? cb : 0);
  });
}

void CallbackTrampoline<CallbackKind::program_notify>::call(cl_program, void* target) { pushEmpty(target); }

void CallbackTrampoline<CallbackKind::event_notify>::call(cl_event, cl_int status, void* target) {
  push(target, [&](protocol::Writer& w) { w.i64(status); });
}

void CallbackTrampoline<CallbackKind::mem_destructor>::call(cl_mem, void* target) { pushEmpty(target); }

void CallbackTrampoline<CallbackKind::context_destructor>::call(cl_context, void* target) { pushEmpty(target); }

CallbackTargets::~CallbackTargets() { dropAll(); }

void* CallbackTargets::add(CallbackTarget target) { return targets().add(this, std::move(target)); }

void CallbackTargets::dropAll() { targets().dropAllOf(this); }

CompletionActions::~CompletionActions() { dropPending(); }

cl_int CompletionActions::onStatus(cl_event event, cl_int when, std::function<void(cl_int)> action) {
  void* key = actions().add(this, std::move(action));
  const cl_int status = clSetEventCallback(event, when, &fire, key);
  if (status != CL_SUCCESS) actions().take(key);
  return status;
}

void CompletionActions::fire(cl_event, cl_int status, void* key) {
  if (auto run = actions().take(key)) (*run)(status);
}

void CompletionActions::dropPending() { actions().dropAllOf(this); }

}  // namespace rcl::server
