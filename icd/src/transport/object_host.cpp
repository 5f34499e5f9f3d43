// The transport's side of objects/object_host.h: what the proxies' lifetime
// and events need sent or done by their connection.
#include "rcl/icd/objects/object_host.h"

#include "rcl/icd/objects/events.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/transport/call.h"
#include "rcl/icd/transport/connection.h"
#include "rcl/icd/transport/driver.h"

namespace rcl::icd {

namespace {

// Asks the server for an event's status. Needed only when no completion was
// pushed and none will be (waitForEvent).
void reconcile(cl_event event) {
  Call call(CallId::clGetEventInfo);
  call.request(protocol::opencl::clGetEventInfoRequest{call.ownHandleId(event), CL_EVENT_COMMAND_EXECUTION_STATUS});
  cl_int remote = CL_QUEUED;
  const cl_int s = call.info(CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof remote, &remote, nullptr);
  if (s == CL_INVALID_EVENT || !event->connection->alive()) {
    // The server does not know the event: the command never got there
    // (refused before it named its event: an object whose pipelined creation
    // failed, a malformed request), or the server is gone. It will never
    // complete; a blocking call returns the refusal.
    auto read = event->connection->cancelRead(event->id);
    cl_int none = CL_SUCCESS;
    event->rejectedWith.compare_exchange_strong(none, CL_OUT_OF_RESOURCES);
    setEventStatus(event, CL_OUT_OF_RESOURCES);
    if (read) unhold(read->event);
    return;
  }
  if (s != CL_SUCCESS) return;
  if (remote < 0) {
    auto read = event->connection->cancelRead(event->id);
    setEventStatus(event, remote);
    if (read) unhold(read->event);
  } else if (remote == CL_COMPLETE && !event->awaitsData) {
    setEventStatus(event, remote);
  }
}

class TransportHost final : public ObjectHost {
 public:
  void track(Connection* connection, Object* object) override { connection->track(object); }

  void dispose(Object* object) override {
    if (object->releaseWhenDone && object->kind == ObjectKind::Event) {
      Call release(CallId::clReleaseEvent);
      release.ownHandle(object);
      release.post();
    }
    object->connection->untrack(object);
    Driver::instance().recycle(object);
  }

  // The caller checked `object` (live, of its kind, not pinned): naming it
  // as the client's own sends the same call (its id, the retain's or
  // release's one field) as Call::handleId would.
  void post(CallId call, Object* object) override {
    Call c(call);
    c.ownHandle(object);
    c.post();
  }

  void runCallback(Connection* connection, std::function<void()> job) override {
    connection->runCallback(std::move(job));
  }

  void reconcile(cl_event event) override { rcl::icd::reconcile(event); }

  cl_int queueProperties(cl_command_queue queue, cl_command_queue_properties& properties) override {
    return askInfo<protocol::opencl::clGetCommandQueueInfoRequest>(CallId::clGetCommandQueueInfo, queue,
                                                                   CL_QUEUE_PROPERTIES, sizeof properties,
                                                                   &properties, nullptr);
  }
};

}  // namespace

ObjectHost& objectHost() {
  static TransportHost host;  // no state: only the calls it makes
  return host;
}

}  // namespace rcl::icd
