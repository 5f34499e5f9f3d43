#include "rcl/server/callbacks.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/no_destructor.h"
#include "rcl/server/outbox.h"

namespace rcl::server {
namespace {

protocol::Writer pushHeader(const CallbackTarget& target) {
  protocol::Writer w;
  w.integer(protocol::Kind::Callback);
  w.u64(0);
  w.u64(target.callbackId);
  return w;
}

void post(void* target, protocol::Writer& w) {
  auto* t = static_cast<CallbackTarget*>(target);
  t->outbox->post(w.finish());
}

void postEmpty(void* target) {
  auto w = pushHeader(*static_cast<CallbackTarget*>(target));
  post(target, w);
}

}  // namespace

void CallbackTrampoline<CallbackKind::context_notify>::call(const char* errinfo, const void* private_info,
                                                            size_t cb, void* target) {
  auto w = pushHeader(*static_cast<CallbackTarget*>(target));
  w.str(errinfo != nullptr ? errinfo : "");
  w.bin(private_info, private_info != nullptr ? cb : 0);
  post(target, w);
}

void CallbackTrampoline<CallbackKind::program_notify>::call(cl_program, void* target) { postEmpty(target); }

void CallbackTrampoline<CallbackKind::event_notify>::call(cl_event, cl_int status, void* target) {
  auto w = pushHeader(*static_cast<CallbackTarget*>(target));
  w.i64(status);
  post(target, w);
}

void CallbackTrampoline<CallbackKind::mem_destructor>::call(cl_mem, void* target) { postEmpty(target); }

void CallbackTrampoline<CallbackKind::context_destructor>::call(cl_context, void* target) { postEmpty(target); }

namespace {

// Every session's completion actions in flight, by key (see callbacks.h).
class ActionRegistry {
 public:
  std::uintptr_t add(const CompletionActions* owner, std::function<void(cl_int)> run) {
    std::lock_guard lock(mutex_);
    const std::uintptr_t key = nextKey_++;
    actions_.emplace(key, Action{owner, std::move(run)});
    return key;
  }
  // The action of `key`, taken out; empty if there is none (any more).
  std::function<void(cl_int)> take(std::uintptr_t key) {
    std::lock_guard lock(mutex_);
    const auto it = actions_.find(key);
    if (it == actions_.end()) return {};
    auto run = std::move(it->second.run);
    actions_.erase(it);
    return run;
  }
  void dropAllOf(const CompletionActions* owner) {
    std::vector<std::function<void(cl_int)>> dropped;  // destroyed outside the lock
    {
      std::lock_guard lock(mutex_);
      for (auto it = actions_.begin(); it != actions_.end();) {
        if (it->second.owner != owner) {
          ++it;
          continue;
        }
        dropped.push_back(std::move(it->second.run));
        it = actions_.erase(it);
      }
    }
  }

 private:
  struct Action {
    const CompletionActions* owner;
    std::function<void(cl_int)> run;
  };
  std::mutex mutex_;
  std::uintptr_t nextKey_ = 1;
  std::unordered_map<std::uintptr_t, Action> actions_;
};

ActionRegistry& registry() {
  static NoDestructor<ActionRegistry> instance;
  return instance.get();
}

}  // namespace

CompletionActions::~CompletionActions() { dropPending(); }

cl_int CompletionActions::onStatus(cl_event event, cl_int when, std::function<void(cl_int)> action) {
  const std::uintptr_t key = registry().add(this, std::move(action));
  const cl_int status = clSetEventCallback(event, when, &fire, reinterpret_cast<void*>(key));
  if (status != CL_SUCCESS) registry().take(key);
  return status;
}

void CompletionActions::fire(cl_event, cl_int status, void* key) {
  if (auto run = registry().take(reinterpret_cast<std::uintptr_t>(key))) run(status);
}

void CompletionActions::dropPending() { registry().dropAllOf(this); }

}  // namespace rcl::server
