// cl_khr_command_buffer's hand-written entry points: creation, finalize and
// enqueue, which keep on the proxy what lets an enqueue be checked at the
// call. The recorded commands live on the server: an enqueue is one message,
// whatever the buffer holds. The recording calls, retain, release and info
// are generated (codegen/opencl_calls.toml).
#include <utility>

#include <CL/cl_ext.h>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/entry/info_copy.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {
namespace {

bool simultaneousUse(const cl_command_buffer_properties_khr* properties) {
  for (std::size_t i = 0; properties != nullptr && properties[i] != 0; i += 2) {
    if (properties[i] == CL_COMMAND_BUFFER_FLAGS_KHR && (properties[i + 1] & CL_COMMAND_BUFFER_SIMULTANEOUS_USE_KHR) != 0)
      return true;
  }
  return false;
}

bool completeHere(cl_event event) {
  std::lock_guard lock(event->mutex);
  return isFinal(event->status);
}

}  // namespace

cl_command_buffer_khr CL_API_CALL clCreateCommandBufferKHR(cl_uint num_queues, const cl_command_queue* queues,
                                                           const cl_command_buffer_properties_khr* properties,
                                                           cl_int* errcode_ret) {
  // A buffer without a queue has no server to live on; the specification's error.
  if (num_queues == 0 || queues == nullptr) {
    if (errcode_ret != nullptr) *errcode_ret = CL_INVALID_VALUE;
    return nullptr;
  }
  Call call(CallId::clCreateCommandBufferKHR);
  auto* created = call.newObject<_cl_command_buffer_khr>();
  call.request(protocol::opencl::clCreateCommandBufferKHRRequest{.created_id = created->id,
                                                                 .num_queues = num_queues,
                                                                 .queues = call.handleIds(queues, num_queues),
                                                                 .properties = call.propertyValues(properties)});
  Reply reply = call.sync();
  if (reply.status() == CL_SUCCESS) {
    created->queue = queues[0];
    hold(created->queue);  // while the buffer may run on it (the real buffer holds the real queue)
    created->context = created->queue->context;
    created->queues.assign(queues, queues + num_queues);
    created->numQueues = num_queues;
    for (std::size_t i = 0; properties != nullptr; i += 2) {
      created->properties.push_back(properties[i]);
      if (properties[i] == 0) break;
      created->properties.push_back(properties[i + 1]);
    }
    created->simultaneousUse = simultaneousUse(properties);
  }
  return reply.created(created, errcode_ret);
}

cl_int CL_API_CALL clGetCommandBufferInfoKHR(cl_command_buffer_khr command_buffer, cl_command_buffer_info_khr param_name,
                                            size_t param_value_size, void* param_value,
                                            size_t* param_value_size_ret) {
  auto* buffer = checked(command_buffer);
  if (buffer == nullptr) return CL_INVALID_COMMAND_BUFFER_KHR;
  switch (param_name) {
    // What the buffer was made with: the client's answer (the server refuses these, commandBufferInfo).
    case CL_COMMAND_BUFFER_QUEUES_KHR:
      return copyInfo(buffer->queues.data(), buffer->queues.size() * sizeof(cl_command_queue), param_value_size,
                      param_value, param_value_size_ret);
    case CL_COMMAND_BUFFER_NUM_QUEUES_KHR:
      return copyInfo(buffer->numQueues, param_value_size, param_value, param_value_size_ret);
    case CL_COMMAND_BUFFER_PROPERTIES_ARRAY_KHR:
      return copyInfo(buffer->properties.data(), buffer->properties.size() * sizeof(cl_command_buffer_properties_khr),
                      param_value_size, param_value, param_value_size_ret);
    default: {
      return askInfo<protocol::opencl::clGetCommandBufferInfoKHRRequest>(
          CallId::clGetCommandBufferInfoKHR, buffer, param_name, param_value_size, param_value, param_value_size_ret);
    }
  }
}

cl_int CL_API_CALL clFinalizeCommandBufferKHR(cl_command_buffer_khr command_buffer) {
  Call call(CallId::clFinalizeCommandBufferKHR);
  call.request(protocol::opencl::clFinalizeCommandBufferKHRRequest{call.handleId(command_buffer)});
  auto* buffer = call.unlessFailed(command_buffer);
  const cl_int status = call.sync().status();
  if (status == CL_SUCCESS) buffer->finalized = true;
  return status;
}

cl_int CL_API_CALL clEnqueueCommandBufferKHR(cl_uint num_queues, cl_command_queue* queues,
                                            cl_command_buffer_khr command_buffer, cl_uint num_events_in_wait_list,
                                            const cl_event* event_wait_list, cl_event* event) {
  auto* buffer = checked(command_buffer);
  if (buffer == nullptr) return CL_INVALID_COMMAND_BUFFER_KHR;
  if ((queues == nullptr) != (num_queues == 0)) return CL_INVALID_VALUE;
  if (queues != nullptr && num_queues != buffer->numQueues) return CL_INVALID_VALUE;
  // Whether only the real platform knows the answer: the call then waits for it.
  bool ask = false;
  cl_command_queue runsOn = buffer->queue;
  for (cl_uint i = 0; i < num_queues; ++i) {
    cl_command_queue q = checked(queues[i]);
    if (q == nullptr) return CL_INVALID_COMMAND_QUEUE;
    if (q->context != buffer->context) return CL_INVALID_CONTEXT;
    // Another queue than the one recorded for: whether it is compatible is the platform's to say.
    if (q != buffer->queue || num_queues != 1) ask = true;
  }
  if (queues != nullptr) runsOn = checked(queues[0]);
  if (!buffer->finalized) return CL_INVALID_OPERATION;  // still recording
  cl_event last = nullptr;
  if (!buffer->simultaneousUse) {
    // Without simultaneous use a buffer still pending is refused; the client
    // knows it is not while the last run's event is complete here.
    std::lock_guard lock(buffer->lastMutex);
    if (buffer->everEnqueued && (buffer->lastRun == nullptr || !completeHere(buffer->lastRun))) ask = true;
  }
  Call call(CallId::clEnqueueCommandBufferKHR);
  // A buffer that may not run twice at once keeps its last run's event: the
  // application's, or one of the client's own.
  cl_event mine = nullptr;
  const bool track = !buffer->simultaneousUse;
  protocol::opencl::clEnqueueCommandBufferKHRRequest request;
  request.runs_on = call.handleId(runsOn);  // first: the command's queue, for its event and clFinish
  request.num_queues = num_queues;
  request.queues = call.handleIds(queues, num_queues);
  request.command_buffer = call.handleId(buffer);
  request.num_events_in_wait_list = num_events_in_wait_list;
  request.event_wait_list = call.waitListIds(event_wait_list, num_events_in_wait_list);
  request.event = call.eventId(event != nullptr || !track ? event : &mine);
  call.request(request);
  const cl_int status = ask ? call.sync().status() : call.post();
  if (status != CL_SUCCESS || !track) return status;
  cl_event run = event != nullptr ? *event : mine;
  if (run != nullptr) {
    if (run == mine) {
      // Only the client holds it: the server's goes once the client is done with it.
      mine->live = false;
      mine->refs = 0;
      mine->releaseWhenDone = true;
    } else {
      hold(run);
    }
  }
  {
    std::lock_guard lock(buffer->lastMutex);
    last = std::exchange(buffer->lastRun, run);
    buffer->everEnqueued = true;
  }
  if (last != nullptr) unhold(last);
  return status;
}

}  // namespace rcl::icd::custom
