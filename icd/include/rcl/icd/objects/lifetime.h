// Reference counting of proxies. The application's retain/release calls are
// forwarded (the server's count stays true); the proxy itself lives while the
// application or the client still holds it.
#pragma once

#include <CL/cl.h>

#include "rcl/icd/objects/objects.h"
#include "rcl/protocol/call_ids.h"

namespace rcl::icd {

// A proxy the application now holds once (after a successful creation).
void activate(Object* object, Connection* connection);
// The client's own hold on a proxy, and its end.
void hold(Object* object);
void unhold(Object* object);

// Validates a handle of proxy type P: live, of the right kind.
template <class P>
P* checked(P* handle) {
  if (handle == nullptr || handle->kind != protocol::HandleTraits<P*>::kind || !handle->live) return nullptr;
  return handle;
}

template <class P>
cl_int retainObject(protocol::CallId call, P* handle);
template <class P>
cl_int releaseObject(protocol::CallId call, P* handle);

}  // namespace rcl::icd
