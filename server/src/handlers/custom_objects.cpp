// Hand-written server handlers that create objects or change their state:
// memory objects with host pointers, kernel arguments, event callbacks.
// Each one's shape is described in codegen/opencl_calls.toml.
#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "rcl/protocol/image_format.h"
#include "rcl/protocol/opencl_wire.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/support/checked_sizes.h"
#include "rcl/server/custom_handlers.h"
#include "rcl/server/calls/object_info.h"
#include "rcl/server/data/shared_buffers.h"
#include "rcl/server/ops/registry.h"

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
  const auto devices = devicesOf(context);
  if (!devices || devices->empty()) return false;
  for (cl_device_id d : *devices) {
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

// The host memory as decoded (rcl::protocol::opencl::BufferHost).
using SentHost = protocol::opencl::BufferHost;

BufferHost bufferHost(CallContext& ctx, cl_context context, cl_mem_flags flags, std::size_t size,
                      const SentHost& sent) {
  if (const auto* offer = std::get_if<protocol::opencl::SharedBufferOffer>(&sent)) {
    const auto& shared = ctx.session().sharedBuffers();
    const int fd = offer->fd;
    const std::size_t bytes = offer->bytes;
    if (!shared) throw CallError(CL_INVALID_OPERATION, "this session takes no shared buffers");
    if (bytes != size || (flags & CL_MEM_USE_HOST_PTR) != 0)
      throw CallError(CL_INVALID_VALUE, "a shared buffer is the buffer's size, without CL_MEM_USE_HOST_PTR");
    BufferHost host;
    host.shared = {shared->map(fd, bytes), [shared, bytes](void* base) { shared->unmap(base, bytes); }};
    host.sharedBytes = bytes;
    host.buildsOnShared = hostMemoryIsDeviceMemory(context);
    return host;
  }
  const auto* svm = std::get_if<protocol::opencl::SvmHostAddress>(&sent);
  if (svm == nullptr) {
    const auto* sentBytes = std::get_if<std::string_view>(&sent);
    const BytesArg bytes = sentBytes != nullptr ? BytesArg(*sentBytes) : BytesArg();
    // The real call copies `size` bytes from them: they must all be there.
    if (bytes.data() != nullptr && bytes.size() < size)
      throw CallError(CL_INVALID_HOST_PTR, "the host memory sent is shorter than the buffer");
    BufferHost host;
    host.bytes = bytes;
    return host;
  }
  const std::uint64_t address = svm->address;
  if ((flags & CL_MEM_USE_HOST_PTR) == 0) throw CallError(CL_INVALID_HOST_PTR, "SVM memory without CL_MEM_USE_HOST_PTR");
  ctx.session().svm().holding(address, size, CL_INVALID_HOST_PTR);
  BufferHost host;
  host.svm = reinterpret_cast<void*>(static_cast<std::uintptr_t>(address));
  return host;
}

// A posted creation's host memory: the client did not wait, so it counts on
// a shared buffer built on its memfd. A memfd that cannot be mapped or built
// on fails the creation with CL_MEM_OBJECT_ALLOCATION_FAILURE, kept for the
// buffer's first use (HandleTable::addFailed); nullopt then.
std::optional<BufferHost> postedBufferHost(CallContext& ctx, std::uint64_t id, cl_context context,
                                           cl_mem_flags flags, std::size_t size, const SentHost& sent) {
  const bool offered = std::holds_alternative<protocol::opencl::SharedBufferOffer>(sent);
  std::string why;
  try {
    auto host = bufferHost(ctx, context, flags, size, sent);
    if (host.shared == nullptr || host.buildsOnShared) return host;
    why = "the context's devices do not use the host's memory";
  } catch (const CallError& e) {
    if (!offered) throw;
    why = e.what();
  }
  spdlog::warn("a posted shared buffer's creation failed: {}", why);
  cl_int status = CL_MEM_OBJECT_ALLOCATION_FAILURE;
  ctx.adopt(id, static_cast<cl_mem>(nullptr), status);
  ctx.reply(status);
  return std::nullopt;
}

// Both buffer creations, on their decoded request: `create(flags, host
// pointer, errcode)` is the real call. After it, a shared buffer's mapping
// stays with the buffer built on it, or goes; the reply (`Reply`) then ends
// with whether the buffer is shared.
template <class Reply, class Request, class Create>
void createBuffer(CallContext& ctx, const Request& request, cl_context context, const Create& create) {
  const cl_mem_flags flags = request.flags;
  const size_t size = request.size;
  auto posted =
      ctx.posted() ? postedBufferHost(ctx, request.created_id, context, flags, size, request.host_ptr) : std::nullopt;
  if (ctx.posted() && !posted) return;
  auto host = posted ? std::move(*posted) : bufferHost(ctx, context, flags, size, request.host_ptr);
  cl_int errcode = CL_SUCCESS;
  cl_mem created = create(host.flags(flags), host.pointer(flags), &errcode);
  ctx.adopt(request.created_id, created, errcode);
  ctx.reply(errcode);
  if (host.shared == nullptr) return;
  const bool kept = host.buildsOnShared && errcode == CL_SUCCESS && created != nullptr;
  if (kept) ctx.session().sharedBuffers()->keepFor(created, host.shared.release(), host.sharedBytes);
  else host.shared.reset();
  Reply{.shared_taken = kept}.encodeRest(ctx.replyWriter());
}

}  // namespace

// [clCreateBuffer]: created id, context, flags, size, host memory (nil, bulk,
// SVM address or a shared buffer's [fd, bytes]).
void clCreateBuffer(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clCreateBufferRequest>();
  auto context = ctx.handleOf<cl_context>(request.context);
  createBuffer<protocol::opencl::clCreateBufferReply>(
      ctx, request, context, [&](cl_mem_flags flags, void* host, cl_int* errcode) {
        return ::clCreateBuffer(context, flags, request.size, host, errcode);
      });
}

// [clCreateBufferWithProperties]: as clCreateBuffer, properties after the context.
void clCreateBufferWithProperties(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clCreateBufferWithPropertiesRequest>();
  auto context = ctx.handleOf<cl_context>(request.context);
  auto properties = ctx.propertiesOf<cl_mem_properties>(request.properties);
  createBuffer<protocol::opencl::clCreateBufferWithPropertiesReply>(
      ctx, request, context, [&](cl_mem_flags flags, void* host, cl_int* errcode) {
        return ::clCreateBufferWithProperties(context, properties.data(), flags, request.size, host, errcode);
      });
}

namespace {

// Bytes the implementation reads from an image's host memory: its rows or
// slices at their pitches (0: packed). A pitch under its packed size is the
// descriptor's error, as natively with a host pointer; every product is
// checked (a wrapped one would let a few bytes pass for a big image).
std::size_t imageHostBytes(const cl_image_format& format, const cl_image_desc& desc) {
  const std::size_t element = protocol::imageElementBytes(format);
  if (element == 0) throw CallError(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR, "host memory for an image of unknown format");
  const std::size_t packedRow = checkedProduct({desc.image_width, element}, CL_INVALID_IMAGE_SIZE);
  if (desc.image_row_pitch != 0 && desc.image_row_pitch < packedRow)
    throw CallError(CL_INVALID_IMAGE_DESCRIPTOR, "a row pitch under the row's size");
  const std::size_t row = desc.image_row_pitch != 0 ? desc.image_row_pitch : packedRow;
  // Slices of `rows` rows, `count` of them.
  const auto slices = [&](std::size_t rows, std::size_t count) {
    const std::size_t packedSlice = checkedProduct({row, rows}, CL_INVALID_IMAGE_SIZE);
    if (desc.image_slice_pitch != 0 && desc.image_slice_pitch < packedSlice)
      throw CallError(CL_INVALID_IMAGE_DESCRIPTOR, "a slice pitch under the slice's size");
    const std::size_t slice = desc.image_slice_pitch != 0 ? desc.image_slice_pitch : packedSlice;
    return checkedProduct({slice, count}, CL_INVALID_IMAGE_SIZE);
  };
  switch (desc.image_type) {
    case CL_MEM_OBJECT_IMAGE1D:
    case CL_MEM_OBJECT_IMAGE1D_BUFFER:
      return row;
    case CL_MEM_OBJECT_IMAGE2D:
      return checkedProduct({row, desc.image_height}, CL_INVALID_IMAGE_SIZE);
    case CL_MEM_OBJECT_IMAGE3D:
      return slices(desc.image_height, desc.image_depth);
    case CL_MEM_OBJECT_IMAGE1D_ARRAY:
      return slices(1, desc.image_array_size);
    case CL_MEM_OBJECT_IMAGE2D_ARRAY:
      return slices(desc.image_height, desc.image_array_size);
    default:
      throw CallError(CL_INVALID_IMAGE_DESCRIPTOR, "host memory for an image of unknown type");
  }
}

// An image creation's format, description and host memory as sent: format
// and desc each exactly their struct (or nil), desc.mem_object (a buffer for
// 1D buffer images, an image for images from images) as an id after them,
// then the host bytes, which must hold what the implementation reads.
struct ImageArgs {
  BytesArg format;
  std::optional<cl_image_desc> desc;
  BytesArg host;

  const cl_image_format* formatPointer() const { return format.as<cl_image_format>(); }
  const cl_image_desc* descPointer() const { return desc ? &*desc : nullptr; }
};

// Whether every device of `context` lists `extension`; nullopt if the
// context cannot say (not one: the call gives its own error).
std::optional<bool> contextHasExtension(cl_context context, const std::string& extension) {
  const auto devices = devicesOf(context);
  if (!devices) return std::nullopt;
  return std::all_of(devices->begin(), devices->end(),
                     [&](cl_device_id d) { return ops::deviceHasExtension(d, extension); });
}

// What of a description the server judges itself: samples are not OpenCL's
// (num_samples must be 0), mip levels are cl_khr_mipmap_image's only (PoCL
// exits on either, rather than refuse them), and the host memory of mip
// levels has a layout imageHostBytes does not know.
void expectPlainLevels(cl_context context, const cl_image_desc& desc, bool host) {
  if (desc.num_samples != 0) throw CallError(CL_INVALID_IMAGE_DESCRIPTOR, "num_samples must be 0");
  if (desc.num_mip_levels == 0) return;
  if (contextHasExtension(context, "cl_khr_mipmap_image") == false)
    throw CallError(CL_INVALID_IMAGE_DESCRIPTOR, "mip levels without cl_khr_mipmap_image");
  if (host && desc.num_mip_levels > 1) throw CallError(CL_INVALID_HOST_PTR, "host memory for mip levels");
}

// A value of another size than its struct's: the call's own error.
void expectSize(bool agrees, const BytesArg& value, std::size_t size, cl_int error) {
  if (!agrees) throw CallError(error, fmt::format("a value of {} bytes where its size says {}", value.size(), size));
}

// Both image creations' arguments, from their decoded request.
template <class Request>
ImageArgs imageArgs(CallContext& ctx, cl_context context, const Request& request) {
  ImageArgs image;
  image.format = ctx.bytesOf(request.image_format);
  expectSize(request.image_formatLengthAgrees(), image.format, sizeof(cl_image_format),
             CL_INVALID_IMAGE_FORMAT_DESCRIPTOR);
  const BytesArg rawDesc = ctx.bytesOf(request.image_desc);
  expectSize(request.image_descLengthAgrees(), rawDesc, sizeof(cl_image_desc), CL_INVALID_IMAGE_DESCRIPTOR);
  auto memObject = ctx.handleOf<cl_mem>(request.mem_object);
  if (rawDesc.data() != nullptr) {
    image.desc.emplace();
    std::memcpy(&*image.desc, rawDesc.data(), sizeof(cl_image_desc));
    image.desc->mem_object = memObject;
  }
  image.host = ctx.bytesOf(request.host_ptr);
  const bool host = image.host.data() != nullptr;
  if (image.desc) expectPlainLevels(context, *image.desc, host);
  // Without a format or a description the implementation refuses the call before it reads any.
  if (host && image.format.data() != nullptr && image.desc &&
      image.host.size() < imageHostBytes(*image.formatPointer(), *image.desc))
    throw CallError(CL_INVALID_HOST_PTR, "the host memory sent is shorter than the image");
  return image;
}

// Both image creations, on their decoded request: `create(flags, image,
// errcode)` is the real call.
template <class Request, class Create>
void createImage(CallContext& ctx, const Request& request, cl_context context, const Create& create) {
  const ImageArgs image = imageArgs(ctx, context, request);
  cl_int errcode = CL_SUCCESS;
  cl_mem created = create(serverFlags(request.flags, image.host), image, &errcode);
  ctx.adopt(request.created_id, created, errcode);
  ctx.reply(errcode);
}

}  // namespace

// [clCreateImage]: created id, context, flags, format, desc, desc.mem_object id, host bytes.
void clCreateImage(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clCreateImageRequest>();
  auto context = ctx.handleOf<cl_context>(request.context);
  createImage(ctx, request, context, [&](cl_mem_flags flags, const ImageArgs& image, cl_int* errcode) {
    return ::clCreateImage(context, flags, image.formatPointer(), image.descPointer(), hostBytes(image.host),
                           errcode);
  });
}

// [clCreateImageWithProperties]: as clCreateImage, properties after the context.
void clCreateImageWithProperties(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clCreateImageWithPropertiesRequest>();
  auto context = ctx.handleOf<cl_context>(request.context);
  auto properties = ctx.propertiesOf<cl_mem_properties>(request.properties);
  createImage(ctx, request, context, [&](cl_mem_flags flags, const ImageArgs& image, cl_int* errcode) {
    return ::clCreateImageWithProperties(context, properties.data(), flags, image.formatPointer(),
                                         image.descPointer(), hostBytes(image.host), errcode);
  });
}

// [clSetKernelArg]: kernel, index, size, then the value: nil (local memory or
// a NULL value: nothing is read), bin (plain bytes, exactly `size` of them: the
// implementation reads that many), or an object id (cl_mem, cl_sampler,
// cl_command_queue), passed as the handle it stands for, whose size is a
// handle's. A size that lies is CL_INVALID_ARG_SIZE, as natively.
void clSetKernelArg(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clSetKernelArgRequest>();
  auto kernel = ctx.handleOf<cl_kernel>(request.kernel);
  const cl_uint index = request.arg_index;
  const size_t size = request.arg_size;
  // Set without the client waiting: a refusal fails the kernel's next
  // launch (HandleTable::argFailed); a later success clears it.
  const auto judged = [&](cl_int status) {
    ctx.reply(status);
    if (ctx.posted() || status == CL_SUCCESS)
      ctx.session().table().argFailed(ctx.session().table().idOf(kernel), index, status != CL_SUCCESS);
  };
  try {
    if (const auto* bytes = std::get_if<std::string_view>(&request.arg_value)) {
      if (!request.arg_valueLengthAgrees())
        throw CallError(CL_INVALID_ARG_SIZE,
                        fmt::format("a value of {} bytes where its size says {}", bytes->size(), size));
      judged(::clSetKernelArg(kernel, index, size, bytes->data()));
    } else if (const auto* id = std::get_if<std::uint64_t>(&request.arg_value)) {
      void* object = ctx.session().table().any(*id, CL_INVALID_ARG_VALUE);
      if (size != sizeof object)
        throw CallError(CL_INVALID_ARG_SIZE, "an object argument of another size than a handle's");
      judged(::clSetKernelArg(kernel, index, sizeof object, &object));
    } else {
      judged(::clSetKernelArg(kernel, index, size, nullptr));
    }
  } catch (const CallError& e) {
    if (ctx.posted()) ctx.session().table().argFailed(ctx.session().table().idOf(kernel), index, true);
    throw;
  }
}

// [clSetEventCallback]: event, callback type, callback id. Only statuses
// other than CL_COMPLETE come here; the client runs CL_COMPLETE callbacks.
void clSetEventCallback(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clSetEventCallbackRequest>();
  auto event = ctx.handleOf<cl_event>(request.event);
  auto notify = ctx.callbackOf<CallbackKind::event_notify>(request.pfn_notify);
  ctx.reply(::clSetEventCallback(event, request.command_exec_callback_type, notify.function(), notify.userData()));
}

// [clSetUserEventStatus]: event, status. A negative status fails the
// commands that wait for the event, and PoCL 3.1 calls none of their
// callbacks: the watched events are looked at now (CompletionActions), so
// their failures are pushed like completions.
void clSetUserEventStatus(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clSetUserEventStatusRequest>();
  auto event = ctx.handleOf<cl_event>(request.event);
  const cl_int executionStatus = request.execution_status;
  const cl_int status = ctx.outside([&] { return ::clSetUserEventStatus(event, executionStatus); });
  if (status == CL_SUCCESS && executionStatus < 0) CompletionActions::checkSoon();
  ctx.reply(status);
}

}  // namespace rcl::server::custom
