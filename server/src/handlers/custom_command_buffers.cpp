// Hand-written server handlers of cl_khr_command_buffer: its creation (the
// buffer's platform is noted, where its other functions are found: the ICD
// loader exports none of them) and its enqueue (one message). The recording
// calls, finalize, retain, release and info are generated. Shapes in
// codegen/opencl_calls.toml.
#include <CL/cl_ext.h>

#include "rcl/protocol/opencl_wire.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/custom_handlers.h"
#include "rcl/server/handlers/extension_functions.h"

namespace rcl::server::custom {

// [clCreateCommandBufferKHR]: protocol::opencl::clCreateCommandBufferKHRRequest.
void clCreateCommandBufferKHR(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clCreateCommandBufferKHRRequest>();
  const cl_uint num_queues = request.num_queues;
  auto queues = ctx.handlesOf<cl_command_queue>(request.queues);
  auto properties = ctx.propertiesOf<cl_command_buffer_properties_khr>(request.properties);
  ctx.expectLength(queues, num_queues);
  // The platform is the first queue's. Without a queue there is none to ask,
  // and the specification's answer is CL_INVALID_VALUE.
  if (queues.size() == 0) return ctx.reply(CL_INVALID_VALUE);
  const cl_platform_id platform = platformOf(queues.data()[0]);
  using Function = cl_command_buffer_khr(CL_API_CALL*)(cl_uint, const cl_command_queue*,
                                                       const cl_command_buffer_properties_khr*, cl_int*);
  const auto real = reinterpret_cast<Function>(extensionFunction(platform, "clCreateCommandBufferKHR"));
  cl_int errcode_ret = CL_SUCCESS;
  cl_command_buffer_khr created = nullptr;
  if (real == nullptr) errcode_ret = CL_INVALID_OPERATION;
  else created = ctx.outside([&] { return real(num_queues, queues.data(), properties.data(), &errcode_ret); });
  if (errcode_ret == CL_SUCCESS && created != nullptr) noteCommandBuffer(created, platform, queues.data()[0]);
  ctx.adopt(request.created_id, created, errcode_ret);
  ctx.reply(errcode_ret);
}

// [clEnqueueCommandBufferKHR]: protocol::opencl::clEnqueueCommandBufferKHRRequest,
// whose runs_on (the queue the buffer runs on: the first of `queues`, or the
// buffer's own) is bookkeeping (its progress, for clFinish), checked to be
// the one the command really goes to.
void clEnqueueCommandBufferKHR(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clEnqueueCommandBufferKHRRequest>();
  auto runs_on = ctx.handleOf<cl_command_queue>(request.runs_on);
  const cl_uint num_queues = request.num_queues;
  auto queues = ctx.handlesOf<cl_command_queue>(request.queues);
  auto command_buffer = ctx.handleOf<cl_command_buffer_khr>(request.command_buffer);
  const cl_uint num_events_in_wait_list = request.num_events_in_wait_list;
  auto event_wait_list = ctx.handlesOf<cl_event>(request.event_wait_list);
  auto event = ctx.eventOf(request.event);
  ctx.expectLength(queues, num_queues);
  ctx.expectLength(event_wait_list, num_events_in_wait_list);
  const cl_command_queue target = queues.size() > 0 ? queues.data()[0] : firstQueueOf(command_buffer);
  if (runs_on != target) throw CallError(CL_INVALID_VALUE, "the queue sent first is not the one the command buffer runs on");
  using Function = cl_int(CL_API_CALL*)(cl_uint, cl_command_queue*, cl_command_buffer_khr, cl_uint, const cl_event*,
                                        cl_event*);
  const auto real = reinterpret_cast<Function>(extensionFunction(command_buffer, "clEnqueueCommandBufferKHR"));
  const cl_int status =
      real == nullptr ? CL_INVALID_OPERATION : ctx.outside([&] {
        return real(num_queues, const_cast<cl_command_queue*>(queues.data()), command_buffer, num_events_in_wait_list,
                    event_wait_list.data(), event.ptr());
      });
  ctx.adoptEvent(event, status);
  ctx.reply(status);
}

}  // namespace rcl::server::custom
