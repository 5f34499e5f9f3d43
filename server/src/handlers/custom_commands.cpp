// Hand-written server handlers for commands whose data or completion need
// more than a replay: reads push their bytes back when they complete, writes
// keep their bulk frame alive until the device has it, clFinish answers from
// a completion callback so the session never blocks. Shapes are described
// in codegen/opencl_calls.toml.
#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/message_fields.h"
#include "rcl/protocol/opencl_wire.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/support/checked_sizes.h"
#include "rcl/server/custom_handlers.h"
#include "rcl/server/session/outbox.h"
#include "rcl/server/data/transfers.h"

namespace rcl::server::custom {
namespace {

using protocol::Kind;
namespace wire = protocol::opencl;

// A decoded request's three sizes (an origin or region): refused naming its field unless there are three.
std::array<std::size_t, 3> triple(const std::optional<std::string_view>& bytes, const char* field) {
  const auto a = CallContext::arrayOf<std::size_t>(bytes);
  if (a.size() != 3) protocol::fields::fail(field, "expected three sizes");
  return {a.data()[0], a.data()[1], a.data()[2]};
}

// What a packed (rect or image) transfer names first, in wire order: its
// queue, its memory object (a buffer or an image), the origin and region.
struct Packed {
  cl_command_queue queue;
  cl_mem memory;
  std::array<std::size_t, 3> origin;
  std::array<std::size_t, 3> region;
};

template <class Request>
Packed packed(CallContext& ctx, const Request& request, const char* originField, const char* regionField) {
  if constexpr (requires { request.image; })
    return {ctx.handleOf<cl_command_queue>(request.command_queue), ctx.handleOf<cl_mem>(request.image),
            triple(request.origin, originField), triple(request.region, regionField)};
  else
    return {ctx.handleOf<cl_command_queue>(request.command_queue), ctx.handleOf<cl_mem>(request.buffer),
            triple(request.buffer_origin, originField), triple(request.region, regionField)};
}

// The bytes a rect read or write moves, packed: CL_INVALID_VALUE if they
// overflow or cannot fit in the buffer (a region out of its bounds), before
// any staging is allocated or any host bytes are used at the region's pitches.
std::size_t rectBytes(cl_mem buffer, const std::array<std::size_t, 3>& region) {
  const std::size_t bytes = checkedProduct({region[0], region[1], region[2]});
  expectInBuffer(buffer, 0, bytes);
  return bytes;
}

std::size_t imageInfo(cl_mem image, cl_image_info param) {
  std::size_t value = 0;
  if (::clGetImageInfo(image, param, sizeof value, &value, nullptr) != CL_SUCCESS)
    throw CallError(CL_INVALID_MEM_OBJECT, "not an image");
  return value;
}

// The bytes an image read or write moves, packed: as rectBytes, bounded by
// the whole image's elements.
std::size_t imageBytes(cl_mem image, const std::array<std::size_t, 3>& region) {
  const std::size_t element = imageInfo(image, CL_IMAGE_ELEMENT_SIZE);
  const std::size_t bytes = checkedProduct({element, region[0], region[1], region[2]});
  const auto atLeastOne = [&](cl_image_info param) { return std::max<std::size_t>(imageInfo(image, param), 1); };
  const std::size_t whole = checkedProduct({element, atLeastOne(CL_IMAGE_WIDTH), atLeastOne(CL_IMAGE_HEIGHT),
                                            atLeastOne(CL_IMAGE_DEPTH), atLeastOne(CL_IMAGE_ARRAY_SIZE)});
  if (bytes > whole) throw CallError(CL_INVALID_VALUE, "a region larger than its image");
  return bytes;
}

std::shared_ptr<Pieces> onePiece(std::size_t size) {
  return std::make_shared<Pieces>(Pieces{std::make_shared<zmq::message_t>(size)});
}

// After a write was enqueued from `bytes`: keep them until it completes.
void finishWrite(CallContext& ctx, cl_int status, EventOut& event, std::shared_ptr<zmq::message_t> bytes) {
  if (status == CL_SUCCESS) {
    const bool internal = event.id == 0;
    cl_event ev = event.event;
    ctx.adoptEvent(event, status);
    ctx.session().completions().onComplete(ev, [bytes, ev, internal](cl_int) {
      bytes->rebuild();  // frees the bytes now that the device has them
      if (internal) ::clReleaseEvent(ev);
    });
  }
  ctx.reply(status);
}

// A decoded write's packed bytes (its bulk frame, `field`), kept until the
// write completes: CL_INVALID_VALUE unless they are the `expected` bytes.
std::shared_ptr<zmq::message_t> takeBytes(CallContext& ctx, const std::optional<std::string_view>& bytes,
                                          std::size_t expected, const char* field) {
  if (!bytes) protocol::fields::fail(field, "no bytes");
  if (bytes->size() != expected)
    throw CallError(CL_INVALID_VALUE, fmt::format("{} bytes sent where the call uses {}", bytes->size(), expected));
  return std::make_shared<zmq::message_t>(ctx.takeBulkOf(*bytes));
}

// A packed write's rest, after what `packed` names: its bytes (`field`, kept
// until the write completes), wait list and event; `enqueue` makes the command.
template <class Request, class Enqueue>
void writePacked(CallContext& ctx, const Request& request, std::size_t expected, const char* field,
                 const Enqueue& enqueue) {
  auto bytes = takeBytes(ctx, request.ptr, expected, field);
  auto waits = ctx.handlesOf<cl_event>(request.event_wait_list);
  auto event = ctx.eventOf(request.event);
  const cl_int status = enqueue(bytes->data(), static_cast<cl_uint>(waits.size()), waits.data(), &event.event);
  finishWrite(ctx, status, event, bytes);
}

// Refuses a transfer whose pieces (shm_transfers.h) were staged: their parts go too.
[[noreturn]] void refuse(StagedTransfer& staged, const char* why) {
  for (cl_event e : staged.parts) ::clReleaseEvent(e);
  staged.parts.clear();
  throw CallError(CL_INVALID_VALUE, why);
}

}  // namespace

// [clFinish]: a queue every command of which is known done (queue_progress
// in handle_table.h) is finished at once, and so is one whose commands since
// then wait for nothing (writes with no wait list: QueueProgress::settles),
// here, before the next call is read: the client sends that finish without
// waiting (icd clFinish), and a command on another queue after it must see
// the writes. Otherwise a helper thread runs the real clFinish and answers,
// and the session goes on meanwhile. (A marker's completion callback would
// be cheaper, but PoCL calls no callback for a command that failed.)
void clFinish(CallContext& ctx) {
  auto queue = ctx.handleOf<cl_command_queue>(ctx.request<protocol::opencl::clFinishRequest>().command_queue);
  const auto progress = ctx.session().table().progressOf(queue);
  const std::uint64_t upTo = progress ? progress->enqueued.load() : 0;
  if (!progress || progress->finished.load() >= upTo) return ctx.reply(::clFinish(queue));
  if (progress->settles()) {
    const cl_int status = ctx.outside([&] { return ::clFinish(queue); });
    if (status == CL_SUCCESS) progress->doneUpTo(upTo);
    return ctx.reply(status);
  }
  cl_int status = ::clRetainCommandQueue(queue);
  if (status != CL_SUCCESS) return ctx.reply(status);
  // A finish sent without waiting names a command that may wait (a client
  // that does not count as this one does): not held up for, nobody to answer.
  if (ctx.posted()) spdlog::debug("a clFinish sent without waiting, for commands that may wait");
  const auto deferred = ctx.posted() ? std::nullopt : std::optional(ctx.defer());
  ctx.session().runBlocking([deferred, queue, progress, upTo] {
    const cl_int finished = ::clFinish(queue);
    ::clReleaseCommandQueue(queue);
    progress->doneUpTo(upTo);
    if (deferred) deferred->send(finished);
  });
}

// [clEnqueueReadBuffer] (its request, with its tail: the token of its shared
// memory pieces, client_waits). Read in pieces of kBulkPiece, each into a
// frame of its own. client_waits (sent only true, with a sync call): the
// reply may carry the bytes (finishRead, data/transfers.h).
void clEnqueueReadBuffer(CallContext& ctx) {
  const auto request = ctx.request<wire::clEnqueueReadBufferRequest>();
  auto queue = ctx.handleOf<cl_command_queue>(request.command_queue);
  auto buffer = ctx.handleOf<cl_mem>(request.buffer);
  const std::size_t offset = request.offset;
  const std::size_t size = request.size;
  auto waits = ctx.handlesOf<cl_event>(request.event_wait_list);
  const auto id = readId(ctx, request.event, "clEnqueueReadBufferRequest.event");
  auto staged = ctx.session().staged().take(request.token);  // pieces read through shared memory
  if (staged.bytes > size) refuse(staged, "the pieces read more than the read");
  // Pieces are read at offset + their place: no sum may wrap.
  if (!inBuffer(buffer, offset, size)) refuse(staged, "a read outside its buffer");
  readInPieces(ctx, queue, size, waits, id,
               [&](std::size_t at, std::size_t n, void* host, const ArrayArg<cl_event>& w, cl_event* part) {
                 return ::clEnqueueReadBuffer(queue, buffer, CL_FALSE, offset + at, n, host,
                                              static_cast<cl_uint>(w.size()), w.data(), part);
               },
               std::move(staged), request.client_waits);
}

// [clEnqueueReadBufferRect]: the buffer's side only; the rows travel packed.
void clEnqueueReadBufferRect(CallContext& ctx) {
  const auto request = ctx.request<wire::clEnqueueReadBufferRectRequest>();
  const auto [queue, buffer, origin, region] =
      packed(ctx, request, "clEnqueueReadBufferRectRequest.buffer_origin", "clEnqueueReadBufferRectRequest.region");
  auto waits = ctx.handlesOf<cl_event>(request.event_wait_list);
  const auto id = readId(ctx, request.event, "clEnqueueReadBufferRectRequest.event");
  auto staging = onePiece(rectBytes(buffer, region));
  const std::size_t host_origin[3] = {0, 0, 0};
  cl_event event = nullptr;
  const cl_int status = ::clEnqueueReadBufferRect(queue, buffer, CL_FALSE, origin.data(), host_origin, region.data(),
                                                  request.buffer_row_pitch, request.buffer_slice_pitch, region[0],
                                                  region[0] * region[1], staging->front()->data(),
                                                  static_cast<cl_uint>(waits.size()), waits.data(), &event);
  finishRead(ctx, status, event, id, staging);
}

// [clEnqueueReadImage]: packed rows.
void clEnqueueReadImage(CallContext& ctx) {
  const auto request = ctx.request<wire::clEnqueueReadImageRequest>();
  const auto [queue, image, origin, region] =
      packed(ctx, request, "clEnqueueReadImageRequest.origin", "clEnqueueReadImageRequest.region");
  auto waits = ctx.handlesOf<cl_event>(request.event_wait_list);
  const auto id = readId(ctx, request.event, "clEnqueueReadImageRequest.event");
  auto staging = onePiece(imageBytes(image, region));
  cl_event event = nullptr;
  const cl_int status = ::clEnqueueReadImage(queue, image, CL_FALSE, origin.data(), region.data(), 0, 0,
                                             staging->front()->data(), static_cast<cl_uint>(waits.size()), waits.data(),
                                             &event);
  finishRead(ctx, status, event, id, staging);
}

// [clEnqueueWriteBuffer] (its request, with its tail: the token of its shared
// memory pieces). Each piece is written as it is, from its frame, which is
// kept until its write completes.
void clEnqueueWriteBuffer(CallContext& ctx) {
  const auto request = ctx.request<wire::clEnqueueWriteBufferRequest>();
  auto queue = ctx.handleOf<cl_command_queue>(request.command_queue);
  auto buffer = ctx.handleOf<cl_mem>(request.buffer);
  const std::size_t offset = request.offset;
  const std::size_t size = request.size;
  Pieces pieces;
  if (request.ptr)
    for (const std::string_view piece : request.ptr->pieces)
      pieces.push_back(std::make_shared<zmq::message_t>(ctx.takeBulkOf(piece)));
  auto waits = ctx.handlesOf<cl_event>(request.event_wait_list);
  auto event = ctx.eventOf(request.event);
  auto staged = ctx.session().staged().take(request.token);  // pieces written through shared memory
  // clFinish cannot wait for it inline: it waits for events, or for pieces
  // (a shared buffer's waits for the client's copy, which comes as a call).
  if (waits.size() != 0 || !staged.parts.empty()) ctx.session().table().markMayWait(queue);
  std::size_t total = staged.bytes;
  for (const auto& c : pieces)
    if (__builtin_add_overflow(total, c->size(), &total)) refuse(staged, "data size overflows");
  if (total != size) refuse(staged, "data size does not match the write");
  // Pieces are written at offset + their place: no sum may wrap.
  if (!inBuffer(buffer, offset, size)) refuse(staged, "a write outside its buffer");
  writeInPieces(ctx, queue, std::move(pieces), waits, event,
                [&](std::size_t at, std::size_t n, void* host, const ArrayArg<cl_event>& w, cl_event* part) {
                  return ::clEnqueueWriteBuffer(queue, buffer, CL_FALSE, offset + at, n, host,
                                                static_cast<cl_uint>(w.size()), w.data(), part);
                },
                std::move(staged));
}

// [clEnqueueWriteBufferRect]: the buffer's side; the rows travel packed.
void clEnqueueWriteBufferRect(CallContext& ctx) {
  const auto request = ctx.request<wire::clEnqueueWriteBufferRectRequest>();
  // (Named, not a structured binding: a lambda may not capture one before C++20, which clang 14 keeps to.)
  const Packed p =
      packed(ctx, request, "clEnqueueWriteBufferRectRequest.buffer_origin", "clEnqueueWriteBufferRectRequest.region");
  writePacked(ctx, request, rectBytes(p.memory, p.region), "clEnqueueWriteBufferRectRequest.ptr",
              [&](const void* bytes, cl_uint n, const cl_event* waits, cl_event* event) {
                const std::size_t host_origin[3] = {0, 0, 0};
                return ::clEnqueueWriteBufferRect(p.queue, p.memory, CL_FALSE, p.origin.data(), host_origin,
                                                  p.region.data(), request.buffer_row_pitch,
                                                  request.buffer_slice_pitch, p.region[0], p.region[0] * p.region[1],
                                                  bytes, n, waits, event);
              });
}

// [clEnqueueWriteImage]: packed rows.
void clEnqueueWriteImage(CallContext& ctx) {
  const auto request = ctx.request<wire::clEnqueueWriteImageRequest>();
  const Packed p = packed(ctx, request, "clEnqueueWriteImageRequest.origin", "clEnqueueWriteImageRequest.region");
  writePacked(ctx, request, imageBytes(p.memory, p.region), "clEnqueueWriteImageRequest.ptr",
              [&](const void* bytes, cl_uint n, const cl_event* waits, cl_event* event) {
                return ::clEnqueueWriteImage(p.queue, p.memory, CL_FALSE, p.origin.data(), p.region.data(), 0, 0,
                                             bytes, n, waits, event);
              });
}

namespace {

// A scratch buffer of `bytes` in the queue's context, the device's own
// (no host-access flags): what a map of memory the host may not read reads.
cl_mem scratchBuffer(cl_command_queue queue, std::size_t bytes) {
  cl_context context = nullptr;
  cl_int status = ::clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof context, &context, nullptr);
  if (status != CL_SUCCESS) throw CallError(status, "the queue's context");
  cl_mem scratch = ::clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, nullptr, &status);
  if (status != CL_SUCCESS) throw CallError(status, "a scratch buffer for a map");
  return scratch;
}

// Reads the scratch buffer after `copied` (both released: the implementation
// keeps them until the read is done) and pushes its bytes as read `id`.
void readScratch(CallContext& ctx, cl_command_queue queue, cl_mem scratch, std::size_t bytes, cl_int status,
                 cl_event copied, std::uint64_t id) {
  auto staging = onePiece(bytes);
  cl_event event = nullptr;
  if (status == CL_SUCCESS)
    status = ::clEnqueueReadBuffer(queue, scratch, CL_FALSE, 0, bytes, staging->front()->data(), 1, &copied, &event);
  if (copied != nullptr) ::clReleaseEvent(copied);
  ::clReleaseMemObject(scratch);
  finishRead(ctx, status, event, id, staging);
}

}  // namespace

// [MapReadBuffer] (codegen/messages.toml [requests.MapReadBuffer]): the
// region of a buffer the host may not read, for a map for writing.
void mapReadBuffer(CallContext& ctx, const protocol::calls::MapReadBuffer& request) {
  auto queue = ctx.handleOf<cl_command_queue>(request.command_queue);
  auto buffer = ctx.handleOf<cl_mem>(request.buffer);
  static_assert(sizeof(std::size_t) == sizeof(std::uint64_t), "a u64 offset or size is a size_t");
  const std::size_t offset = request.offset;
  const std::size_t size = request.size;
  auto waits = ctx.handlesOf<cl_event>(request.event_wait_list);
  const auto id = readId(ctx, request.event, "MapReadBuffer.event");
  if (size == 0) throw CallError(CL_INVALID_VALUE, "an empty map");
  expectInBuffer(buffer, offset, size);
  cl_mem scratch = scratchBuffer(queue, size);
  cl_event copied = nullptr;
  const cl_int status = ::clEnqueueCopyBuffer(queue, buffer, scratch, offset, 0, size,
                                              static_cast<cl_uint>(waits.size()), waits.data(), &copied);
  readScratch(ctx, queue, scratch, size, status, copied, id);
}

// [MapReadImage] (codegen/messages.toml [requests.MapReadImage]): as
// clEnqueueReadImage (packed rows), for a map for writing of an image the
// host may not read.
void mapReadImage(CallContext& ctx, const protocol::calls::MapReadImage& request) {
  const auto [queue, image, origin, region] = packed(ctx, request, "MapReadImage.origin", "MapReadImage.region");
  auto waits = ctx.handlesOf<cl_event>(request.event_wait_list);
  const auto id = readId(ctx, request.event, "MapReadImage.event");
  const std::size_t bytes = imageBytes(image, region);
  if (bytes == 0) throw CallError(CL_INVALID_VALUE, "an empty map");
  cl_mem scratch = scratchBuffer(queue, bytes);
  cl_event copied = nullptr;
  const cl_int status = ::clEnqueueCopyImageToBuffer(queue, image, scratch, origin.data(), region.data(), 0,
                                                     static_cast<cl_uint>(waits.size()), waits.data(), &copied);
  readScratch(ctx, queue, scratch, bytes, status, copied, id);
}

}  // namespace rcl::server::custom
