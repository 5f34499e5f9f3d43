#include "rcl/server/calls/call_context.h"

#include <atomic>
#include <chrono>

#include <fmt/format.h>

#include "rcl/protocol/info_results.h"
#include "rcl/protocol/kernel_arg_info_option.h"
#include "rcl/protocol/pushes.h"
#include "rcl/server/support/profiling_times.h"
#include "rcl/server/calls/build_includes.h"
#include "rcl/server/session/outbox.h"

namespace rcl::server {

using protocol::InfoResult;
using protocol::Kind;

namespace {
// No array a call may ask the server to allocate is larger than this.
constexpr std::uint64_t kMaxOutElements = std::uint64_t{1} << 20;

void writeReplyHeader(protocol::Writer& w, std::uint64_t seq, cl_int status) {
  w.integer(Kind::Reply);
  w.u64(seq);
  w.i64(status);
}
}  // namespace

CallContext::CallContext(Session& session, protocol::Reader& args, std::uint64_t seq, protocol::CallId call,
                         bool holdsState)
    : session_(session), args_(args), seq_(seq), call_(call), holdsState_(holdsState) {}

std::uint64_t CallContext::newId() {
  newId_ = args_.u64();
  return newId_;
}

StringArg CallContext::string() {
  if (args_.isNil()) return {};
  return StringArg(args_.str());
}

StringArg CallContext::stringOf(const std::optional<std::string_view>& s) {
  return s ? StringArg(std::string(*s)) : StringArg();
}

StringsArg CallContext::stringsOf(const std::optional<std::vector<std::string_view>>& list) {
  if (!list) return {};
  return StringsArg(std::vector<std::string>(list->begin(), list->end()));
}

StringArg CallContext::buildOptionsOf(const std::optional<protocol::IncludeBundle>& bundle) {
  if (!bundle) return {};
  // Argument information always kept, hidden from the application by the
  // client (protocol/kernel_arg_info_option.h).
  return StringArg(protocol::withKernelArgInfo(materializeIncludes(*bundle)));
}

BlobsArg CallContext::blobsOf(const std::optional<std::vector<std::optional<std::string_view>>>& list) {
  if (!list) return {};
  std::vector<std::string> items;
  items.reserve(list->size());
  for (const auto& blob : *list) items.emplace_back(blob ? *blob : std::string_view());
  return BlobsArg(std::move(items));
}

StringArg CallContext::buildOptions() { return buildOptionsOf(protocol::readIncludeBundle(args_)); }

StringsArg CallContext::strings() {
  if (args_.isNil()) return {};
  const std::uint32_t n = args_.array();
  std::vector<std::string> items;
  for (std::uint32_t i = 0; i < n; ++i) items.push_back(args_.str());
  return StringsArg(std::move(items));
}

BlobsArg CallContext::blobs() {
  if (args_.isNil()) return {};
  const std::uint32_t n = args_.array();
  std::vector<std::string> items;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (args_.isNil()) {
      items.emplace_back();
      continue;
    }
    const auto& frame = args_.bulk();
    items.emplace_back(static_cast<const char*>(frame.data()), frame.size());
  }
  return BlobsArg(std::move(items));
}

BytesArg CallContext::value() {
  if (args_.isNil()) return {};
  return bytesOf(args_.bin());
}

BytesArg CallContext::value(std::uint64_t size, cl_int error) {
  BytesArg v = value();
  if (v.data() != nullptr && v.size() != size)
    throw CallError(error, fmt::format("a value of {} bytes where its size says {}", v.size(), size));
  return v;
}

BytesArg CallContext::bulk() {
  if (args_.isNil()) return {};
  auto& frame = args_.bulk();
  return BytesArg(std::string_view(static_cast<const char*>(frame.data()), frame.size()));
}

zmq::message_t CallContext::takeBulk() { return args_.takeBulk(); }

zmq::message_t CallContext::takeBulk(std::uint64_t size, cl_int error) {
  zmq::message_t frame = args_.takeBulk();
  if (frame.size() != size)
    throw CallError(error, fmt::format("{} bytes sent where the call uses {}", frame.size(), size));
  return frame;
}

std::vector<std::shared_ptr<zmq::message_t>> CallContext::bulkPieces() {
  std::vector<std::shared_ptr<zmq::message_t>> pieces;
  if (args_.isNil()) return pieces;
  const std::uint32_t n = args_.array();
  for (std::uint32_t i = 0; i < n; ++i) pieces.push_back(std::make_shared<zmq::message_t>(args_.takeBulk()));
  return pieces;
}

EventOut CallContext::event() {
  if (args_.isNil()) return eventOf(std::nullopt);
  return eventOf(args_.u64());
}

EventOut CallContext::eventOf(const std::optional<std::uint64_t>& id) {
  EventOut e;
  if (id) e.id = *id;
  eventId_ = e.id;
  // A launch of a kernel an argument of which failed to set without the
  // client waiting (handlers/custom_objects.cpp: clSetKernelArg).
  if (kernelArgsFailed_) throw CallError(CL_INVALID_KERNEL_ARGS, "a kernel argument set earlier failed");
  return e;
}

std::size_t CallContext::checkedCount(std::uint64_t count) const {
  if (count > kMaxOutElements) throw CallError(CL_OUT_OF_RESOURCES, "output array too large");
  return static_cast<std::size_t>(count);
}

void CallContext::translateContextProperties(std::vector<cl_context_properties>& values) {
  for (std::size_t i = 0; i + 1 < values.size(); i += 2) {
    if (values[i] == CL_CONTEXT_PLATFORM)
      values[i + 1] = reinterpret_cast<cl_context_properties>(
          session_.table().get<cl_platform_id>(static_cast<std::uint64_t>(values[i + 1])));
  }
}

CallContext::QueueMark CallContext::queueMark(cl_event event) {
  cl_command_queue queue = nullptr;
  if (::clGetEventInfo(event, CL_EVENT_COMMAND_QUEUE, sizeof queue, &queue, nullptr) != CL_SUCCESS || queue == nullptr)
    return {};
  auto progress = session_.table().progressOf(queue);
  if (!progress || !progress->inOrder) return {};
  return QueueMark{progress, progress->enqueued.load()};
}

void CallContext::watchEvent(std::uint64_t id, cl_event event) {
  // When the command started running, for its device time (only for a client that traces).
  auto running = std::make_shared<std::atomic<std::int64_t>>(0);
  if (session_.deviceTimes()) {
    session_.completions().onStatus(event, CL_RUNNING, [running](cl_int) {
      *running = std::chrono::steady_clock::now().time_since_epoch().count();
    });
  }
  session_.completions().onStatus(event, CL_COMPLETE, [outbox = session_.outbox(), id, running, event,
                                                       mark = queueMark(event)](cl_int status) {
    mark.completed(status);
    // Inside the real platform's callback: the event is alive.
    const auto times = status == CL_COMPLETE ? profilingTimesOf(event) : std::nullopt;
    const std::int64_t started = *running;
    const std::int64_t ended = std::chrono::steady_clock::now().time_since_epoch().count();
    const std::uint64_t ranNs = started != 0 && ended > started
                                    ? static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                                     std::chrono::steady_clock::duration(ended - started))
                                                                     .count())
                                    : 0;
    outbox->post(protocol::push::Event{.event_id = id, .status = status, .ran_ns = ranNs, .times = times}.frames());
  });
}

void CallContext::adoptEvent(EventOut& event, cl_int status) {
  if (status == CL_SUCCESS && event.id != 0 && event.event != nullptr) adopt(event.id, event.event, status);
}

void CallContext::reply(cl_int status) {
  status_ = status;
  started_ = true;
  if (seq_ != 0) writeReplyHeader(reply_, seq_, status);
}

void CallContext::replyInfo(cl_uint param, const InfoQuery& query, InfoFilter filter) {
  if (protocol::infoResult(call_, param).shape != InfoResult::Shape::ProgramBinaries) {
    std::vector<unsigned char> value;
    const cl_int status = infoValue(param, query, filter, value);
    reply(status);
    if (status == CL_SUCCESS && replying()) reply_.bin(value.data(), value.size());
    return;
  }
  // One blob per device, sized by CL_PROGRAM_BINARY_SIZES.
  size_t size = 0;
  cl_int status = query(param, 0, nullptr, &size);
  if (status != CL_SUCCESS) return reply(status);
  std::vector<size_t> sizes(size / sizeof(void*));
  status = query(CL_PROGRAM_BINARY_SIZES, sizes.size() * sizeof(size_t), sizes.data(), nullptr);
  if (status != CL_SUCCESS) return reply(status);
  std::vector<std::vector<unsigned char>> blobs;
  std::vector<unsigned char*> pointers;
  for (size_t s : sizes) {
    blobs.emplace_back(s);
    pointers.push_back(s != 0 ? blobs.back().data() : nullptr);
  }
  status = query(param, pointers.size() * sizeof(void*), pointers.data(), nullptr);
  reply(status);
  if (status != CL_SUCCESS || !replying()) return;
  reply_.array(static_cast<std::uint32_t>(blobs.size()));
  for (const auto& b : blobs) reply_.bulkCopy(b.data(), b.size());
}

cl_int CallContext::infoValue(cl_uint param, const InfoQuery& query, InfoFilter filter,
                              std::vector<unsigned char>& value) {
  return sessionInfoValue(session_, call_, param, query, filter, value);
}

cl_int sessionInfoValue(Session& session, protocol::CallId call, cl_uint param, const InfoQuery& query,
                        CallContext::InfoFilter filter, std::vector<unsigned char>& value) {
  const InfoResult result = protocol::infoResult(call, param);
  size_t size = 0;
  cl_int status = query(param, 0, nullptr, &size);
  if (status != CL_SUCCESS) return status;
  value.resize(size);
  // Nothing to read for an empty value (PoCL 3.1 writes through a null size_ret for a context's
  // empty CL_CONTEXT_PROPERTIES: the worker crashed on it).
  if (size != 0 && (status = query(param, size, value.data(), nullptr)) != CL_SUCCESS) return status;
  if (filter != nullptr && (status = filter(session.options(), param, value, query)) != CL_SUCCESS) return status;
  auto translate = [&](std::size_t offset) {
    void* handle;
    std::memcpy(&handle, value.data() + offset, sizeof handle);
    const std::uint64_t id = session.table().idOf(handle);
    std::memcpy(value.data() + offset, &id, sizeof id);
  };
  switch (result.shape) {
    case InfoResult::Shape::Handle:
    case InfoResult::Shape::Handles:
      for (std::size_t off = 0; off + sizeof(void*) <= value.size(); off += sizeof(void*)) translate(off);
      break;
    case InfoResult::Shape::ContextProperties: {
      const std::size_t n = value.size() / sizeof(cl_context_properties);
      for (std::size_t i = 0; i + 1 < n; i += 2) {
        cl_context_properties key;
        std::memcpy(&key, value.data() + i * sizeof key, sizeof key);
        if (key == CL_CONTEXT_PLATFORM) translate((i + 1) * sizeof key);
      }
      break;
    }
    default:
      break;
  }
  return CL_SUCCESS;
}

CallContext::Deferred CallContext::defer() {
  deferred_ = true;
  return Deferred{session_.outbox(), seq_};
}

void CallContext::Deferred::send(cl_int status) const {
  protocol::Writer w;
  writeReplyHeader(w, seq, status);
  outbox->post(w.finish(), seq);
}

void CallContext::fail(cl_int status, const std::string&) {
  reply_ = protocol::Writer();
  started_ = false;
  deferred_ = false;
  reply(status);
}

void CallContext::finish() {
  auto& stats = session_.stats();
  ++stats.calls;
  if (status_ != CL_SUCCESS) ++stats.failedCalls;
  if (deferred_) return;
  if (seq_ != 0) {
    if (!started_) reply(CL_SUCCESS);
    session_.reply(seq_, reply_.finish());
  } else if (status_ != CL_SUCCESS) {
    // The event it named never was: a status query of it answers this
    // failure, not "unknown" (its reply may overtake this push), and its
    // release succeeds.
    if (eventId_ != 0) session_.table().addFailed(eventId_, ObjectKind::Event, status_);
    // The object it was to create never was (an argument was refused): its
    // uses fail with this error too, and its release succeeds.
    if (newId_ != 0 && !adopted_) session_.table().addFailed(newId_, ObjectKind::None, status_);
    session_.send(protocol::push::AsyncError{
        .status = status_, .call_id = static_cast<std::uint16_t>(call_), .event_id = eventId_}.frames());
  }
}

}  // namespace rcl::server
