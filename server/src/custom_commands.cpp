// Hand-written server handlers for commands whose data or completion need
// more than a replay: reads push their bytes back when they complete, writes
// keep their bulk frame alive until the device has it, clFinish answers from
// a completion callback so the session never blocks. Shapes are described
// in codegen/opencl_calls.toml.
#include <memory>

#include "rcl/server/call_context.h"
#include "rcl/server/custom_handlers.h"
#include "rcl/server/outbox.h"

namespace rcl::server::custom {
namespace {

using protocol::Kind;

std::array<std::size_t, 3> triple(CallContext& ctx) {
  auto a = ctx.array<std::size_t>();
  if (a.size() != 3) throw protocol::DecodeError("expected three sizes");
  return {a.data()[0], a.data()[1], a.data()[2]};
}

std::size_t product(const std::array<std::size_t, 3>& r) { return r[0] * r[1] * r[2]; }

std::size_t imageElementSize(cl_mem image) {
  std::size_t size = 0;
  if (::clGetImageInfo(image, CL_IMAGE_ELEMENT_SIZE, sizeof size, &size, nullptr) != CL_SUCCESS)
    throw CallError(CL_INVALID_MEM_OBJECT, "not an image");
  return size;
}

// After a read was enqueued into `staging`: register its event under the
// client's id and push the bytes when it completes.
using Chunks = std::vector<std::shared_ptr<zmq::message_t>>;

void finishRead(CallContext& ctx, cl_int status, cl_event event, std::uint64_t id, std::shared_ptr<Chunks> staging) {
  if (status == CL_SUCCESS) {
    ctx.session().table().add(id, ObjectKind::Event, event);
    ctx.session().completions().onComplete(event, [outbox = ctx.session().outbox(), id, staging](cl_int done) {
      protocol::Writer w;
      w.integer(Kind::ReadData);
      w.u64(0);
      w.u64(id);
      w.i64(done);
      if (done == CL_COMPLETE) {
        w.array(static_cast<std::uint32_t>(staging->size()));
        for (auto& chunk : *staging) w.bulkMove(std::move(*chunk));
      } else {
        w.nil();
      }
      outbox->post(w.finish());
    });
  }
  ctx.reply(status);
}

std::shared_ptr<Chunks> oneChunk(std::size_t size) {
  return std::make_shared<Chunks>(Chunks{std::make_shared<zmq::message_t>(size)});
}

// One event standing for all `parts` (a marker when there are several);
// the parts themselves are released.
cl_int joinEvents(cl_command_queue queue, std::vector<cl_event>& parts, cl_event* joined) {
  cl_int status = CL_SUCCESS;
  if (parts.size() == 1) {
    *joined = parts.front();
    parts.clear();
  } else {
    status = ::clEnqueueMarkerWithWaitList(queue, static_cast<cl_uint>(parts.size()), parts.data(), joined);
  }
  for (cl_event e : parts) ::clReleaseEvent(e);
  return status;
}

// The read's event id (the client always picks one: the bytes complete it).
std::uint64_t readId(CallContext& ctx) {
  const auto id = ctx.event().id;
  if (id == 0) throw protocol::DecodeError("a read needs an event id");
  return id;
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

std::shared_ptr<zmq::message_t> takeBytes(CallContext& ctx, std::size_t expected) {
  auto bytes = std::make_shared<zmq::message_t>(ctx.takeBulk());
  if (bytes->size() != expected) throw CallError(CL_INVALID_VALUE, "data size does not match the region");
  return bytes;
}

}  // namespace

// [clFinish]: a queue nothing went into since the last clFinish is finished
// at once; otherwise a helper thread runs the real clFinish and answers, and
// the session goes on meanwhile. (A marker's completion callback would be
// cheaper, but PoCL calls no callback for a command that failed.)
void clFinish(CallContext& ctx) {
  auto queue = ctx.handle<cl_command_queue>();
  if (!ctx.session().table().takeBusy(queue)) return ctx.reply(::clFinish(queue));
  cl_int status = ::clRetainCommandQueue(queue);
  if (status != CL_SUCCESS) return ctx.reply(status);
  const auto deferred = ctx.defer();
  ctx.session().runBlocking([deferred, queue] {
    const cl_int finished = ::clFinish(queue);
    ::clReleaseCommandQueue(queue);
    deferred.send(finished);
  });
}

// [clEnqueueReadBuffer]: queue, buffer, offset, size, wait list, read id.
// Read in chunks of kBulkChunk, each into a frame of its own.
void clEnqueueReadBuffer(CallContext& ctx) {
  auto queue = ctx.handle<cl_command_queue>();
  auto buffer = ctx.handle<cl_mem>();
  auto offset = ctx.scalar<std::size_t>();
  auto size = ctx.scalar<std::size_t>();
  auto waits = ctx.handles<cl_event>();
  const auto id = readId(ctx);
  auto staging = std::make_shared<Chunks>();
  std::vector<cl_event> parts;
  cl_int status = CL_SUCCESS;
  for (std::size_t at = 0; status == CL_SUCCESS && (at < size || at == 0); at += protocol::kBulkChunk) {
    const std::size_t n = std::min(protocol::kBulkChunk, size - at);
    staging->push_back(std::make_shared<zmq::message_t>(n));
    cl_event part = nullptr;
    status = ::clEnqueueReadBuffer(queue, buffer, CL_FALSE, offset + at, n, staging->back()->data(),
                                   static_cast<cl_uint>(waits.size()), waits.data(), &part);
    if (status == CL_SUCCESS) parts.push_back(part);
    if (size == 0) break;
  }
  cl_event event = nullptr;
  if (status == CL_SUCCESS) status = joinEvents(queue, parts, &event);
  else for (cl_event e : parts) ::clReleaseEvent(e);
  finishRead(ctx, status, event, id, staging);
}

// [clEnqueueReadBufferRect]: queue, buffer, buffer origin, region, buffer
// pitches, wait list, read id. The rows travel packed.
void clEnqueueReadBufferRect(CallContext& ctx) {
  auto queue = ctx.handle<cl_command_queue>();
  auto buffer = ctx.handle<cl_mem>();
  const auto origin = triple(ctx);
  const auto region = triple(ctx);
  auto row_pitch = ctx.scalar<std::size_t>();
  auto slice_pitch = ctx.scalar<std::size_t>();
  auto waits = ctx.handles<cl_event>();
  const auto id = readId(ctx);
  auto staging = oneChunk(product(region));
  const std::size_t host_origin[3] = {0, 0, 0};
  cl_event event = nullptr;
  const cl_int status = ::clEnqueueReadBufferRect(queue, buffer, CL_FALSE, origin.data(), host_origin, region.data(),
                                                  row_pitch, slice_pitch, region[0], region[0] * region[1],
                                                  staging->front()->data(), static_cast<cl_uint>(waits.size()), waits.data(),
                                                  &event);
  finishRead(ctx, status, event, id, staging);
}

// [clEnqueueReadImage]: queue, image, origin, region, wait list, read id. Packed rows.
void clEnqueueReadImage(CallContext& ctx) {
  auto queue = ctx.handle<cl_command_queue>();
  auto image = ctx.handle<cl_mem>();
  const auto origin = triple(ctx);
  const auto region = triple(ctx);
  auto waits = ctx.handles<cl_event>();
  const auto id = readId(ctx);
  const std::size_t element = imageElementSize(image);
  auto staging = oneChunk(element * product(region));
  cl_event event = nullptr;
  const cl_int status = ::clEnqueueReadImage(queue, image, CL_FALSE, origin.data(), region.data(), 0, 0,
                                             staging->front()->data(), static_cast<cl_uint>(waits.size()), waits.data(),
                                             &event);
  finishRead(ctx, status, event, id, staging);
}

// [clEnqueueWriteBuffer]: queue, buffer, offset, size, chunks (an array of
// bulk frames), wait list, event. Each chunk is written as it is, from its
// frame, which is kept until its write completes.
void clEnqueueWriteBuffer(CallContext& ctx) {
  auto queue = ctx.handle<cl_command_queue>();
  auto buffer = ctx.handle<cl_mem>();
  auto offset = ctx.scalar<std::size_t>();
  auto size = ctx.scalar<std::size_t>();
  auto chunks = ctx.bulkChunks();
  std::size_t total = 0;
  for (const auto& c : chunks) total += c->size();
  if (total != size) throw CallError(CL_INVALID_VALUE, "data size does not match the write");
  auto waits = ctx.handles<cl_event>();
  auto event = ctx.event();
  std::vector<cl_event> parts;
  cl_int status = CL_SUCCESS;
  std::size_t at = 0;
  for (auto& chunk : chunks) {
    const std::size_t n = chunk->size();
    cl_event part = nullptr;
    status = ::clEnqueueWriteBuffer(queue, buffer, CL_FALSE, offset + at, n, chunk->data(),
                                    static_cast<cl_uint>(waits.size()), waits.data(), &part);
    if (status != CL_SUCCESS) break;
    // (The callback may run at once, inside clSetEventCallback, if the write is done.)
    ctx.session().completions().onComplete(part, [chunk](cl_int) { chunk->rebuild(); });
    parts.push_back(part);
    at += n;
  }
  if (status == CL_SUCCESS) status = joinEvents(queue, parts, &event.event);
  else for (cl_event e : parts) ::clReleaseEvent(e);
  if (status == CL_SUCCESS && event.id == 0) ::clReleaseEvent(event.event);
  ctx.adoptEvent(event, status);
  ctx.reply(status);
}

// [clEnqueueWriteBufferRect]: queue, buffer, buffer origin, region, buffer
// pitches, packed bytes, wait list, event.
void clEnqueueWriteBufferRect(CallContext& ctx) {
  auto queue = ctx.handle<cl_command_queue>();
  auto buffer = ctx.handle<cl_mem>();
  const auto origin = triple(ctx);
  const auto region = triple(ctx);
  auto row_pitch = ctx.scalar<std::size_t>();
  auto slice_pitch = ctx.scalar<std::size_t>();
  auto bytes = takeBytes(ctx, product(region));
  auto waits = ctx.handles<cl_event>();
  auto event = ctx.event();
  const std::size_t host_origin[3] = {0, 0, 0};
  const cl_int status = ::clEnqueueWriteBufferRect(queue, buffer, CL_FALSE, origin.data(), host_origin,
                                                   region.data(), row_pitch, slice_pitch, region[0],
                                                   region[0] * region[1], bytes->data(),
                                                   static_cast<cl_uint>(waits.size()), waits.data(), &event.event);
  finishWrite(ctx, status, event, bytes);
}

// [clEnqueueWriteImage]: queue, image, origin, region, packed bytes, wait list, event.
void clEnqueueWriteImage(CallContext& ctx) {
  auto queue = ctx.handle<cl_command_queue>();
  auto image = ctx.handle<cl_mem>();
  const auto origin = triple(ctx);
  const auto region = triple(ctx);
  auto bytes = takeBytes(ctx, imageElementSize(image) * product(region));
  auto waits = ctx.handles<cl_event>();
  auto event = ctx.event();
  const cl_int status = ::clEnqueueWriteImage(queue, image, CL_FALSE, origin.data(), region.data(), 0, 0,
                                              bytes->data(), static_cast<cl_uint>(waits.size()), waits.data(),
                                              &event.event);
  finishWrite(ctx, status, event, bytes);
}

}  // namespace rcl::server::custom
