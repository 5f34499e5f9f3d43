// Application callbacks that fire on the server (build notifications,
// destructor callbacks, context errors, event status): each becomes a push
// message [Kind::Callback, 0, callback_id, args...] to the client, which
// calls the application's function. Also the server's own completion actions.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <CL/cl.h>

#include "rcl/protocol/callback_kind.h"

namespace rcl::server {

class Outbox;

// The kinds of callback: one definition for both sides.
using protocol::CallbackKind;

// Where a callback's push goes.
struct CallbackTarget {
  std::shared_ptr<Outbox> outbox;
  std::uint64_t callbackId;
};

// A session's application callbacks, as OpenCL sees them: OpenCL gets no
// pointer, only a key that is never reused, which the trampolines look up in
// a process-wide registry; a callback PoCL calls after the session ended (or
// dropped them) finds nothing and pushes nothing.
class CallbackTargets {
 public:
  CallbackTargets() = default;
  ~CallbackTargets();  // dropAll()
  CallbackTargets(const CallbackTargets&) = delete;
  CallbackTargets& operator=(const CallbackTargets&) = delete;

  // The user_data to give OpenCL with a trampoline (never nullptr).
  void* add(CallbackTarget target);
  void dropAll();
};

// The function to give OpenCL for a callback of kind K; its user_data is a
// key from CallbackTargets::add.
template <CallbackKind K> struct CallbackTrampoline;
template <> struct CallbackTrampoline<CallbackKind::context_notify> {
  static void CL_CALLBACK call(const char* errinfo, const void* private_info, size_t cb, void* target);
};
template <> struct CallbackTrampoline<CallbackKind::program_notify> {
  static void CL_CALLBACK call(cl_program, void* target);
};
template <> struct CallbackTrampoline<CallbackKind::event_notify> {
  static void CL_CALLBACK call(cl_event, cl_int status, void* target);
};
template <> struct CallbackTrampoline<CallbackKind::mem_destructor> {
  static void CL_CALLBACK call(cl_mem, void* target);
};
template <> struct CallbackTrampoline<CallbackKind::context_destructor> {
  static void CL_CALLBACK call(cl_context, void* target);
};

// Actions to run once events reach a status, kept by the session. Keyed like
// CallbackTargets: a callback that comes after its session dropped it
// (implementations call back from their own threads, maybe after clFinish
// returned) finds nothing and does nothing.
//
// A failed command may get no callback at all: PoCL 3.1 calls none, for any
// status, on a command that failed because an event it waited for (directly,
// through a chain, or before it on an in-order queue) failed, nor on a user
// event set to a negative status; the commands' statuses turn negative at
// once, inside clSetUserEventStatus. So each CL_COMPLETE action of a command
// (not of a user event: the client sets its status) is also watched
// (FailureWatch, callbacks.cpp): the event is retained and its status read
// locally (no network): at once when something may have failed commands
// (checkSoon: a negative user event, a failed callback), then from 20 ms
// with a back-off to 2 s; while nothing failed, first after 1 s (a command
// that failed on its own with no callback). A negative status runs the
// action, exactly once, whoever comes first: the callback or the watch.
class CompletionActions {
 public:
  CompletionActions() = default;
  ~CompletionActions();  // dropPending()
  CompletionActions(const CompletionActions&) = delete;
  CompletionActions& operator=(const CompletionActions&) = delete;

  // Runs `action(status)` once, when `event` completes or fails, on the
  // thread the implementation calls back on (or the watch's). Returns
  // clSetEventCallback's status.
  cl_int onComplete(cl_event event, std::function<void(cl_int status)> action) {
    return onStatus(event, CL_COMPLETE, std::move(action));
  }
  // The same when `event` reaches `status` (CL_SUBMITTED, CL_RUNNING, CL_COMPLETE;
  // only CL_COMPLETE is watched: a failed command never reaches the others).
  cl_int onStatus(cl_event event, cl_int status, std::function<void(cl_int status)> action);
  // Something may have failed commands without callbacks (a user event set
  // to a negative status): the watched events are looked at now.
  static void checkSoon();
  // Drops the actions that never ran (the session's queues are finished).
  void dropPending();

 private:
  static void CL_CALLBACK fire(cl_event, cl_int status, void* key);
};

}  // namespace rcl::server
