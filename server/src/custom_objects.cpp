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

// A buffer's host memory as sent: nil, the bytes (a bulk frame), or, for
// CL_MEM_USE_HOST_PTR on SVM, the server's address of the SVM memory the
// buffer uses (a bin of 8 bytes), checked to lie in the session's allocations.
struct BufferHost {
  BytesArg bytes;
  void* svm = nullptr;
  cl_mem_flags flags(cl_mem_flags asked) const { return svm != nullptr ? asked : serverFlags(asked, bytes); }
  void* pointer() const { return svm != nullptr ? svm : hostBytes(bytes); }
};

BufferHost bufferHost(CallContext& ctx, cl_mem_flags flags, std::size_t size) {
  if (!ctx.args().peekIsBin()) {
    BytesArg bytes = ctx.bulk();
    // The real call copies `size` bytes from them: they must all be there.
    if (bytes.data() != nullptr && bytes.size() < size)
      throw CallError(CL_INVALID_HOST_PTR, "the host memory sent is shorter than the buffer");
    return {bytes, nullptr};
  }
  const auto value = ctx.value();
  std::uint64_t address = 0;
  if (value.size() != sizeof address) throw protocol::DecodeError("an SVM host pointer is 8 bytes");
  std::memcpy(&address, value.data(), sizeof address);
  if ((flags & CL_MEM_USE_HOST_PTR) == 0) throw CallError(CL_INVALID_HOST_PTR, "SVM memory without CL_MEM_USE_HOST_PTR");
  ctx.session().svm().holding(address, size, CL_INVALID_HOST_PTR);
  return {BytesArg(), reinterpret_cast<void*>(static_cast<std::uintptr_t>(address))};
}

}  // namespace

// [clCreateBuffer]: created id, context, flags, size, host memory (nil, bulk, or SVM address).
void clCreateBuffer(CallContext& ctx) {
  const auto created_id = ctx.newId();
  auto context = ctx.handle<cl_context>();
  auto flags = ctx.scalar<cl_mem_flags>();
  auto size = ctx.scalar<size_t>();
  const auto host = bufferHost(ctx, flags, size);
  cl_int errcode = CL_SUCCESS;
  cl_mem created = ::clCreateBuffer(context, host.flags(flags), size, host.pointer(), &errcode);
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
  const auto host = bufferHost(ctx, flags, size);
  cl_int errcode = CL_SUCCESS;
  cl_mem created = ::clCreateBufferWithProperties(context, properties.data(), host.flags(flags), size,
                                                  host.pointer(), &errcode);
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
