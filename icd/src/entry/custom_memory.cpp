// Hand-written entry points for memory objects: creation with host
// pointers (SVM ones among them), host-side facts in queries (reads and
// writes: custom_reads_writes.cpp).
// Shapes and reasons: codegen/opencl_calls.toml.
#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/entry/image_checks.h"
#include "rcl/icd/entry/image_format.h"
#include "rcl/icd/data/shm_pieces.h"
#include "rcl/icd/entry/info_copy.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/icd/data/svm_ranges.h"
#include "rcl/icd/data/transfers.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/protocol/device_info.h"
#include "rcl/protocol/opencl_wire.h"
#include "rcl/protocol/shm.h"

namespace rcl::icd::custom {
namespace {

constexpr cl_mem_flags kHostDataFlags = CL_MEM_COPY_HOST_PTR | CL_MEM_USE_HOST_PTR;

// The bytes a creation carries: only for COPY/USE_HOST_PTR, and only when
// the arguments make sense (otherwise the server reports the error).
bool sendsHostData(cl_mem_flags flags, const void* host_ptr) {
  return host_ptr != nullptr && (flags & kHostDataFlags) != 0;
}

// A host pointer is only for COPY/USE_HOST_PTR (the server never sees it).
void checkHostPtr(Call& call, cl_mem_flags flags, const void* host_ptr) {
  if (host_ptr != nullptr && (flags & kHostDataFlags) == 0) call.fail(CL_INVALID_HOST_PTR);
}

// Whether every device of `context` uses the host's memory as its own (its
// real CL_DEVICE_HOST_UNIFIED_MEMORY, which came with the device's
// information: protocol/device_info.h): the worker builds a shared buffer on
// the memfd only then, so the client knows the outcome without asking.
bool devicesShareHostMemory(cl_context context) {
  const auto devices = contextDevices(context);
  if (devices.empty()) return false;
  for (cl_device_id device : devices) {
    cl_uint units = 0;  // (asks for the device's information once, if it is not kept yet)
    std::vector<unsigned char> unified;
    cl_int status = CL_SUCCESS;
    if (!deviceValue(device, CL_DEVICE_MAX_COMPUTE_UNITS, units) ||
        !Driver::instance().infoCache().find(device, protocol::kDeviceSharesHostMemory, unified, status) ||
        status != CL_SUCCESS || unified.size() != sizeof(cl_bool))
      return false;
    cl_bool value = CL_FALSE;
    std::memcpy(&value, unified.data(), sizeof value);
    if (value != CL_TRUE) return false;
  }
  return true;
}

// On the same host, a big buffer that does not use the application's memory
// is offered as a shared buffer (protocol/shm.h) when the context's devices
// share the host's memory: its COPY_HOST_PTR bytes are copied into it here.
// nullptr: the usual creation.
std::shared_ptr<SharedBuffer> sharedBufferFor(Call& call, cl_mem_flags flags, std::size_t size, void* host_ptr) {
  const Connection* connection = call.connection();
  if (call.failed() || connection == nullptr || !connection->sharedBuffers() ||
      size < protocol::shm::kMinSharedBufferBytes || (flags & CL_MEM_USE_HOST_PTR) != 0 ||
      !devicesShareHostMemory(call.context()))
    return nullptr;
  const bool copies = (flags & CL_MEM_COPY_HOST_PTR) != 0;
  if (copies && host_ptr == nullptr) return nullptr;  // the server reports the error
  auto shared = SharedBuffer::create(size);
  if (shared && copies) std::memcpy(shared->bytes(), host_ptr, size);
  return shared;
}

// The host memory a buffer creation names (`sent`): for CL_MEM_USE_HOST_PTR
// on SVM, the server's address of it, so the buffer uses the server's SVM
// memory; a shared buffer's memfd; otherwise its bytes, when the flags send them.
std::shared_ptr<SharedBuffer> bufferHostMemory(Call& call, cl_mem_flags flags, std::size_t size, void* host_ptr,
                                               protocol::opencl::BufferHost& sent) {
  if ((flags & CL_MEM_USE_HOST_PTR) != 0 && host_ptr != nullptr) {
    if (const SvmRef a = SvmRanges::instance().find(host_ptr)) {
      // More than the allocation holds is CL_INVALID_BUFFER_SIZE (the spec's
      // and PoCL's order: the size is judged before the pointer).
      if (a->context != call.context() || a->connection != call.connection()) call.fail(CL_INVALID_HOST_PTR);
      else if (!a->holds(host_ptr, size)) call.fail(CL_INVALID_BUFFER_SIZE);
      sent = protocol::opencl::SvmHostAddress{a->serverAddress(host_ptr)};
      return nullptr;
    }
  }
  auto shared = sharedBufferFor(call, flags, size, host_ptr);
  if (shared) {
    sent = protocol::opencl::SharedBufferOffer{shared->fd(), shared->size()};
    return shared;
  }
  if (sendsHostData(flags, host_ptr)) sent = std::string_view(static_cast<const char*>(host_ptr), size);
  return nullptr;
}

// The largest buffer every device of `context` allocates (0: unknown). The
// context's devices (pipelined.h) and their information are kept by the client.
cl_ulong maxAllocEverywhere(cl_context context) {
  const auto devices = contextDevices(context);
  if (devices.empty()) return 0;
  cl_ulong smallest = ~cl_ulong{0};
  for (cl_device_id device : devices) {
    cl_ulong max = 0;
    if (!deviceValue(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, max)) return 0;
    smallest = std::min(smallest, max);
  }
  return smallest;
}

// Whether a buffer creation can only fail for want of memory: valid flags
// (one device access at most, one host access at most, no host memory the
// buffer keeps using), a size every device of the context allocates. Such a
// creation is pipelined: the client does not wait, and an allocation failure
// (for a shared buffer, a memfd the worker could not map) surfaces at the
// first command that uses the buffer (as for memory allocated lazily).
bool onlyMemoryCanFail(const Call& call, cl_context context, cl_mem_flags flags, std::size_t size,
                       const void* host_ptr) {
  constexpr cl_mem_flags kDevice = CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY | CL_MEM_READ_ONLY;
  constexpr cl_mem_flags kHost = CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_NO_ACCESS;
  constexpr cl_mem_flags kKnown = kDevice | kHost | CL_MEM_ALLOC_HOST_PTR | CL_MEM_COPY_HOST_PTR;
  const auto atMostOne = [](cl_mem_flags bits) { return (bits & (bits - 1)) == 0; };
  if (call.failed() || (flags & ~kKnown) != 0 || !atMostOne(flags & kDevice) ||
      !atMostOne(flags & kHost) || ((flags & CL_MEM_COPY_HOST_PTR) != 0) != (host_ptr != nullptr) || size == 0)
    return false;
  return size <= maxAllocEverywhere(context);
}

// What the client keeps of a buffer it made.
void keepBufferFacts(cl_mem m, cl_mem_flags flags, std::size_t size, void* host_ptr) {
  m->flags = flags;
  m->size = size;
  if ((flags & CL_MEM_USE_HOST_PTR) != 0) m->hostPtr = host_ptr;
}

// `taken`: a shared buffer the worker built the buffer on (sharedTaken).
cl_mem finishCreation(Reply reply, cl_mem created, cl_int* errcode_ret, cl_mem_flags flags, std::size_t size,
                      void* host_ptr, std::shared_ptr<SharedBuffer> taken = nullptr) {
  cl_mem m = reply.created(created, errcode_ret);
  if (m != nullptr) {
    keepBufferFacts(m, flags, size, host_ptr);
    if (taken) {
      taken->closeFd();
      m->shared = std::move(taken);
    }
  }
  return m;
}

// A shared buffer's reply ends with whether the worker built the buffer on it
// (NAMEReply::shared_taken); an older or confused server's answer leaves it an
// ordinary buffer. `shared` if taken, nullptr otherwise.
template <class Answer>
std::shared_ptr<SharedBuffer> sharedTaken(Reply& reply, std::shared_ptr<SharedBuffer> shared) {
  if (!shared || reply.status() != CL_SUCCESS || !reply.decoded<Answer>().shared_taken.value_or(false)) return nullptr;
  return shared;
}

// Bytes of an image's host memory, as the application lays it out.
std::size_t imageHostSize(const cl_image_format* format, const cl_image_desc* desc) {
  if (format == nullptr || desc == nullptr) return 0;
  const std::size_t element = imageElementSize(*format);
  const std::size_t row = desc->image_row_pitch != 0 ? desc->image_row_pitch : desc->image_width * element;
  switch (desc->image_type) {
    case CL_MEM_OBJECT_IMAGE1D:
    case CL_MEM_OBJECT_IMAGE1D_BUFFER:
      return row;
    case CL_MEM_OBJECT_IMAGE2D:
      return row * desc->image_height;
    case CL_MEM_OBJECT_IMAGE3D:
      return (desc->image_slice_pitch != 0 ? desc->image_slice_pitch : row * desc->image_height) *
             desc->image_depth;
    case CL_MEM_OBJECT_IMAGE1D_ARRAY:
      return (desc->image_slice_pitch != 0 ? desc->image_slice_pitch : row) * desc->image_array_size;
    case CL_MEM_OBJECT_IMAGE2D_ARRAY:
      return (desc->image_slice_pitch != 0 ? desc->image_slice_pitch : row * desc->image_height) *
             desc->image_array_size;
    default:
      return 0;
  }
}

// The fields both image creations send after the context (and properties), and the request sent.
template <class Request>
void fillImageRequest(Call& call, Request& request, cl_mem_flags flags, const cl_image_format* format,
                      const cl_image_desc* desc, void* host_ptr) {
  checkHostPtr(call, flags, host_ptr);
  request.flags = flags;
  request.image_format = Call::bytes(format, sizeof(cl_image_format));
  request.image_desc = Call::bytes(desc, sizeof(cl_image_desc));
  request.mem_object = call.optionalHandleId(desc != nullptr ? desc->mem_object : nullptr);
  if (sendsHostData(flags, host_ptr)) request.host_ptr = Call::bytes(host_ptr, imageHostSize(format, desc));
  call.request(request);
}

cl_mem createImage(CallId id, cl_context context, const cl_mem_properties* properties, cl_mem_flags flags,
                   const cl_image_format* format, const cl_image_desc* desc, void* host_ptr, cl_int* errcode_ret) {
  // Sent without waiting when the client is sure of it (image_checks.h).
  const bool pipelined = (properties == nullptr || properties[0] == 0) &&
                         imageSurelyTaken(checked(context), flags, format, desc, host_ptr);
  Call call(id);
  auto* created = call.newObject<_cl_mem>();
  if (id == CallId::clCreateImageWithProperties) {
    protocol::opencl::clCreateImageWithPropertiesRequest request;
    request.created_id = created->id;
    request.context = call.handleId(context);
    request.properties = call.propertyValues(properties);
    fillImageRequest(call, request, flags, format, desc, host_ptr);
  } else {
    protocol::opencl::clCreateImageRequest request;
    request.created_id = created->id;
    request.context = call.handleId(context);
    fillImageRequest(call, request, flags, format, desc, host_ptr);
  }
  cl_mem m = nullptr;
  if (pipelined && !call.failed()) {
    if ((m = createPipelined(call, created, true, errcode_ret)) != nullptr) keepBufferFacts(m, flags, 0, host_ptr);
  } else {
    m = finishCreation(call.sync(), created, errcode_ret, flags, 0, host_ptr);
  }
  if (m != nullptr) keepImageFacts(m, *format, *desc);
  return m;
}

cl_image_desc legacyDesc(cl_mem_object_type type, std::size_t w, std::size_t h, std::size_t d, std::size_t row,
                         std::size_t slice) {
  cl_image_desc desc{};
  desc.image_type = type;
  desc.image_width = w;
  desc.image_height = h;
  desc.image_depth = d;
  desc.image_row_pitch = row;
  desc.image_slice_pitch = slice;
  return desc;
}

}  // namespace

cl_mem CL_API_CALL clCreateBuffer(cl_context context, cl_mem_flags flags, size_t size, void* host_ptr,
                                  cl_int* errcode_ret) {
  Call call(CallId::clCreateBuffer);
  auto* created = call.newObject<_cl_mem>();
  protocol::opencl::clCreateBufferRequest request;
  request.created_id = created->id;
  request.context = call.handleId(context);
  request.flags = flags;
  request.size = size;
  cl_context c = context;
  checkHostPtr(call, flags, host_ptr);
  auto shared = bufferHostMemory(call, flags, size, host_ptr, request.host_ptr);
  call.request(request);
  // A shared buffer's memfd stays open until the worker has run the creation
  // (SharedFdsInFlight): when too many wait, this one waits for its reply.
  Connection* connection = call.connection();
  if (onlyMemoryCanFail(call, c, flags, size, host_ptr) &&
      (shared == nullptr || (connection != nullptr && !connection->sharedFdsInFlight().full()))) {
    const cl_int status = call.post();
    if (errcode_ret != nullptr) *errcode_ret = status;
    if (status != CL_SUCCESS) return nullptr;
    keepBufferFacts(created, flags, size, host_ptr);
    if (shared != nullptr) {
      connection->sharedFdsInFlight().add(shared);
      created->shared = std::move(shared);
    }
    return created;
  }
  Reply reply = call.sync();
  auto taken = sharedTaken<protocol::opencl::clCreateBufferReply>(reply, std::move(shared));
  return finishCreation(std::move(reply), created, errcode_ret, flags, size, host_ptr, std::move(taken));
}

cl_mem CL_API_CALL clCreateBufferWithProperties(cl_context context, const cl_mem_properties* properties,
                                                cl_mem_flags flags, size_t size, void* host_ptr,
                                                cl_int* errcode_ret) {
  Call call(CallId::clCreateBufferWithProperties);
  auto* created = call.newObject<_cl_mem>();
  protocol::opencl::clCreateBufferWithPropertiesRequest request;
  request.created_id = created->id;
  request.context = call.handleId(context);
  request.properties = call.propertyValues(properties);
  request.flags = flags;
  request.size = size;
  checkHostPtr(call, flags, host_ptr);
  auto shared = bufferHostMemory(call, flags, size, host_ptr, request.host_ptr);
  call.request(request);
  Reply reply = call.sync();
  auto taken = sharedTaken<protocol::opencl::clCreateBufferWithPropertiesReply>(reply, std::move(shared));
  return finishCreation(std::move(reply), created, errcode_ret, flags, size, host_ptr, std::move(taken));
}

cl_mem CL_API_CALL clCreateSubBuffer(cl_mem buffer, cl_mem_flags flags, cl_buffer_create_type buffer_create_type,
                                     const void* buffer_create_info, cl_int* errcode_ret) {
  Call call(CallId::clCreateSubBuffer);
  protocol::opencl::clCreateSubBufferRequest request;
  auto* created = call.newObject<_cl_mem>();
  request.created_id = created->id;
  request.buffer = call.handleId(buffer);
  cl_mem parent = call.unlessFailed(buffer);
  request.flags = flags;
  request.buffer_create_type = buffer_create_type;
  request.buffer_create_info = Call::bytes(buffer_create_info, sizeof(cl_buffer_region));
  call.request(request);
  cl_mem m = call.sync().created(created, errcode_ret);
  if (m != nullptr) {
    const auto* region = static_cast<const cl_buffer_region*>(buffer_create_info);
    m->parent = parent;
    m->offset = region->origin;
    m->size = region->size;
    // Unspecified access and host flags are the parent's.
    m->flags = flags | (parent->flags & (kHostDataFlags | CL_MEM_ALLOC_HOST_PTR));
    if (parent->hostPtr != nullptr) m->hostPtr = static_cast<unsigned char*>(parent->hostPtr) + region->origin;
  }
  return m;
}

cl_mem CL_API_CALL clCreateImage(cl_context context, cl_mem_flags flags, const cl_image_format* image_format,
                                 const cl_image_desc* image_desc, void* host_ptr, cl_int* errcode_ret) {
  return createImage(CallId::clCreateImage, context, nullptr, flags, image_format, image_desc, host_ptr,
                     errcode_ret);
}

cl_mem CL_API_CALL clCreateImageWithProperties(cl_context context, const cl_mem_properties* properties,
                                               cl_mem_flags flags, const cl_image_format* image_format,
                                               const cl_image_desc* image_desc, void* host_ptr,
                                               cl_int* errcode_ret) {
  return createImage(CallId::clCreateImageWithProperties, context, properties, flags, image_format, image_desc,
                     host_ptr, errcode_ret);
}

// The 1.0 image calls go through clCreateImage on the client (the server
// sees the same description either way).
cl_mem CL_API_CALL clCreateImage2D(cl_context context, cl_mem_flags flags, const cl_image_format* image_format,
                                   size_t image_width, size_t image_height, size_t image_row_pitch, void* host_ptr,
                                   cl_int* errcode_ret) {
  const auto desc = legacyDesc(CL_MEM_OBJECT_IMAGE2D, image_width, image_height, 1, image_row_pitch, 0);
  return createImage(CallId::clCreateImage, context, nullptr, flags, image_format, &desc, host_ptr, errcode_ret);
}

cl_mem CL_API_CALL clCreateImage3D(cl_context context, cl_mem_flags flags, const cl_image_format* image_format,
                                   size_t image_width, size_t image_height, size_t image_depth,
                                   size_t image_row_pitch, size_t image_slice_pitch, void* host_ptr,
                                   cl_int* errcode_ret) {
  const auto desc =
      legacyDesc(CL_MEM_OBJECT_IMAGE3D, image_width, image_height, image_depth, image_row_pitch, image_slice_pitch);
  return createImage(CallId::clCreateImage, context, nullptr, flags, image_format, &desc, host_ptr, errcode_ret);
}

cl_int CL_API_CALL clGetMemObjectInfo(cl_mem memobj, cl_mem_info param_name, size_t param_value_size,
                                      void* param_value, size_t* param_value_size_ret) {
  cl_mem m = checked(memobj);
  if (m == nullptr) return CL_INVALID_MEM_OBJECT;
  switch (param_name) {
    case CL_MEM_FLAGS: {
      // The server's flags, but its memory is a copy where the application's is used.
      cl_mem_flags flags = 0;
      if (cl_int s = askInfo<protocol::opencl::clGetMemObjectInfoRequest>(CallId::clGetMemObjectInfo, m, param_name,
                                                                          sizeof flags, &flags, nullptr);
          s != CL_SUCCESS)
        return s;
      cl_mem root = m;
      while (root->parent != nullptr) root = root->parent;
      if ((root->flags & CL_MEM_USE_HOST_PTR) != 0)
        flags = (flags & ~static_cast<cl_mem_flags>(CL_MEM_COPY_HOST_PTR)) | CL_MEM_USE_HOST_PTR;
      else if (root->shared)  // the server's USE_HOST_PTR is the shared memory, not the application's
        flags = (flags & ~static_cast<cl_mem_flags>(CL_MEM_USE_HOST_PTR)) |
                (root->flags & (CL_MEM_COPY_HOST_PTR | CL_MEM_ALLOC_HOST_PTR));
      return copyInfo(flags, param_value_size, param_value, param_value_size_ret);
    }
    case CL_MEM_HOST_PTR:
      return copyInfo(m->hostPtr, param_value_size, param_value, param_value_size_ret);
    // What the client made a buffer with (its size is never 0; images and
    // pipes are the platform's to describe): no round trip.
    case CL_MEM_SIZE:
      if (m->image || m->size == 0) break;
      return copyInfo(m->size, param_value_size, param_value, param_value_size_ret);
    case CL_MEM_TYPE: {
      if (m->image ? m->imageType == 0 : m->size == 0) break;
      const cl_mem_object_type type = m->image ? m->imageType : CL_MEM_OBJECT_BUFFER;
      return copyInfo(type, param_value_size, param_value, param_value_size_ret);
    }
    case CL_MEM_CONTEXT:
      if (m->context == nullptr) break;
      return copyInfo(m->context, param_value_size, param_value, param_value_size_ret);
    case CL_MEM_ASSOCIATED_MEMOBJECT:
      if (m->image || m->size == 0) break;
      return copyInfo(m->parent, param_value_size, param_value, param_value_size_ret);
    case CL_MEM_OFFSET:
      if (m->image || m->size == 0) break;
      return copyInfo(m->offset, param_value_size, param_value, param_value_size_ret);
    case CL_MEM_MAP_COUNT: {
      std::lock_guard lock(m->mapMutex);
      const auto count = static_cast<cl_uint>(m->mappings.size());
      return copyInfo(count, param_value_size, param_value, param_value_size_ret);
    }
    default:
      break;
  }
  return askInfo<protocol::opencl::clGetMemObjectInfoRequest>(CallId::clGetMemObjectInfo, m, param_name,
                                                              param_value_size, param_value, param_value_size_ret);
}

}  // namespace rcl::icd::custom
