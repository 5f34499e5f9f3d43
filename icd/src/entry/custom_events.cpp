// Hand-written entry points for events and queues: waits and statuses
// answered from pushed completions, CL_COMPLETE callbacks run on the client,
// clFinish that also waits for read data. Shapes and reasons:
// codegen/opencl_calls.toml.
#include <chrono>
#include <set>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/objects/queue_progress.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/entry/info_copy.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/icd/support/trace.h"
#include "rcl/icd/data/transfers.h"
#include "rcl/protocol/opencl_wire.h"
#include "rcl/protocol/profiling_times.h"

namespace rcl::icd::custom {

// Only resources can fail a user event of a valid context: it is created
// without waiting (pipelined.h). Its type, context and status are the
// client's (Call::prepareNew), answered here.
cl_event CL_API_CALL clCreateUserEvent(cl_context context, cl_int* errcode_ret) {
  Call call(CallId::clCreateUserEvent);
  auto* created = call.newObject<_cl_event>();
  call.request(
      protocol::opencl::clCreateUserEventRequest{.created_id = created->id, .context = call.handleId(context)});
  return createPipelined(call, created, /*pipelined=*/true, errcode_ret);
}

cl_int CL_API_CALL clWaitForEvents(cl_uint num_events, const cl_event* event_list) {
  if (num_events == 0 || event_list == nullptr) return CL_INVALID_VALUE;
  cl_context context = nullptr;
  std::set<cl_command_queue> queues;
  for (cl_uint i = 0; i < num_events; ++i) {
    cl_event e = checked(event_list[i]);
    if (e == nullptr) return CL_INVALID_EVENT;
    if (context == nullptr) context = e->context;
    if (e->context != context) return CL_INVALID_CONTEXT;
    if (e->queue != nullptr) queues.insert(e->queue);
  }
  const auto start = std::chrono::steady_clock::now();
  bool waited = false;  // for the trace: did any of them still need the device?
  for (cl_uint i = 0; i < num_events; ++i) {
    std::lock_guard lock(event_list[i]->mutex);
    waited = waited || !isFinal(event_list[i]->status);
  }
  for (cl_command_queue q : queues) flush(q);
  cl_int result = CL_SUCCESS;
  for (cl_uint i = 0; i < num_events; ++i)
    if (waitForEvent(event_list[i]) < 0) result = CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST;
  traceWaitForPushes("clWaitForEvents", start, waited, result);
  return result;
}

cl_int CL_API_CALL clGetEventInfo(cl_event event, cl_event_info param_name, size_t param_value_size,
                                  void* param_value, size_t* param_value_size_ret) {
  cl_event e = checked(event);
  if (e == nullptr) return CL_INVALID_EVENT;
  switch (param_name) {
    case CL_EVENT_COMMAND_QUEUE:
      return copyInfo(e->queue, param_value_size, param_value, param_value_size_ret);
    case CL_EVENT_CONTEXT:
      return copyInfo(e->context, param_value_size, param_value, param_value_size_ret);
    case CL_EVENT_COMMAND_TYPE:
      if (e->commandType != 0) return copyInfo(e->commandType, param_value_size, param_value, param_value_size_ret);
      break;
    case CL_EVENT_COMMAND_EXECUTION_STATUS: {
      cl_int status;
      {
        std::lock_guard lock(e->mutex);
        status = e->status;
      }
      // A user event's status changes only through clSetUserEventStatus, which the client sees.
      if (isFinal(status) || e->commandType == CL_COMMAND_USER)
        return copyInfo(status, param_value_size, param_value, param_value_size_ret);
      Call call(CallId::clGetEventInfo);
      call.request(protocol::opencl::clGetEventInfoRequest{.event = call.handleId(e), .param_name = param_name});
      cl_int remote = CL_QUEUED;
      if (cl_int s = call.info(param_name, sizeof remote, &remote, nullptr); s != CL_SUCCESS) return s;
      // A read is complete only once its bytes are here.
      if (remote <= CL_COMPLETE && e->awaitsData) {
        std::lock_guard lock(e->mutex);
        remote = isFinal(e->status) ? e->status : CL_RUNNING;
      }
      return copyInfo(remote, param_value_size, param_value, param_value_size_ret);
    }
    default:
      break;
  }
  Call call(CallId::clGetEventInfo);
  call.request(protocol::opencl::clGetEventInfoRequest{.event = call.handleId(e), .param_name = param_name});
  return call.info(param_name, param_value_size, param_value, param_value_size_ret);
}

// A complete command's timestamps came with its completion; a user event has
// none. Anything else (not complete here yet, a queue without profiling, a
// parameter the platform refused) asks the server, which answers as the real
// platform does.
cl_int CL_API_CALL clGetEventProfilingInfo(cl_event event, cl_profiling_info param_name, size_t param_value_size,
                                           void* param_value, size_t* param_value_size_ret) {
  cl_event e = checked(event);
  if (e == nullptr) return CL_INVALID_EVENT;
  if (!protocol::profilingIndex(param_name)) return CL_INVALID_VALUE;
  cl_ulong value = 0;
  if (const auto local = localProfilingInfo(e, param_name, value)) {
    if (*local != CL_SUCCESS) return *local;
    traceLocalAnswer("clGetEventProfilingInfo");
    return copyInfo(value, param_value_size, param_value, param_value_size_ret);
  }
  Call call(CallId::clGetEventProfilingInfo);
  call.request(protocol::opencl::clGetEventProfilingInfoRequest{.event = call.handleId(e), .param_name = param_name});
  return call.info(param_name, param_value_size, param_value, param_value_size_ret);
}

cl_int CL_API_CALL clSetEventCallback(cl_event event, cl_int command_exec_callback_type,
                                      void(CL_CALLBACK* pfn_notify)(cl_event, cl_int, void*), void* user_data) {
  cl_event e = checked(event);
  if (e == nullptr) return CL_INVALID_EVENT;
  if (pfn_notify == nullptr) return CL_INVALID_VALUE;
  switch (command_exec_callback_type) {
    case CL_COMPLETE: {
      cl_int status;
      {
        std::lock_guard lock(e->mutex);
        status = e->status;
        if (!isFinal(status)) {
          // The event lives until its callback ran, even if the application
          // releases it first (as natively): the completion must find it.
          hold(e);
          e->completeCallbacks.push_back({pfn_notify, user_data});
          return CL_SUCCESS;
        }
      }
      hold(e);
      e->connection->runCallback([e, status, pfn_notify, user_data] {
        pfn_notify(e, status, user_data);
        unhold(e);
      });
      return CL_SUCCESS;
    }
    case CL_SUBMITTED:
    case CL_RUNNING: {
      Call call(CallId::clSetEventCallback);
      protocol::opencl::clSetEventCallbackRequest request;
      request.event = call.handleId(e);
      request.command_exec_callback_type = command_exec_callback_type;
      request.pfn_notify = call.callbackId(CallbackKind::event_notify, pfn_notify, user_data);
      call.request(request);
      return call.sync().status();
    }
    default:
      return CL_INVALID_VALUE;
  }
}

// A queue whose commands since it was last finished were all settled on
// send (small writes, queue_progress.h) has nothing to wait for here: the
// finish is sent without waiting, and the server finishes the queue before it
// reads the calls after it (so a command on another queue sees the writes).
// An in-order queue is finished when its last command is: if that command has
// an event on the client (asked for by the application, a read, or any
// command while tracing), its pushed completion needs no request. Otherwise
// (no client event, an out-of-order queue, commands the client does not know)
// the server is asked, which answers when the queue is finished.
cl_int CL_API_CALL clFinish(cl_command_queue command_queue) {
  cl_command_queue q = checked(command_queue);
  if (q != nullptr && finishedAsServerSaid(q) && q->connection != nullptr && q->connection->alive()) {
    traceLocalAnswer("clFinish");  // nothing sent since the server said it was finished
    return CL_SUCCESS;
  }
  if (q != nullptr) {
    if (const auto upTo = settledUpTo(q)) {
      Call call(CallId::clFinish);
      call.request(protocol::opencl::clFinishRequest{.command_queue = call.handleId(q)});
      const cl_int status = call.post();
      if (status == CL_SUCCESS) noteFinished(q, *upTo);
      return status;
    }
  }
  const std::uint64_t upTo = q != nullptr ? commandsSent(q) : 0;
  if (q != nullptr) {
    if (cl_event last = holdLastCommand(q); last != nullptr) {
      const auto start = Tracer::Clock::now();
      bool pending;
      {
        std::lock_guard lock(last->mutex);
        pending = !isFinal(last->status);
      }
      flush(q);
      const cl_int lastStatus = waitForEvent(last);
      unhold(last);
      waitForPendingReads(q);
      // Waiting for a command in flight costs what a round trip does (the
      // command's way there, its completion's way back): the trace says so.
      if (Tracer* tracer = Driver::instance().tracer())
        tracer->record("clFinish", start, Tracer::Clock::now(), 0, 0, /*roundTrip=*/pending, CL_SUCCESS);
      noteFinished(q, upTo, /*byServer=*/lastStatus == CL_COMPLETE);
      return CL_SUCCESS;
    }
  }
  Call call(CallId::clFinish);
  call.request(protocol::opencl::clFinishRequest{.command_queue = call.handleId(command_queue)});
  const cl_int status = call.sync().status();
  if (status == CL_SUCCESS) waitForPendingReads(command_queue);
  if (status == CL_SUCCESS && q != nullptr) noteFinished(q, upTo, /*byServer=*/true);
  return status;
}

}  // namespace rcl::icd::custom
