#include "rcl/server/data/transfers.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "rcl/protocol/message_fields.h"
#include "rcl/protocol/pushes.h"
#include "rcl/server/session/outbox.h"
#include "rcl/server/support/profiling_times.h"

namespace rcl::server {

std::uint64_t readId(CallContext& ctx, std::uint64_t id, const char* field) {
  if (ctx.eventOf(id).id == 0) protocol::fields::fail(field, "a read needs an event id");
  return id;
}

namespace {

// How long the session thread waits for a read the client waits for, to
// answer with its bytes (one message, no hand-off through a completion push).
constexpr auto kAnswerBound = std::chrono::milliseconds(2);

// A read the client waits for: whether its command ended within the bound
// (the reply carries the bytes) or the session thread gave up (the
// completion pushes them, as for any read). The first to take the mutex decides.
struct WaitedRead {
  std::mutex mutex;
  std::condition_variable ended;
  bool completed = false;   // the command ended before the session thread gave up
  bool gaveUp = false;      // the completion pushes the bytes
  cl_int status = CL_COMPLETE;
  std::optional<protocol::ProfilingTimes> times;
};

}  // namespace

void finishRead(CallContext& ctx, cl_int status, cl_event event, std::uint64_t id, std::shared_ptr<Pieces> staging,
                bool clientWaits) {
  if (status != CL_SUCCESS) return ctx.reply(status);
  ctx.session().table().add(id, ObjectKind::Event, event);
  auto outbox = ctx.session().outbox();
  if (!clientWaits || ctx.posted()) {
    ctx.session().completions().onComplete(event, [outbox, id, staging, event,
                                                    mark = ctx.queueMark(event)](cl_int done) {
      mark.completed(done);
      // Inside the real platform's callback: the event is alive.
      outbox->post(readDataPush(id, done, *staging, done == CL_COMPLETE ? profilingTimesOf(event) : std::nullopt));
    });
    return ctx.reply(status);
  }
  auto waited = std::make_shared<WaitedRead>();
  ctx.session().completions().onComplete(event, [outbox, id, staging, event, waited,
                                                  mark = ctx.queueMark(event)](cl_int done) {
    mark.completed(done);
    auto times = done == CL_COMPLETE ? profilingTimesOf(event) : std::nullopt;
    std::unique_lock lock(waited->mutex);
    if (waited->gaveUp) {
      lock.unlock();
      outbox->post(readDataPush(id, done, *staging, times));
      return;
    }
    waited->completed = true;
    waited->status = done;
    waited->times = times;
    waited->ended.notify_one();
  });
  std::unique_lock lock(waited->mutex);
  if (!waited->ended.wait_for(lock, kAnswerBound, [&] { return waited->completed; })) {
    waited->gaveUp = true;  // a read behind a gate, or a busy device: the push brings the bytes
    return ctx.reply(status);
  }
  lock.unlock();
  ctx.reply(status);
  readData(id, waited->status, *staging, waited->times).encodeBody(ctx.replyWriter());
}

protocol::push::ReadData readData(std::uint64_t id, cl_int done, Pieces& pieces,
                                  const std::optional<protocol::ProfilingTimes>& times) {
  protocol::push::ReadData push{.event_id = id, .status = done, .times = times};
  if (done == CL_COMPLETE) {
    push.pieces.emplace();
    for (auto& piece : pieces) push.pieces->push_back(std::move(*piece));
  }
  return push;
}

std::vector<zmq::message_t> readDataPush(std::uint64_t id, cl_int done, Pieces& pieces,
                                         const std::optional<protocol::ProfilingTimes>& times) {
  return readData(id, done, pieces, times).frames();
}

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

void readInPieces(CallContext& ctx, cl_command_queue queue, std::size_t size, const ArrayArg<cl_event>& waits,
                  std::uint64_t id, const PieceCommand& command, StagedTransfer staged, bool clientWaits) {
  auto staging = std::make_shared<Pieces>();
  std::vector<cl_event> parts = std::move(staged.parts);
  cl_int status = staged.status;
  const auto readPiece = [&](std::size_t at, std::size_t n) {
    staging->push_back(std::make_shared<zmq::message_t>(n));
    cl_event part = nullptr;
    status = command(at, n, staging->back()->data(), waits, &part);
    if (status != CL_SUCCESS) return;
    // The staging memory stays until the device wrote it, whatever happens to
    // the rest of the read (or the session ends, after its queues finished).
    ctx.session().completions().onComplete(part, [staging](cl_int) {});
    parts.push_back(part);
  };
  if (size == 0) readPiece(0, 0);
  for (std::size_t at = staged.bytes; status == CL_SUCCESS && at < size; at += protocol::kBulkPiece)
    readPiece(at, std::min(protocol::kBulkPiece, size - at));
  cl_event event = nullptr;
  if (status == CL_SUCCESS) status = joinEvents(queue, parts, &event);
  else for (cl_event e : parts) ::clReleaseEvent(e);
  // The client waits: the command starts now (it would at the client's clFlush).
  if (status == CL_SUCCESS && clientWaits && !ctx.posted()) ::clFlush(queue);
  finishRead(ctx, status, event, id, staging, clientWaits);
}

void writeInPieces(CallContext& ctx, cl_command_queue queue, Pieces pieces, const ArrayArg<cl_event>& waits,
                   EventOut event, const PieceCommand& command, StagedTransfer staged) {
  std::vector<cl_event> parts = std::move(staged.parts);
  cl_int status = staged.status;
  std::size_t at = staged.bytes;
  for (auto& piece : pieces) {
    if (status != CL_SUCCESS) break;
    const std::size_t n = piece->size();
    cl_event part = nullptr;
    status = command(at, n, piece->data(), waits, &part);
    if (status != CL_SUCCESS) break;
    // (The callback may run at once, inside clSetEventCallback, if the write is done.)
    ctx.session().completions().onComplete(part, [piece](cl_int) { piece->rebuild(); });
    parts.push_back(part);
    at += n;
  }
  if (status == CL_SUCCESS) status = joinEvents(queue, parts, &event.event);
  else for (cl_event e : parts) ::clReleaseEvent(e);
  if (status == CL_SUCCESS && event.id == 0) ::clReleaseEvent(event.event);
  ctx.adoptEvent(event, status);
  ctx.reply(status);
}

}  // namespace rcl::server
