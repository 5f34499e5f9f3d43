// A call's new proxies: made findable before the call is sent (pushes may
// come at once), kept or thrown away after its answer; the contexts they
// belong to; the application callbacks a call registers for them.
#include "rcl/icd/transport/call.h"

#include <mutex>

#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/objects/queue_progress.h"
#include "rcl/protocol/pushes.h"
#include "rcl/protocol/queue_commands.h"

namespace rcl::icd {

cl_context contextOf(Object* o) {
  switch (o->kind) {
    case ObjectKind::Context: return static_cast<cl_context>(o);
    case ObjectKind::Queue: return static_cast<cl_command_queue>(o)->context;
    case ObjectKind::Mem: return static_cast<cl_mem>(o)->context;
    case ObjectKind::Program: return static_cast<cl_program>(o)->context;
    case ObjectKind::Kernel: return static_cast<cl_kernel>(o)->context;
    case ObjectKind::Event: return static_cast<cl_event>(o)->context;
    case ObjectKind::Sampler: return static_cast<cl_sampler>(o)->context;
    case ObjectKind::CommandBuffer: return static_cast<cl_command_buffer_khr>(o)->context;
    default: return nullptr;
  }
}

void setContext(Object* o, cl_context c) {
  switch (o->kind) {
    case ObjectKind::Queue: static_cast<cl_command_queue>(o)->context = c; break;
    case ObjectKind::Mem: static_cast<cl_mem>(o)->context = c; break;
    case ObjectKind::Program: static_cast<cl_program>(o)->context = c; break;
    case ObjectKind::Kernel: static_cast<cl_kernel>(o)->context = c; break;
    case ObjectKind::Event: static_cast<cl_event>(o)->context = c; break;
    case ObjectKind::Sampler: static_cast<cl_sampler>(o)->context = c; break;
    case ObjectKind::CommandBuffer: static_cast<cl_command_buffer_khr>(o)->context = c; break;
    default: break;
  }
}

namespace {

void discard(Object* o) {
  if (o->connection != nullptr) o->connection->untrack(o);
  o->live = false;
  o->refs = 0;
  o->lifetime = 0;
  Driver::instance().recycle(o);
}

}  // namespace

Call::~Call() {
  // A call abandoned before it ran (never in generated code) loses nothing.
  if (created_ != nullptr && !created_->live) discard(created_);
  if (event_ != nullptr && !event_->live) discard(event_);
}

std::uint64_t Call::registerCallback(CallbackKind kind, void (*fn)(), void* userData) {
  Connection* c = target();
  if (c == nullptr) return 0;
  Object* object = created_ != nullptr ? created_ : first_;
  RemoteCallback cb;
  switch (kind) {
    case CallbackKind::context_notify: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(const char*, const void*, size_t, void*)>(fn);
      cb.once = false;
      cb.run = [f, userData](protocol::Reader& r) {
        const auto args = protocol::push::CallbackArgs<CallbackKind::context_notify>::decode(r);
        f(args.errinfo.c_str(), args.private_info.data(), args.private_info.size(), userData);
      };
      break;
    }
    case CallbackKind::program_notify: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(cl_program, void*)>(fn);
      cb.run = [f, object, userData](protocol::Reader& r) {
        protocol::push::CallbackArgs<CallbackKind::program_notify>::decode(r);
        f(static_cast<cl_program>(object), userData);
      };
      break;
    }
    case CallbackKind::event_notify: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(cl_event, cl_int, void*)>(fn);
      cb.run = [f, object, userData](protocol::Reader& r) {
        const auto args = protocol::push::CallbackArgs<CallbackKind::event_notify>::decode(r);
        f(static_cast<cl_event>(object), args.status, userData);
      };
      break;
    }
    case CallbackKind::mem_destructor: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(cl_mem, void*)>(fn);
      cb.run = [f, object, userData](protocol::Reader& r) {
        protocol::push::CallbackArgs<CallbackKind::mem_destructor>::decode(r);
        f(static_cast<cl_mem>(object), userData);
      };
      break;
    }
    case CallbackKind::context_destructor: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(cl_context, void*)>(fn);
      cb.run = [f, object, userData](protocol::Reader& r) {
        protocol::push::CallbackArgs<CallbackKind::context_destructor>::decode(r);
        f(static_cast<cl_context>(object), userData);
      };
      break;
    }
  }
  const std::uint64_t id = c->addCallback(std::move(cb));
  // (A context's notification may run many times: dropped when the context goes, Driver::recycle.)
  if (kind == CallbackKind::context_notify && object != nullptr && object->kind == ObjectKind::Context)
    static_cast<cl_context>(object)->notifyCallback = id;
  return id;
}

void Reply::inherit(Object* adopted) const {
  if (adopted->kind != ObjectKind::Kernel || first_ == nullptr || first_->kind != ObjectKind::Program) return;
  // As clCreateKernel's kernels: the work-group rule of the build, and
  // whether the argument information is the server's addition, hidden.
  auto* kernel = static_cast<cl_kernel>(adopted);
  const auto* program = static_cast<cl_program>(first_);
  kernel->uniformGroups = program->uniformGroups;
  kernel->argInfoHidden = program->argInfoHidden.load();
}

void Call::prepareNew(Connection* c) {
  if (created_ != nullptr) {
    setContext(created_, context_);
    activate(created_, c);
    if (created_->kind == ObjectKind::Kernel && first_ != nullptr && first_->kind == ObjectKind::Kernel) {
      // clCloneKernel: the copy has the original's arguments.
      auto* from = static_cast<cl_kernel>(first_);
      auto* to = static_cast<cl_kernel>(created_);
      std::lock_guard lock(from->infoMutex);
      to->acceptedArgs = from->acceptedArgs;
      to->function = from->function;
      to->uniformGroups = from->uniformGroups;
      to->argInfoHidden = from->argInfoHidden;
    }
    if (created_->kind == ObjectKind::Kernel && first_ != nullptr && first_->kind == ObjectKind::Program)
      static_cast<cl_kernel>(created_)->uniformGroups = static_cast<cl_program>(first_)->uniformGroups;  // clCreateKernel
    if (created_->kind == ObjectKind::Event) {  // clCreateUserEvent
      static_cast<cl_event>(created_)->status = CL_SUBMITTED;
      static_cast<cl_event>(created_)->commandType = CL_COMMAND_USER;
    }
  }
  if (event_ != nullptr) {
    event_->context = context_;
    event_->queue = queue_;
    activate(event_, c);
    if (eventOut_ == nullptr) {
      // Only the client holds it (a read the application did not ask an
      // event of); the server's is released once the client is done with it.
      event_->live = false;
      event_->refs = 0;
      event_->lifetime = 0;
      event_->releaseWhenDone = true;
    }
    // A read is held until its bytes arrive, and by its queue until clFinish.
    if (event_->awaitsData) event_->lifetime += 2;
    if (queue_ != nullptr && protocol::mayEnqueue(call_)) hold(event_);  // the queue's last command, for clFinish
    if (queue_ != nullptr && Driver::instance().tracer() != nullptr) {
      hold(event_);  // until its device time is recorded
      tracedCommand_ = event_;
    }
  }
}

void Call::settleNew(bool ok) {
  if (ok && queue_ != nullptr && protocol::mayEnqueue(call_))
    noteLastCommand(queue_, event_, settledOnSend_);  // its hold goes too
  if (created_ != nullptr && !ok) discard(created_);
  if (event_ != nullptr) {
    if (!ok) discard(event_);
    else if (eventOut_ != nullptr) *eventOut_ = event_;
  }
  created_ = nullptr;
  event_ = nullptr;
}

}  // namespace rcl::icd
