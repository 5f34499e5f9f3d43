#include "rcl/icd/transport/call.h"
#include "rcl/icd/objects/queue_progress.h"
#include "rcl/protocol/queue_commands.h"
#include "rcl/protocol/shm.h"

#include <map>

#include <CL/cl_ext.h>
#include <spdlog/spdlog.h>

#include "rcl/icd/support/log.h"

#include "rcl/icd/transport/build_includes.h"
#include "rcl/icd/objects/events.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/protocol/device_info.h"
#include "rcl/protocol/info_results.h"
#include "rcl/protocol/kernel_launch_info.h"
#include "rcl/protocol/pushes.h"

namespace rcl::icd {

using protocol::InfoResult;
using protocol::Kind;

Call::Call(CallId call) : call_(call) {
  if (Driver::instance().tracer() != nullptr) start_ = Tracer::Clock::now();
  writer_.integer(Kind::Request);
  seqOffset_ = writer_.reserveU64();
  writer_.integer(static_cast<std::uint16_t>(call));
}

Connection* Call::connectionOf(Object* o) {
  Connection* c = o->connection;
  if (!o->pinned || c == nullptr || c->alive()) return c;
  Driver::instance().revive(c);
  return o->connection;
}

bool Call::useConnection(Connection* c) {
  if (connection_ == nullptr) connection_ = c;
  if (c == connection_) return true;
  // Objects of two servers cannot meet in one call.
  fail(CL_INVALID_CONTEXT);
  return false;
}

void Call::checkContext(Object* o) {
  if (first_ == nullptr) {
    first_ = o;
    if (o->kind == ObjectKind::Queue) queue_ = static_cast<cl_command_queue>(o);
  }
  const cl_context c = contextOf(o);
  if (c == nullptr) return;
  if (context_ == nullptr) {
    context_ = c;
    return;
  }
  // Commands: every object must belong to the queue's context.
  if (queue_ != nullptr && c != context_) fail(CL_INVALID_CONTEXT);
}

void Call::writeIds(const std::optional<protocol::IdList>& ids) {
  if (failed()) return;
  if (!ids) return writer_.nil();
  writer_.array(static_cast<std::uint32_t>(ids->size()));
  for (std::uint64_t id : *ids) writer_.u64(id);
}

void Call::waitList(const cl_event* list, cl_uint n) { writeIds(waitListIds(list, n)); }

std::optional<protocol::IdList> Call::waitListIds(const cl_event* list, cl_uint n) {
  if (failed()) return std::nullopt;
  if ((list == nullptr) != (n == 0)) return fail(CL_INVALID_EVENT_WAIT_LIST), std::nullopt;
  if (list == nullptr) return std::nullopt;
  protocol::IdList ids;
  ids.reserve(n);
  for (cl_uint i = 0; i < n; ++i) {
    cl_event e = checked(list[i]);
    if (e == nullptr || !useConnection(e->connection)) return fail(CL_INVALID_EVENT_WAIT_LIST), std::nullopt;
    if (queue_ != nullptr && e->context != context_) return fail(CL_INVALID_CONTEXT), std::nullopt;
    ids.push_back(e->id);
  }
  return ids;
}

void Call::string(const char* s) {
  if (failed()) return;
  if (s == nullptr) return writer_.nil();
  writer_.str(s);
}

std::optional<std::vector<std::string_view>> Call::texts(const char** list, cl_uint count, const size_t* lengths) {
  if (failed() || list == nullptr) return std::nullopt;
  std::vector<std::string_view> views;
  views.reserve(count);
  for (cl_uint i = 0; i < count; ++i) {
    if (list[i] == nullptr) return fail(CL_INVALID_VALUE), std::nullopt;
    const std::size_t n = lengths != nullptr && lengths[i] != 0 ? lengths[i] : std::strlen(list[i]);
    views.emplace_back(list[i], n);
  }
  return views;
}

std::optional<std::vector<std::string_view>> Call::programSourceTexts(const char** list, cl_uint count,
                                                                      const size_t* lengths) {
  auto views = texts(list, count, lengths);
  if (failed() || !views || created_ == nullptr || created_->kind != ObjectKind::Program) return views;
  std::string& source = static_cast<cl_program>(created_)->source;
  for (std::string_view v : *views) {
    source.append(v);
    source += '\n';
  }
  return views;
}

std::optional<protocol::IncludeBundle> Call::includeBundle(const char* options) {
  if (failed()) return std::nullopt;
  const std::string* source = nullptr;
  if (first_ != nullptr && first_->kind == ObjectKind::Program) {
    auto* program = static_cast<cl_program>(first_);
    source = &program->source;
    // A new build may give its kernels other arguments, its binaries other sizes.
    std::lock_guard lock(program->functionsMutex);
    program->functions.clear();
    program->kernelNames.reset();
    program->binarySizes.reset();
    program->buildInfo.clear();
    ++program->builds;
  }
  if (source != nullptr && !source->empty()) {
    protocol::IncludeBundle bundle = bundleIncludes(options, *source);
    if (!bundle.files.empty()) return bundle;
  }
  // No file included: the options as they are (writeIncludeBundle sends a bundle without files so).
  if (options == nullptr) return std::nullopt;
  return protocol::IncludeBundle{options, {}, 0};
}

std::optional<std::vector<std::optional<std::string_view>>> Call::blobViews(const unsigned char** list, cl_uint count,
                                                                             const size_t* lengths) {
  if (list == nullptr || lengths == nullptr) return std::nullopt;
  std::vector<std::optional<std::string_view>> views;
  views.reserve(count);
  for (cl_uint i = 0; i < count; ++i) {
    if (list[i] == nullptr) views.emplace_back();
    else views.emplace_back(std::string_view(reinterpret_cast<const char*>(list[i]), lengths[i]));
  }
  return views;
}

void Call::value(const void* bytes, std::size_t size) {
  if (failed()) return;
  if (bytes == nullptr) return writer_.nil();
  writer_.bin(bytes, size);
}

void Call::bulkCopy(const void* bytes, std::size_t size) {
  if (failed()) return;
  if (bytes == nullptr) return writer_.nil();
  writer_.bulkCopy(bytes, size);
}

void Call::lend(const void* bytes, std::size_t size, SendLatch* sent) {
  // Counted by the call (a blocking write returns at zero) and by the connection.
  SendLatch* latch = sent;
  if (connection_ != nullptr) {
    if (latch != nullptr) latch->chain(&connection_->lentFrames());
    else latch = &connection_->lentFrames();
  }
  if (latch == nullptr) return writer_.bulkBorrow(bytes, size, [](void*, void*) {}, nullptr);
  latch->add();
  writer_.bulkBorrow(bytes, size, [](void*, void* hint) { static_cast<SendLatch*>(hint)->done(); }, latch);
}

std::optional<protocol::opencl::BulkPieces> Call::pieces(const void* bytes, std::size_t size, SendLatch* sent,
                                                         std::size_t copiedMax) {
  if (failed() || bytes == nullptr) return std::nullopt;
  protocol::opencl::BulkPieces out;
  const std::size_t n = protocol::pieceCount(size);
  out.pieces.reserve(n);
  const auto* p = static_cast<const char*>(bytes);
  for (std::size_t i = 0; i < n; ++i)
    out.pieces.emplace_back(p + i * protocol::kBulkPiece, std::min(protocol::kBulkPiece, size - i * protocol::kBulkPiece));
  // A small write's pieces are copied: nothing to wait for (a blocking write
  // returns without waiting for ZeroMQ's I/O thread to be done with the
  // caller's memory); a larger one's lent.
  if (size > copiedMax)
    out.lend = [this, sent](protocol::Writer&, std::string_view piece) { lend(piece.data(), piece.size(), sent); };
  return out;
}

void Call::event(cl_event* out) {
  const auto id = eventId(out);
  if (failed()) return;
  if (id) writer_.u64(*id);
  else writer_.nil();
}

std::optional<std::uint64_t> Call::eventId(cl_event* out) {
  if (failed()) return std::nullopt;
  // Tracing: every command gets an event, so its device time can be shown.
  if (out == nullptr && Driver::instance().tracer() == nullptr) return std::nullopt;
  event_ = Driver::instance().newProxy<_cl_event>();
  eventOut_ = out;
  return event_->id;
}

cl_event Call::readEvent(cl_event* out) {
  if (failed()) return nullptr;
  event_ = Driver::instance().newProxy<_cl_event>();
  event_->awaitsData = true;
  eventOut_ = out;
  return event_;
}

std::uint64_t Call::platformId(cl_context_properties value) {
  auto* p = checked(reinterpret_cast<cl_platform_id>(value));
  if (p == nullptr) {
    fail(CL_INVALID_PLATFORM);
    return 0;
  }
  useConnection(connectionOf(p));
  return p->id;
}

namespace {
// A call's name in traces: the entry point's, also for remote-cl's own calls
// that stand for one (a shared map, every device information at once, a
// kernel's launch information: codegen/private_calls.toml).
const char* traceName(CallId call) { return protocol::entryPointName(protocol::wireId(call)); }
}  // namespace

void Call::traced(bool roundTrip, cl_int status, std::size_t bytesOut, std::size_t bytesIn) {
  Tracer* tracer = Driver::instance().tracer();
  if (tracer == nullptr) return;
  const char* name = traceName(call_);
  tracer->record(name != nullptr ? name : "?", start_, Tracer::Clock::now(), bytesOut, bytesIn, roundTrip, status);
}

Connection* Call::target() {
  if (connection_ == nullptr) connection_ = Driver::instance().defaultConnection();
  return connection_;
}

namespace {

// How the timeline names a command: its kernel's function name, or the call.
std::string commandName(CallId call, cl_kernel kernel) {
  if (kernel != nullptr) {
    std::lock_guard lock(kernel->infoMutex);
    if (kernel->functionName.empty()) {
      char name[256] = {};
      if (askInfo<protocol::opencl::clGetKernelInfoRequest>(CallId::clGetKernelInfo, kernel, CL_KERNEL_FUNCTION_NAME,
                                                            sizeof name - 1, name, nullptr) == CL_SUCCESS)
        kernel->functionName = name;
    }
    return "kernel " + (kernel->functionName.empty() ? std::string("?") : kernel->functionName);
  }
  const char* name = traceName(call);
  std::string s = name != nullptr ? name : "?";
  return s.rfind("clEnqueue", 0) == 0 ? s.substr(9) : s;
}

}  // namespace

void Call::traceCommandAfterSend(bool sent) {
  cl_event event = std::exchange(tracedCommand_, nullptr);
  if (event == nullptr || !sent) return;
  Tracer* tracer = Driver::instance().tracer();
  whenComplete(event, [tracer, event, queue = queue_->id, name = commandName(call_, kernel_)](cl_int status) {
    tracer->recordCommand(name, queue, Tracer::Clock::now(), std::chrono::nanoseconds(event->ranNs), status);
    unhold(event);
  });
}

Reply Call::sync() {
  Connection* c = failed() ? nullptr : target();
  if (c == nullptr) {
    if (!failed()) fail(CL_OUT_OF_RESOURCES);
    settleNew(false);
    return Reply(*this, status_, std::nullopt);
  }
  prepareNew(c);
  const std::size_t sent = writer_.bytes();
  const std::uint64_t inFlight = c->sharedFdsInFlight().mark();
  auto result = c->roundTrip(writer_, seqOffset_);
  if (result.reply) c->sharedFdsInFlight().settled(inFlight);  // the worker ran every call sent before
  settleNew(result.status == CL_SUCCESS);
  traceCommandAfterSend(result.status == CL_SUCCESS);
  traced(true, result.status, sent, result.reply ? result.reply->bytes() : 0);
  return Reply(*this, result.status, std::move(result.reply));
}

cl_int Call::post(bool awaited) {
  Connection* c = failed() ? nullptr : target();
  if (c == nullptr) {
    if (!failed()) fail(CL_OUT_OF_RESOURCES);
    settleNew(false);
    return status_;
  }
  if (c->synchronous()) return sync().status();
  prepareNew(c);
  const std::size_t sent = writer_.bytes();
  const cl_int status = c->send(writer_, seqOffset_);
  settleNew(status == CL_SUCCESS);
  traceCommandAfterSend(status == CL_SUCCESS);
  traced(awaited && status == CL_SUCCESS, status, sent, 0);
  return status;
}

Reply::Reply(Call& call, cl_int status, std::optional<protocol::Reader> reader)
    : status_(status), connection_(call.connection_), context_(call.context_), first_(call.first_),
      reader_(std::move(reader)) {}

void Reply::malformed(const protocol::DecodeError& e) {
  log().warn("remote-cl: malformed reply: {}", e.what());
  reader_.reset();
}

}  // namespace rcl::icd
