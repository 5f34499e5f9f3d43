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

cl_context contextOf(Object* o) {
  switch (o->kind) {
    case ObjectKind::Context: return static_cast<cl_context>(o);
    case ObjectKind::Queue: return static_cast<cl_command_queue>(o)->context;
    case ObjectKind::Mem: return static_cast<cl_mem>(o)->context;
    case ObjectKind::Program: return static_cast<cl_program>(o)->context;
    case ObjectKind::Kernel: return static_cast<cl_kernel>(o)->context;
    case ObjectKind::Event: return static_cast<cl_event>(o)->context;
    case ObjectKind::Sampler: return static_cast<cl_sampler>(o)->context;
    case ObjectKind::CommandBuffer: return static_cast<cl_command_buffer_khr>(o)->context;
    default: return nullptr;
  }
}

void setContext(Object* o, cl_context c) {
  switch (o->kind) {
    case ObjectKind::Queue: static_cast<cl_command_queue>(o)->context = c; break;
    case ObjectKind::Mem: static_cast<cl_mem>(o)->context = c; break;
    case ObjectKind::Program: static_cast<cl_program>(o)->context = c; break;
    case ObjectKind::Kernel: static_cast<cl_kernel>(o)->context = c; break;
    case ObjectKind::Event: static_cast<cl_event>(o)->context = c; break;
    case ObjectKind::Sampler: static_cast<cl_sampler>(o)->context = c; break;
    case ObjectKind::CommandBuffer: static_cast<cl_command_buffer_khr>(o)->context = c; break;
    default: break;
  }
}

namespace {

void discard(Object* o) {
  if (o->connection != nullptr) o->connection->untrack(o);
  o->live = false;
  o->refs = 0;
  o->lifetime = 0;
  Driver::instance().recycle(o);
}

}  // namespace

Call::Call(CallId call) : call_(call) {
  if (Driver::instance().tracer() != nullptr) start_ = Tracer::Clock::now();
  writer_.integer(Kind::Request);
  seqOffset_ = writer_.reserveU64();
  writer_.integer(static_cast<std::uint16_t>(call));
}

Call::~Call() {
  // A call abandoned before it ran (never in generated code) loses nothing.
  if (created_ != nullptr && !created_->live) discard(created_);
  if (event_ != nullptr && !event_->live) discard(event_);
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

void Call::waitList(const cl_event* list, cl_uint n) {
  if (failed()) return;
  if ((list == nullptr) != (n == 0)) return fail(CL_INVALID_EVENT_WAIT_LIST);
  if (list == nullptr) return writer_.nil();
  writer_.array(n);
  for (cl_uint i = 0; i < n; ++i) {
    cl_event e = checked(list[i]);
    if (e == nullptr || !useConnection(e->connection)) return fail(CL_INVALID_EVENT_WAIT_LIST);
    if (queue_ != nullptr && e->context != context_) return fail(CL_INVALID_CONTEXT);
    writer_.u64(e->id);
  }
}

void Call::string(const char* s) {
  if (failed()) return;
  if (s == nullptr) return writer_.nil();
  writer_.str(s);
}

void Call::strings(const char** list, cl_uint count, const size_t* lengths) {
  if (failed()) return;
  if (list == nullptr) return writer_.nil();
  writer_.array(count);
  for (cl_uint i = 0; i < count; ++i) {
    if (list[i] == nullptr) return fail(CL_INVALID_VALUE);
    const std::size_t n = lengths != nullptr && lengths[i] != 0 ? lengths[i] : std::strlen(list[i]);
    writer_.str(std::string_view(list[i], n));
  }
}

void Call::programSource(const char** list, cl_uint count, const size_t* lengths) {
  strings(list, count, lengths);
  if (failed() || list == nullptr || created_ == nullptr || created_->kind != ObjectKind::Program) return;
  std::string& source = static_cast<cl_program>(created_)->source;
  for (cl_uint i = 0; i < count; ++i) {
    if (lengths != nullptr && lengths[i] != 0) source.append(list[i], lengths[i]);
    else source.append(list[i]);
    source += '\n';
  }
}

void Call::buildOptions(const char* options) {
  if (failed()) return;
  const std::string* source = nullptr;
  if (first_ != nullptr && first_->kind == ObjectKind::Program) {
    auto* program = static_cast<cl_program>(first_);
    source = &program->source;
    // A new build may give its kernels other arguments.
    std::lock_guard lock(program->functionsMutex);
    program->functions.clear();
    program->kernelNames.reset();
  }
  if (source == nullptr || source->empty()) return protocol::writeIncludeBundle(writer_, options, nullptr);
  const protocol::IncludeBundle bundle = bundleIncludes(options, *source);
  protocol::writeIncludeBundle(writer_, options, &bundle);
}

void Call::blobs(const unsigned char** list, cl_uint count, const size_t* lengths) {
  if (failed()) return;
  if (list == nullptr || lengths == nullptr) return writer_.nil();
  writer_.array(count);
  for (cl_uint i = 0; i < count; ++i) {
    if (list[i] == nullptr) writer_.nil();
    else writer_.bulkCopy(list[i], lengths[i]);
  }
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

void Call::bulkBorrow(const void* bytes, std::size_t size) {
  if (failed()) return;
  if (bytes == nullptr) return writer_.nil();
  lend(bytes, size, nullptr);
}

void Call::bulkChunks(const void* bytes, std::size_t size, SendLatch* sent) {
  if (failed()) return;
  if (bytes == nullptr) return writer_.nil();
  const std::size_t chunks = protocol::chunkCount(size);
  writer_.array(static_cast<std::uint32_t>(chunks));
  const auto* p = static_cast<const unsigned char*>(bytes);
  for (std::size_t i = 0; i < chunks; ++i)
    lend(p + i * protocol::kBulkChunk, std::min(protocol::kBulkChunk, size - i * protocol::kBulkChunk), sent);
}

void Call::wants(const void* out) {
  if (failed()) return;
  writer_.boolean(out != nullptr);
}

void Call::event(cl_event* out) {
  if (failed()) return;
  // Tracing: every command gets an event, so its device time can be shown.
  if (out == nullptr && Driver::instance().tracer() == nullptr) return writer_.nil();
  event_ = Driver::instance().newProxy<_cl_event>();
  eventOut_ = out;
  writer_.u64(event_->id);
}

cl_event Call::readEvent(cl_event* out) {
  if (failed()) return nullptr;
  event_ = Driver::instance().newProxy<_cl_event>();
  event_->awaitsData = true;
  eventOut_ = out;
  writer_.u64(event_->id);
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

std::uint64_t Call::registerCallback(CallbackKind kind, void (*fn)(), void* userData) {
  Connection* c = target();
  if (c == nullptr) return 0;
  Object* object = created_ != nullptr ? created_ : first_;
  RemoteCallback cb;
  switch (kind) {
    case CallbackKind::context_notify: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(const char*, const void*, size_t, void*)>(fn);
      cb.once = false;
      cb.run = [f, userData](protocol::Reader& r) {
        const auto args = protocol::push::CallbackArgs<CallbackKind::context_notify>::decode(r);
        f(args.errinfo.c_str(), args.private_info.data(), args.private_info.size(), userData);
      };
      break;
    }
    case CallbackKind::program_notify: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(cl_program, void*)>(fn);
      cb.run = [f, object, userData](protocol::Reader& r) {
        protocol::push::CallbackArgs<CallbackKind::program_notify>::decode(r);
        f(static_cast<cl_program>(object), userData);
      };
      break;
    }
    case CallbackKind::event_notify: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(cl_event, cl_int, void*)>(fn);
      cb.run = [f, object, userData](protocol::Reader& r) {
        const auto args = protocol::push::CallbackArgs<CallbackKind::event_notify>::decode(r);
        f(static_cast<cl_event>(object), args.status, userData);
      };
      break;
    }
    case CallbackKind::mem_destructor: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(cl_mem, void*)>(fn);
      cb.run = [f, object, userData](protocol::Reader& r) {
        protocol::push::CallbackArgs<CallbackKind::mem_destructor>::decode(r);
        f(static_cast<cl_mem>(object), userData);
      };
      break;
    }
    case CallbackKind::context_destructor: {
      auto f = reinterpret_cast<void(CL_CALLBACK*)(cl_context, void*)>(fn);
      cb.run = [f, object, userData](protocol::Reader& r) {
        protocol::push::CallbackArgs<CallbackKind::context_destructor>::decode(r);
        f(static_cast<cl_context>(object), userData);
      };
      break;
    }
  }
  return c->addCallback(std::move(cb));
}

void Call::prepareNew(Connection* c) {
  if (created_ != nullptr) {
    setContext(created_, context_);
    activate(created_, c);
    if (created_->kind == ObjectKind::Kernel && first_ != nullptr && first_->kind == ObjectKind::Kernel) {
      // clCloneKernel: the copy has the original's arguments.
      auto* from = static_cast<cl_kernel>(first_);
      auto* to = static_cast<cl_kernel>(created_);
      std::lock_guard lock(from->infoMutex);
      to->acceptedArgs = from->acceptedArgs;
      to->function = from->function;
      to->uniformGroups = from->uniformGroups;
    }
    if (created_->kind == ObjectKind::Kernel && first_ != nullptr && first_->kind == ObjectKind::Program)
      static_cast<cl_kernel>(created_)->uniformGroups = static_cast<cl_program>(first_)->uniformGroups;  // clCreateKernel
    if (created_->kind == ObjectKind::Event) {  // clCreateUserEvent
      static_cast<cl_event>(created_)->status = CL_SUBMITTED;
      static_cast<cl_event>(created_)->commandType = CL_COMMAND_USER;
    }
  }
  if (event_ != nullptr) {
    event_->context = context_;
    event_->queue = queue_;
    activate(event_, c);
    if (eventOut_ == nullptr) {
      // Only the client holds it (a read the application did not ask an
      // event of); the server's is released once the client is done with it.
      event_->live = false;
      event_->refs = 0;
      event_->lifetime = 0;
      event_->releaseWhenDone = true;
    }
    // A read is held until its bytes arrive, and by its queue until clFinish.
    if (event_->awaitsData) event_->lifetime += 2;
    if (queue_ != nullptr && protocol::mayEnqueue(call_)) hold(event_);  // the queue's last command, for clFinish
    if (queue_ != nullptr && Driver::instance().tracer() != nullptr) {
      hold(event_);  // until its device time is recorded
      tracedCommand_ = event_;
    }
  }
}

namespace {

// How the timeline names a command: its kernel's function name, or the call.
std::string commandName(CallId call, cl_kernel kernel) {
  if (kernel != nullptr) {
    std::lock_guard lock(kernel->infoMutex);
    if (kernel->functionName.empty()) {
      Call query(CallId::clGetKernelInfo);
      query.handle(kernel);
      query.scalar(CL_KERNEL_FUNCTION_NAME);
      char name[256] = {};
      if (query.info(CL_KERNEL_FUNCTION_NAME, sizeof name - 1, name, nullptr) == CL_SUCCESS) kernel->functionName = name;
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

void Call::settleNew(bool ok) {
  if (ok && queue_ != nullptr && protocol::mayEnqueue(call_)) noteLastCommand(queue_, event_);  // its hold goes too
  if (created_ != nullptr && !ok) discard(created_);
  if (event_ != nullptr) {
    if (!ok) discard(event_);
    else if (eventOut_ != nullptr) *eventOut_ = event_;
  }
  created_ = nullptr;
  event_ = nullptr;
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
  auto result = c->roundTrip(writer_, seqOffset_);
  settleNew(result.status == CL_SUCCESS);
  traceCommandAfterSend(result.status == CL_SUCCESS);
  traced(true, result.status, sent, result.reply ? result.reply->bytes() : 0);
  return Reply(*this, result.status, std::move(result.reply));
}

cl_int Call::post() {
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
  traced(false, status, sent, 0);
  return status;
}

namespace {

// Platform and device information never changes: the client keeps it (but
// for a device's reference count and its free memory); so do the values the
// annotations call immutable (kept until the proxy is recycled: driver.cpp).
bool cacheable(CallId call, cl_uint param) {
  if (call == CallId::clGetPlatformInfo) return true;
  if (call == CallId::clGetDeviceInfo)
    return param != CL_DEVICE_REFERENCE_COUNT && param != CL_DEVICE_GLOBAL_FREE_MEMORY_AMD;
  return protocol::infoImmutable(call, param);
}

// Info values name objects by id: this side's proxies replace them.
void translateHandles(Connection& connection, const InfoResult& shape, std::vector<unsigned char>& bytes) {
  auto translate = [&](std::size_t offset) {
    std::uint64_t id;
    std::memcpy(&id, bytes.data() + offset, sizeof id);
    Object* o = id != 0 ? connection.find(id) : nullptr;
    std::memcpy(bytes.data() + offset, &o, sizeof o);
  };
  switch (shape.shape) {
    case InfoResult::Shape::Handle:
    case InfoResult::Shape::Handles:
      for (std::size_t off = 0; off + 8 <= bytes.size(); off += 8) translate(off);
      break;
    case InfoResult::Shape::ContextProperties:
      for (std::size_t off = 0; off + 16 <= bytes.size(); off += 16) {
        cl_context_properties key;
        std::memcpy(&key, bytes.data() + off, sizeof key);
        if (key == CL_CONTEXT_PLATFORM) translate(off + 8);
      }
      break;
    default:
      break;
  }
}

}  // namespace

void Call::askAllDeviceInfo(InfoCache& cache) {
  cache.setAskedAll(first_);  // once, whatever comes of it (an older server: single queries)
  Call all(CallId::DeviceInfoAll);
  all.handle(static_cast<cl_device_id>(first_));
  Reply reply = all.sync();
  protocol::Reader* r = reply.reader();
  if (reply.status() != CL_SUCCESS || r == nullptr || connection_ == nullptr) return;
  std::map<cl_uint, std::vector<unsigned char>> values;
  std::map<cl_uint, cl_int> refused;
  try {
    for (std::uint32_t n = r->array(); n > 0; --n) {
      if (r->array() != 2) throw protocol::DecodeError("a value is not [param, bytes]");
      const auto param = r->integer<cl_uint>();
      const auto bytes = r->bin();
      values[param].assign(bytes.begin(), bytes.end());
    }
    for (std::uint32_t n = r->array(); n > 0; --n) {
      if (r->array() != 2) throw protocol::DecodeError("a refusal is not [param, status]");
      const auto param = r->integer<cl_uint>();
      refused[param] = r->integer<cl_int>();
    }
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed device information: {}", e.what());
    return;
  }
  for (const auto& range : protocol::kDeviceInfoRanges) {
    for (cl_uint param = range.first; param <= range.last; ++param) {
      if (!cacheable(call_, param)) continue;
      if (auto it = values.find(param); it != values.end()) {
        translateHandles(*connection_, protocol::infoResult(call_, param), it->second);
        cache.store(first_, param, it->second);
      } else {
        const auto no = refused.find(param);
        cache.storeRefusal(first_, param, no != refused.end() ? no->second : CL_INVALID_VALUE);
      }
    }
  }
}

cl_int Call::info(cl_uint param, size_t size, void* value, size_t* size_ret) {
  if (failed()) return status_;
  const InfoResult shape = protocol::infoResult(call_, param);
  std::vector<unsigned char> bytes;
  std::vector<std::string> binaries;

  auto* cache = first_ != nullptr ? &Driver::instance().infoCache() : nullptr;
  const bool useCache = cache != nullptr && cacheable(call_, param);
  cl_int cached = CL_SUCCESS;
  bool known = useCache && cache->find(first_, param, bytes, cached);
  if (!known && useCache && call_ == CallId::clGetDeviceInfo && protocol::inDeviceInfoRanges(param) &&
      !cache->askedAll(first_)) {
    askAllDeviceInfo(*cache);
    known = cache->find(first_, param, bytes, cached);
  }
  if (known && cached != CL_SUCCESS) return cached;
  if (!known && shape.shape != InfoResult::Shape::ProgramBinaries) {
    if (const cl_int status = infoValue(param, bytes); status != CL_SUCCESS) return status;
    if (useCache) cache->store(first_, param, bytes);
  } else if (!known) {
    Reply reply = sync();
    if (reply.status() != CL_SUCCESS) return reply.status();
    protocol::Reader* r = reply.reader();
    if (r == nullptr) return CL_OUT_OF_RESOURCES;
    try {
      const std::uint32_t n = r->array();
      for (std::uint32_t i = 0; i < n; ++i) {
        auto& frame = r->bulk();
        binaries.emplace_back(static_cast<const char*>(frame.data()), frame.size());
      }
      bytes.resize(n * sizeof(void*));
    } catch (const protocol::DecodeError& e) {
      log().warn("remote-cl: malformed info reply: {}", e.what());
      return CL_OUT_OF_RESOURCES;
    }
    if (useCache) cache->store(first_, param, bytes);
  }

  if (value != nullptr) {
    if (size < bytes.size()) return CL_INVALID_VALUE;
    if (shape.shape == InfoResult::Shape::ProgramBinaries) {
      auto** out = static_cast<unsigned char**>(value);
      for (std::size_t i = 0; i < binaries.size(); ++i)
        if (out[i] != nullptr) std::memcpy(out[i], binaries[i].data(), binaries[i].size());
    } else if (!bytes.empty()) {
      std::memcpy(value, bytes.data(), bytes.size());
    }
  }
  if (size_ret != nullptr) *size_ret = bytes.size();
  return CL_SUCCESS;
}

cl_int Call::infoValue(cl_uint param, std::vector<unsigned char>& bytes) {
  if (failed()) return status_;
  const InfoResult shape = protocol::infoResult(call_, param);
  if (shape.shape == InfoResult::Shape::ProgramBinaries) return CL_INVALID_VALUE;
  Reply reply = sync();
  if (reply.status() != CL_SUCCESS) return reply.status();
  protocol::Reader* r = reply.reader();
  if (r == nullptr) return CL_OUT_OF_RESOURCES;
  try {
    const auto b = r->bin();
    bytes.assign(b.begin(), b.end());
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed info reply: {}", e.what());
    return CL_OUT_OF_RESOURCES;
  }
  translateHandles(*connection_, shape, bytes);
  return CL_SUCCESS;
}

Reply::Reply(Call& call, cl_int status, std::optional<protocol::Reader> reader)
    : status_(status), connection_(call.connection_), context_(call.context_), reader_(std::move(reader)) {}

void Reply::readBytes(void* p, std::size_t size, bool write) {
  if (!reader_) return;
  try {
    if (reader_->isNil()) return;
    const auto b = reader_->bin();
    if (write && p != nullptr) std::memcpy(p, b.data(), std::min(size, b.size()));
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed reply: {}", e.what());
    reader_.reset();
  }
}

}  // namespace rcl::icd
