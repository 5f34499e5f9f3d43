// Hand-written server handlers that create objects or change their state:
// memory objects with host pointers, kernel arguments, event callbacks.
// Each one's shape is described in codegen/opencl_calls.toml.
#include <functional>
#include <memory>
#include <vector>

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

// Whether a buffer on host memory is the devices' own memory in `context`
// (CL_DEVICE_HOST_UNIFIED_MEMORY on all of them): only then is a shared
// buffer as fast for kernels as one the implementation allocates.
bool hostMemoryIsDeviceMemory(cl_context context) {
  std::size_t bytes = 0;
  if (::clGetContextInfo(context, CL_CONTEXT_DEVICES, 0, nullptr, &bytes) != CL_SUCCESS || bytes == 0) return false;
  std::vector<cl_device_id> devices(bytes / sizeof(cl_device_id));
  if (::clGetContextInfo(context, CL_CONTEXT_DEVICES, bytes, devices.data(), nullptr) != CL_SUCCESS) return false;
  for (cl_device_id d : devices) {
    cl_bool unified = CL_FALSE;
    if (::clGetDeviceInfo(d, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, nullptr) != CL_SUCCESS ||
        unified != CL_TRUE)
      return false;
  }
  return true;
}

// A buffer's host memory as sent: nil, the bytes (a bulk frame), for
// CL_MEM_USE_HOST_PTR on SVM the server's address of the SVM memory the
// buffer uses (a bin of 8 bytes), checked to lie in the session's
// allocations, or a shared buffer's memfd ([fd, bytes], protocol/shm.h).
struct BufferHost {
  BytesArg bytes;
  void* svm = nullptr;
  // A shared buffer: the memfd mapped here (unmapped with this, unless the
  // buffer keeps it), and whether the buffer is built on it (otherwise only
  // its COPY_HOST_PTR bytes are read).
  std::unique_ptr<void, std::function<void(void*)>> shared;
  std::size_t sharedBytes = 0;
  bool buildsOnShared = false;

  cl_mem_flags flags(cl_mem_flags asked) const {
    constexpr cl_mem_flags kHostFlags = CL_MEM_COPY_HOST_PTR | CL_MEM_ALLOC_HOST_PTR;
    if (buildsOnShared) return (asked & ~kHostFlags) | CL_MEM_USE_HOST_PTR;
    if (shared != nullptr || svm != nullptr) return asked;
    return serverFlags(asked, bytes);
  }
  void* pointer(cl_mem_flags asked) const {
    if (shared != nullptr) return buildsOnShared || (asked & CL_MEM_COPY_HOST_PTR) != 0 ? shared.get() : nullptr;
    return svm != nullptr ? svm : hostBytes(bytes);
  }
};

BufferHost bufferHost(CallContext& ctx, cl_context context, cl_mem_flags flags, std::size_t size) {
  if (ctx.args().peekIsArray()) {
    const auto& shared = ctx.session().sharedBuffers();
    if (ctx.args().array() != 2) throw protocol::DecodeError("a shared buffer is [fd, bytes]");
    const auto fd = ctx.scalar<int>();
    const auto bytes = ctx.scalar<std::size_t>();
    if (!shared) throw CallError(CL_INVALID_OPERATION, "this session takes no shared buffers");
    if (bytes != size || (flags & CL_MEM_USE_HOST_PTR) != 0)
      throw CallError(CL_INVALID_VALUE, "a shared buffer is the buffer's size, without CL_MEM_USE_HOST_PTR");
    BufferHost host;
    host.shared = {shared->map(fd, bytes), [shared, bytes](void* base) { shared->unmap(base, bytes); }};
    host.sharedBytes = bytes;
    host.buildsOnShared = hostMemoryIsDeviceMemory(context);
    return host;
  }
  if (!ctx.args().peekIsBin()) {
    BytesArg bytes = ctx.bulk();
    // The real call copies `size` bytes from them: they must all be there.
    if (bytes.data() != nullptr && bytes.size() < size)
      throw CallError(CL_INVALID_HOST_PTR, "the host memory sent is shorter than the buffer");
    BufferHost host;
    host.bytes = bytes;
    return host;
  }
  const auto value = ctx.value();
  std::uint64_t address = 0;
  if (value.size() != sizeof address) throw protocol::DecodeError("an SVM host pointer is 8 bytes");
  std::memcpy(&address, value.data(), sizeof address);
  if ((flags & CL_MEM_USE_HOST_PTR) == 0) throw CallError(CL_INVALID_HOST_PTR, "SVM memory without CL_MEM_USE_HOST_PTR");
  ctx.session().svm().holding(address, size, CL_INVALID_HOST_PTR);
  BufferHost host;
  host.svm = reinterpret_cast<void*>(static_cast<std::uintptr_t>(address));
  return host;
}

// After the creation: a shared buffer's mapping stays with the buffer built
// on it, or goes; the reply ends with whether the buffer is shared.
void finishBuffer(CallContext& ctx, BufferHost& host, cl_mem created) {
  if (host.shared == nullptr) return;
  const bool kept = host.buildsOnShared && created != nullptr;
  if (kept) ctx.session().sharedBuffers()->keepFor(created, host.shared.release(), host.sharedBytes);
  else host.shared.reset();
  ctx.replyWriter().boolean(kept);
}

}  // namespace

// [clCreateBuffer]: created id, context, flags, size, host memory (nil, bulk, or SVM address).
void clCreateBuffer(CallContext& ctx) {
  const auto created_id = ctx.newId();
  auto context = ctx.handle<cl_context>();
  auto flags = ctx.scalar<cl_mem_flags>();
  auto size = ctx.scalar<size_t>();
  auto host = bufferHost(ctx, context, flags, size);
  cl_int errcode = CL_SUCCESS;
  cl_mem created = ::clCreateBuffer(context, host.flags(flags), size, host.pointer(flags), &errcode);
  ctx.adopt(created_id, created, errcode);
  ctx.reply(errcode);
  finishBuffer(ctx, host, errcode == CL_SUCCESS ? created : nullptr);
}

// [clCreateBufferWithProperties]: as clCreateBuffer, properties after the context.
void clCreateBufferWithProperties(CallContext& ctx) {
  const auto created_id = ctx.newId();
  auto context = ctx.handle<cl_context>();
  auto properties = ctx.properties<cl_mem_properties>();
  auto flags = ctx.scalar<cl_mem_flags>();
  auto size = ctx.scalar<size_t>();
  auto host = bufferHost(ctx, context, flags, size);
  cl_int errcode = CL_SUCCESS;
  cl_mem created = ::clCreateBufferWithProperties(context, properties.data(), host.flags(flags), size,
                                                  host.pointer(flags), &errcode);
  ctx.adopt(created_id, created, errcode);
  ctx.reply(errcode);
  finishBuffer(ctx, host, errcode == CL_SUCCESS ? created : nullptr);
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
