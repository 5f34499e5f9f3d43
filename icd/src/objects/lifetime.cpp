#include "rcl/icd/objects/lifetime.h"

#include "rcl/icd/objects/object_host.h"

namespace rcl::icd {

using protocol::CallId;

void activate(Object* object, Connection* connection) {
  object->connection = connection;
  object->refs = 1;
  object->lifetime = 1;
  object->live = true;
  objectHost().track(connection, object);
}

void hold(Object* object) { ++object->lifetime; }

void unhold(Object* object) {
  if (object->pinned) return;
  if (--object->lifetime == 0) objectHost().dispose(object);
}

template <class P>
cl_int retainObject(CallId call, P* handle) {
  P* p = checked(handle);
  if (p == nullptr) return protocol::HandleTraits<P*>::invalidError;
  if (p->pinned) return CL_SUCCESS;  // platforms and root devices
  ++p->refs;
  ++p->lifetime;
  objectHost().post(call, p);
  return CL_SUCCESS;
}

template <class P>
cl_int releaseObject(CallId call, P* handle) {
  P* p = checked(handle);
  if (p == nullptr) return protocol::HandleTraits<P*>::invalidError;
  if (p->pinned) return CL_SUCCESS;
  objectHost().post(call, p);
  if (--p->refs == 0) p->live = false;  // the application may not use it any more
  unhold(p);
  return CL_SUCCESS;
}

#define RCL_INSTANTIATE(P)                             \
  template cl_int retainObject<P>(CallId, P* handle);  \
  template cl_int releaseObject<P>(CallId, P* handle);
RCL_INSTANTIATE(_cl_device_id)
RCL_INSTANTIATE(_cl_context)
RCL_INSTANTIATE(_cl_command_queue)
RCL_INSTANTIATE(_cl_mem)
RCL_INSTANTIATE(_cl_program)
RCL_INSTANTIATE(_cl_kernel)
RCL_INSTANTIATE(_cl_event)
RCL_INSTANTIATE(_cl_sampler)
RCL_INSTANTIATE(_cl_command_buffer_khr)
#undef RCL_INSTANTIATE

}  // namespace rcl::icd
