// Creations sent without waiting (issue 16: "never wait for what the client
// can check"). The client picks the new object's id; when it has checked
// everything the real platform could refuse (what the caller passed, against
// the devices' kept information), only resources can fail the creation on
// the server, and the call returns at once. The server then keeps the id of
// a creation that failed with its error: the first command that uses the
// object fails with it (as the specification allows for resources
// allocated lazily), and its release succeeds and frees nothing
// (server/include/rcl/server/session/handle_table.h); so does a creation
// the server refused before it began (an argument whose own pipelined
// creation failed: a program of a refused context). Input the client is not sure
// of goes the usual way, one round trip, so its error is the platform's own.
#pragma once

#include <cstddef>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/transport/call.h"

namespace rcl::icd {

// Runs a creation `call` that made `created`: posted when `pipelined`
// (the client checked it), otherwise a round trip. The new object, or
// nullptr with the error in errcode_ret.
template <class P>
P* createPipelined(Call& call, P* created, bool pipelined, cl_int* errcode_ret) {
  if (!pipelined || call.failed()) return call.sync().created(created, errcode_ret);
  const cl_int status = call.post();
  if (errcode_ret != nullptr) *errcode_ret = status;
  return status == CL_SUCCESS ? created : nullptr;
}

// Keeps what the client sent as the answer to `infoCall`'s `param` for
// `object`, if the annotations call that value immutable
// (codegen/opencl_calls.toml): the query is then answered here.
void keepSentInfo(CallId infoCall, const Object* object, cl_uint param, const void* value, std::size_t size);
template <class T>
void keepSentInfo(CallId infoCall, const Object* object, cl_uint param, const T& value) {
  keepSentInfo(infoCall, object, param, &value, sizeof value);
}
// A property list as the caller gave it, with its 0 (NULL: an empty value).
template <class T>
void keepSentProperties(CallId infoCall, const Object* object, cl_uint param, const T* list) {
  std::size_t n = 0;
  if (list != nullptr) {
    while (list[n] != 0) n += 2;
    ++n;
  }
  keepSentInfo(infoCall, object, param, list, n * sizeof(T));
}

// The devices of a context: those clCreateContext named, or its
// CL_CONTEXT_DEVICES (asked once, then kept); empty if unknown.
std::vector<cl_device_id> contextDevices(cl_context context);

// A device's kept information `param` as a T (false if the device refuses it).
template <class T>
bool deviceValue(cl_device_id device, cl_device_info param, T& value) {
  return kDispatchTable.clGetDeviceInfo(device, param, sizeof value, &value, nullptr) == CL_SUCCESS;
}

}  // namespace rcl::icd
