// Hand-written server handlers that create objects or change their state:
// memory objects with host pointers, kernel arguments, event callbacks.
// Each one's shape is described in codegen/opencl_calls.toml.
#include "rcl/server/call_context.h"
#include "rcl/server/custom_handlers.h"

namespace rcl::server::custom {
namespace {

// The server's memory is always a copy: USE_HOST_PTR becomes COPY_HOST_PTR
// (the client keeps the application's pointer and its contents in step).
cl_mem_flags serverFlags(cl_mem_flags flags, const BytesArg& host) {
  const bool use = (flags & CL_MEM_USE_HOST_PTR) != 0;
  if (use && (flags & (CL_MEM_COPY_HOST_PTR | CL_MEM_ALLOC_HOST_PTR)) != 0)
    throw CallError(CL_INVALID_VALUE, "CL_MEM_USE_HOST_PTR with COPY or ALLOC");
  if (use && host.data() != nullptr) return (flags & ~static_cast<cl_mem_flags>(CL_MEM_USE_HOST_PTR)) | CL_MEM_COPY_HOST_PTR;
  return flags;
}

void* hostBytes(const BytesArg& host) { return const_cast<void*>(host.data()); }

}  // namespace

// [clCreateBuffer]: created id, context, flags, size, host bytes (bulk or nil).
void clCreateBuffer(CallContext& ctx) {
  const auto created_id = ctx.newId();
  auto context = ctx.handle<cl_context>();
  auto flags = ctx.scalar<cl_mem_flags>();
  auto size = ctx.scalar<size_t>();
  auto host = ctx.bulk();
  cl_int errcode = CL_SUCCESS;
  cl_mem created = ::clCreateBuffer(context, serverFlags(flags, host), size, hostBytes(host), &errcode);
  ctx.adopt(created_id, created, errcode);
  ctx.reply(errcode);
}

// [clCreateBufferWithProperties]: as clCreateBuffer, properties after the context.
void clCreateBufferWithProperties(CallContext& ctx) {
  const auto created_id = ctx.newId();
  auto context = ctx.handle<cl_context>();
  auto properties = ctx.properties<cl_mem_properties>();
  auto flags = ctx.scalar<cl_mem_flags>();
  auto size = ctx.scalar<size_t>();
  auto host = ctx.bulk();
  cl_int errcode = CL_SUCCESS;
  cl_mem created = ::clCreateBufferWithProperties(context, properties.data(), serverFlags(flags, host), size,
                                                  hostBytes(host), &errcode);
  ctx.adopt(created_id, created, errcode);
  ctx.reply(errcode);
}

namespace {
// The image description as sent: mem_object (a buffer for 1D buffer images
// or an image for images from images) travels as an id after it.
cl_image_desc imageDesc(CallContext& ctx, const BytesArg& raw) {
  cl_image_desc desc = *raw.as<cl_image_desc>();
  desc.mem_object = ctx.handle<cl_mem>();
  return desc;
}
}  // namespace

// [clCreateImage]: created id, context, flags, format, desc, desc.mem_object id, host bytes.
void clCreateImage(CallContext& ctx) {
  const auto created_id = ctx.newId();
  auto context = ctx.handle<cl_context>();
  auto flags = ctx.scalar<cl_mem_flags>();
  auto format = ctx.value();
  auto rawDesc = ctx.value();
  const cl_image_desc desc = imageDesc(ctx, rawDesc);
  auto host = ctx.bulk();
  cl_int errcode = CL_SUCCESS;
  cl_mem created = ::clCreateImage(context, serverFlags(flags, host), format.as<cl_image_format>(),
                                   rawDesc.data() != nullptr ? &desc : nullptr, hostBytes(host), &errcode);
  ctx.adopt(created_id, created, errcode);
  ctx.reply(errcode);
}

// [clCreateImageWithProperties]: as clCreateImage, properties after the context.
void clCreateImageWithProperties(CallContext& ctx) {
  const auto created_id = ctx.newId();
  auto context = ctx.handle<cl_context>();
  auto properties = ctx.properties<cl_mem_properties>();
  auto flags = ctx.scalar<cl_mem_flags>();
  auto format = ctx.value();
  auto rawDesc = ctx.value();
  const cl_image_desc desc = imageDesc(ctx, rawDesc);
  auto host = ctx.bulk();
  cl_int errcode = CL_SUCCESS;
  cl_mem created = ::clCreateImageWithProperties(context, properties.data(), serverFlags(flags, host),
                                                 format.as<cl_image_format>(),
                                                 rawDesc.data() != nullptr ? &desc : nullptr, hostBytes(host),
                                                 &errcode);
  ctx.adopt(created_id, created, errcode);
  ctx.reply(errcode);
}

// [clSetKernelArg]: kernel, index, size, then the value: nil (local memory or
// a NULL value), bin (plain bytes), or an object id (cl_mem, cl_sampler, cl_command_queue).
void clSetKernelArg(CallContext& ctx) {
  auto kernel = ctx.handle<cl_kernel>();
  auto index = ctx.scalar<cl_uint>();
  auto size = ctx.scalar<size_t>();
  auto& args = ctx.args();
  cl_int status;
  if (args.isNil()) {
    status = ::clSetKernelArg(kernel, index, size, nullptr);
  } else if (args.peekIsBin()) {
    auto value = ctx.value();
    status = ::clSetKernelArg(kernel, index, size, value.data());
  } else {
    void* object = ctx.session().table().any(args.u64(), CL_INVALID_ARG_VALUE);
    status = ::clSetKernelArg(kernel, index, size, &object);
  }
  ctx.reply(status);
}

// [clSetEventCallback]: event, callback type, callback id. Only statuses
// other than CL_COMPLETE come here; the client runs CL_COMPLETE callbacks.
void clSetEventCallback(CallContext& ctx) {
  auto event = ctx.handle<cl_event>();
  auto type = ctx.scalar<cl_int>();
  auto notify = ctx.callback<CallbackKind::event_notify>();
  ctx.reply(::clSetEventCallback(event, type, notify.function(), notify.userData()));
}

}  // namespace rcl::server::custom
