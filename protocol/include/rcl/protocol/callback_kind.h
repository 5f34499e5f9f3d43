// The kinds of application callback a forwarded call can register, on both
// sides: the client keeps the application's function and calls it when the
// server pushes [Kind::Callback, 0, callback_id, args...]
// (icd/src/transport/call_proxies.cpp, Call::registerCallback); the server gives OpenCL a
// trampoline of the kind (server/include/rcl/server/session/callbacks.h). The
// generator knows each kind by its callback's parameter types
// (codegen/roles.py, CALLBACK_KINDS) and uses these names
// ("callback kind=K" in codegen/opencl_calls.toml).
#pragma once

#include <cstdint>

namespace rcl::protocol {

enum class CallbackKind : std::uint8_t {
  context_notify,      // void(const char* errinfo, const void* private_info, size_t cb, void*)
  program_notify,      // void(cl_program, void*)
  event_notify,        // void(cl_event, cl_int status, void*)
  mem_destructor,      // void(cl_mem, void*)
  context_destructor,  // void(cl_context, void*)
};

}  // namespace rcl::protocol
