// What the proxies need of the transport above them: their lifetime and their
// events send calls (retain/release, an event's status, a queue's
// properties), and their connection names them in pushes and runs their
// callbacks. The objects layer sees only this interface; transport implements
// it (src/transport/object_host.cpp), so no include runs up a layer.
#pragma once

#include <cstddef>
#include <functional>

#include <CL/cl.h>

#include "rcl/icd/objects/objects.h"
#include "rcl/protocol/call_ids.h"

namespace rcl::icd {

class ObjectHost {
 public:
  // A proxy the application now holds: `connection` names it in replies and pushes.
  virtual void track(Connection* connection, Object* object) = 0;
  // A proxy nobody holds any more: the server's event released if only the
  // client held it, its connection forgets it, it goes back to the pools.
  virtual void dispose(Object* object) = 0;
  // Sends `call` naming `object` alone (clRetain*, clRelease*); not waited for.
  virtual void post(protocol::CallId call, Object* object) = 0;
  // Runs `job` on the callback thread of `connection` (never the receiver).
  virtual void runCallback(Connection* connection, std::function<void()> job) = 0;
  // Asks the server for an event's status and records it: needed only when
  // no completion was pushed and none will be (waitForEvent).
  virtual void reconcile(cl_event event) = 0;
  // A queue's CL_QUEUE_PROPERTIES (asked of the server once: the info cache).
  virtual cl_int queueProperties(cl_command_queue queue, cl_command_queue_properties& properties) = 0;

 protected:
  ObjectHost() = default;
  ~ObjectHost() = default;
  ObjectHost(const ObjectHost&) = delete;
  ObjectHost& operator=(const ObjectHost&) = delete;
};

// The one host, defined by the transport layer (it holds no state of its own).
ObjectHost& objectHost();

}  // namespace rcl::icd
