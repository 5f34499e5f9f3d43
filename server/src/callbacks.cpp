#include "rcl/server/callbacks.h"

#include <memory>

#include "rcl/protocol/codec.h"
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

CompletionActions::~CompletionActions() { dropPending(); }

cl_int CompletionActions::onStatus(cl_event event, cl_int when, std::function<void(cl_int)> action) {
  auto owned = std::make_unique<Action>(Action{this, std::move(action)});
  Action* raw = owned.get();
  {
    std::lock_guard lock(mutex_);
    pending_.emplace(raw, std::move(owned));
  }
  const cl_int status = clSetEventCallback(event, when, &fire, raw);
  if (status != CL_SUCCESS) {
    std::lock_guard lock(mutex_);
    pending_.erase(raw);
  }
  return status;
}

void CompletionActions::fire(cl_event, cl_int status, void* action) {
  auto* a = static_cast<Action*>(action);
  std::unique_ptr<Action> mine;
  {
    std::lock_guard lock(a->owner->mutex_);
    auto it = a->owner->pending_.find(a);
    if (it == a->owner->pending_.end()) return;
    mine = std::move(it->second);
    a->owner->pending_.erase(it);
  }
  mine->run(status);
}

void CompletionActions::dropPending() {
  std::lock_guard lock(mutex_);
  pending_.clear();
}

}  // namespace rcl::server
