// Hand-written server handlers of cl_khr_command_buffer: its creation (the
// buffer's platform is noted, where its other functions are found: the ICD
// loader exports none of them) and its enqueue (one message). The recording
// calls, finalize, retain, release and info are generated. Shapes in
// codegen/opencl_calls.toml.
#include <CL/cl_ext.h>

#include "rcl/server/calls/call_context.h"
#include "rcl/server/custom_handlers.h"
#include "rcl/server/handlers/extension_functions.h"

namespace rcl::server::custom {

// [clCreateCommandBufferKHR]: new id, num_queues, queues, properties.
void clCreateCommandBufferKHR(CallContext& ctx) {
  const auto created_id = ctx.newId();
  auto num_queues = ctx.scalar<cl_uint>();
  auto queues = ctx.handles<cl_command_queue>();
  auto properties = ctx.properties<cl_command_buffer_properties_khr>();
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
  ctx.adopt(created_id, created, errcode_ret);
  ctx.reply(errcode_ret);
}

// [clEnqueueCommandBufferKHR]: the queue the buffer runs on (the first of
// `queues`, or the buffer's own), then the call's parameters in order:
// num_queues, queues, command buffer, num_events_in_wait_list, wait list, event.
// The queue sent first is bookkeeping (its progress, for clFinish), checked
// to be the one the command really goes to.
void clEnqueueCommandBufferKHR(CallContext& ctx) {
  auto runs_on = ctx.handle<cl_command_queue>();
  auto num_queues = ctx.scalar<cl_uint>();
  auto queues = ctx.handles<cl_command_queue>();
  auto command_buffer = ctx.handle<cl_command_buffer_khr>();
  auto num_events_in_wait_list = ctx.scalar<cl_uint>();
  auto event_wait_list = ctx.handles<cl_event>();
  auto event = ctx.event();
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
