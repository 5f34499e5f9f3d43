// Application callbacks that fire on the server (build notifications,
// destructor callbacks, context errors, event status): each becomes a push
// message [Kind::Callback, 0, callback_id, args...] to the client, which
// calls the application's function. Also the server's own completion actions.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <CL/cl.h>

namespace rcl::server {

class Outbox;

// The kinds of callback, named as in codegen/opencl_calls.toml.
enum class CallbackKind : std::uint8_t {
  context_notify,      // void(const char* errinfo, const void* private_info, size_t cb, void*)
  program_notify,      // void(cl_program, void*)
  event_notify,        // void(cl_event, cl_int status, void*)
  mem_destructor,      // void(cl_mem, void*)
  context_destructor,  // void(cl_context, void*)
};

// Where a callback's push goes. Owned by the session; lives until it ends.
struct CallbackTarget {
  std::shared_ptr<Outbox> outbox;
  std::uint64_t callbackId;
};

// The function to give OpenCL for a callback of kind K; its user_data is a
// CallbackTarget*.
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

// Runs `action(status)` once, when `event` completes or fails, on the thread
// the implementation calls back on. Returns clSetEventCallback's status.
cl_int onEventComplete(cl_event event, std::function<void(cl_int status)> action);

}  // namespace rcl::server
