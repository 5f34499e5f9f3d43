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

void CL_CALLBACK runAction(cl_event, cl_int status, void* user_data) {
  std::unique_ptr<std::function<void(cl_int)>> action(static_cast<std::function<void(cl_int)>*>(user_data));
  (*action)(status);
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

cl_int onEventComplete(cl_event event, std::function<void(cl_int)> action) {
  auto heap = std::make_unique<std::function<void(cl_int)>>(std::move(action));
  const cl_int status = clSetEventCallback(event, CL_COMPLETE, &runAction, heap.get());
  if (status == CL_SUCCESS) (void)heap.release();
  return status;
}

}  // namespace rcl::server
