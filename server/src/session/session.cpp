#include "rcl/server/session/session.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <unistd.h>
#include <map>

#include <spdlog/spdlog.h>

#include "rcl/protocol/bulk_crypt.h"
#include "rcl/protocol/bulk_socket.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/control.h"
#include "rcl/protocol/device_info.h"
#include "rcl/protocol/extension_calls.h"
#include "rcl/protocol/kernel_launch_info.h"
#include "rcl/protocol/pushes.h"
#include "rcl/protocol/shm.h"
#include "rcl/server/data/bulk_channel.h"
#include "rcl/server/data/direct_copy.h"
#include "rcl/server/data/shared_buffers.h"
#include "rcl/server/data/shm_segment.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/custom_handlers.h"
#include "rcl/server/handlers/device_info_all.h"
#include "rcl/server/handlers/kernel_launch_info.h"
#include "rcl/server/handlers/extension_functions.h"
#include "rcl/server/session/outbox.h"
#include "rcl/server/support/security.h"
#include "rcl/server/data/transfers.h"
#include "rcl/server/ops/extension_handler.h"

namespace rcl::server {

using protocol::Kind;

using Clock = std::chrono::steady_clock;

Session::Session(zmq::context_t& zmq, const std::string& bindTo, std::uint64_t id, std::string client,
                 const std::vector<ExposedPlatform>& platforms, SessionOptions options)
    : id_(id), client_(std::move(client)), bindTo_(bindTo), options_(options), socket_(zmq, zmq::socket_type::router),
      lastHeard_(Clock::now()), outbox_(std::make_shared<Outbox>()) {
  socket_.set(zmq::sockopt::router_mandatory, 1);
  socket_.set(zmq::sockopt::sndhwm, 0);
  socket_.set(zmq::sockopt::rcvhwm, 0);
  socket_.set(zmq::sockopt::linger, 0);
  bindSecurely(socket_, bindTo, options_.security.get());  // CURVE, and the loopback rule
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  try {
    watch_ = std::make_unique<protocol::LinkWatch>(zmq, socket_, fmt::format("session-{:016x}", id_));
  } catch (const zmq::error_t& e) {
    spdlog::debug("session {:016x}: no watch on its connections ({}); a dead client is found by its silence", id_,
                  e.what());
  }
  for (const auto& p : platforms) {
    PlatformIds ids{table_.idOrAdopt(p.platform, ObjectKind::Platform), {}};
    for (cl_device_id d : p.devices) ids.devices.push_back(table_.idOrAdopt(d, ObjectKind::Device));
    platformIds_.push_back(std::move(ids));
  }
  // Platforms and root devices are never released: their count is fixed at one.
  table_.pinAll();
  std::lock_guard role(roleMutex_);
  threads_.emplace_back([this] { threadMain(true); });
  threads_.emplace_back([this] { threadMain(false); });  // the spare that watches it
}

Session::~Session() {
  close("server shutting down");
  for (;;) {  // the leader ends the session, then every spare leaves
    std::thread thread;
    {
      std::lock_guard role(roleMutex_);
      if (threads_.empty()) break;
      thread = std::move(threads_.back());
      threads_.pop_back();
    }
    thread.join();
  }
}

void Session::close(std::string reason, std::string detail) {
  {
    std::lock_guard lock(closeMutex_);
    if (closing_) return;
    closing_ = true;
    closeReason_ = std::move(reason);
    closeDetail_ = std::move(detail);
  }
  outbox_->wake();
}

void* Session::newCallbackTarget(std::uint64_t callbackId) {
  return callbackTargets_.add(CallbackTarget{outbox_, callbackId});
}

void Session::send(protocol::Frames frames) { reply(0, std::move(frames)); }

void Session::reply(std::uint64_t seq, protocol::Frames frames) {
  // A call that a spare took the lead from answers through the outbox: the
  // socket is the leader's.
  std::unique_lock socket(socketMutex_, std::try_to_lock);
  if (!socket.owns_lock() || !isLeader()) return outbox_->post(std::move(frames), seq);
  sendNow(seq, std::move(frames));
}

void Session::sendNow(std::uint64_t seq, protocol::Frames frames) {
  const std::uint32_t slot = static_cast<std::uint32_t>(protocol::replySlotOf(seq));
  if (slot == 0 && !attached_) return;
  const auto to = slot == 0 ? control_ : protocol::makeRoutingId(id_, protocol::Channel::Reply, slot);
  forwardOutput(to);
  for (const auto& f : frames) stats_.bytesOut += f.size();
  try {
    protocol::sendFrames(socket_, frames, to.data(), to.size(), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    spdlog::debug("session {:016x}: dropped a message: {}", id_, e.what());
  }
}

void Session::forwardOutput(const protocol::RoutingId& to) {
  const int fd = outputFd_;
  if (fd < 0) return;
  std::fflush(stdout);
  std::string bytes;
  char buffer[65536];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) bytes.append(buffer, static_cast<std::size_t>(n));
  if (bytes.empty()) return;
  // In pieces the client takes (push::Output::kBytesMax).
  for (std::size_t at = 0; at < bytes.size(); at += protocol::push::Output::kBytesMax) {
    auto frames = protocol::push::Output{.bytes = bytes.substr(at, protocol::push::Output::kBytesMax)}.frames();
    try {
      protocol::sendFrames(socket_, frames, to.data(), to.size(), zmq::send_flags::dontwait);
    } catch (const zmq::error_t&) {
    }
  }
}

void Session::onMessage(protocol::Frames frames) {
  if (frames.size() < 2) return;
  zmq::message_t routing = std::move(frames.front());
  frames.erase(frames.begin());
  std::uint64_t session = 0;
  protocol::Channel channel{};
  if (!protocol::parseRoutingId(routing, session, channel) || session != id_) {
    spdlog::warn("session {:016x}: a message from another client; ignored", id_);
    return;
  }
  lastHeard_ = Clock::now();
  if (channel != protocol::Channel::Calls) {
    const int sourceFd = protocol::sourceFd(frames.front());  // a body frame: the routing id has none
    return onControl(routing, channel, std::move(frames), sourceFd);
  }
  handle(std::move(frames));
  noteHoldings();
}

void Session::noteHoldings() {
  stats_.peakObjects = std::max(stats_.peakObjects, table_.size());
  stats_.peakMemoryBytes = std::max(stats_.peakMemoryBytes, table_.memoryBytes() + svm_.bytes());
  stats_.objects = table_.objectCount() + svm_.count();
  stats_.memoryBytes = table_.memoryBytes() + svm_.bytes();
}

void Session::onControl(const zmq::message_t& routing, protocol::Channel channel, protocol::Frames message,
                        int sourceFd) {
  std::uint64_t seq = 0;
  try {
    protocol::Reader reader(std::move(message));
    const auto kind = reader.integer<Kind>();
    seq = reader.u64();
    if (kind == Kind::Ping) return;
    if (kind != Kind::Request) throw protocol::DecodeError("unexpected message on the control channel");
    switch (reader.integer<protocol::ControlCall>()) {
      case protocol::ControlCall::Attach: {
        // A socket says it is connected: from now on it can be answered.
        protocol::Writer w;
        w.integer(Kind::Reply);
        w.u64(seq);
        w.i64(CL_SUCCESS);
        auto frames = w.finish();
        if (channel == protocol::Channel::Control) {
          std::memcpy(control_.data(), routing.data(), control_.size());
          controlFd_ = sourceFd;
          attached_ = true;
          deviceTimes_ = !reader.atEnd() && reader.boolean();
          return send(std::move(frames));
        }
        try {
          protocol::sendFrames(socket_, frames, routing.data(), routing.size(), zmq::send_flags::dontwait);
        } catch (const zmq::error_t&) {
        }
        return;
      }
      case protocol::ControlCall::Goodbye:
        return close("client said goodbye");
      case protocol::ControlCall::ShmAttach:
        return attachShm(reader, seq);
      case protocol::ControlCall::BulkAttach:
        return attachBulk(reader, seq);
      default:
        throw protocol::DecodeError("unknown control call");
    }
  } catch (const protocol::DecodeError& e) {
    spdlog::warn("session {:016x}: malformed control message: {}", id_, e.what());
    sendError(seq, CL_INVALID_VALUE, std::string("malformed control message: ") + e.what());
  }
}

void Session::attachShm(protocol::Reader& reader, std::uint64_t seq) {
  const std::string name = reader.str();
  const auto slots = reader.u64();
  const auto slotBytes = reader.u64();
  try {
    if (shm_) throw CallError(CL_INVALID_OPERATION, "the session has shared memory already");
    shm_ = std::make_shared<ShmSegment>(name, slots, slotBytes);
  } catch (const CallError& e) {
    spdlog::debug("session {:016x}: no shared memory: {}", id_, e.what());
    return sendError(seq, e.status(), e.what());
  }
  // Optional: the client's pid and where its own mapping of the segment
  // starts, for direct copies (direct_copy.h) if this worker can read it there.
  if (!reader.atEnd()) {
    const auto pid = reader.integer<pid_t>();
    const auto header = reader.u64();
    if (DirectCopier::probe(pid, header, shm_->header(), sizeof(protocol::shm::Header))) {
      direct_ = std::make_shared<DirectCopier>(pid);
      sharedBuffers_ = std::make_shared<SharedBuffers>(pid);
    }
  }
  spdlog::info("session {:016x}: shared memory of {} x {} bytes{}", id_, slots, slotBytes,
               direct_ ? ", direct copies" : "");
  protocol::Writer w;
  w.integer(Kind::Reply);
  w.u64(seq);
  w.i64(CL_SUCCESS);
  w.u64(shm_->cookie());
  w.boolean(direct_ != nullptr);
  send(w.finish());
}

void Session::attachBulk(protocol::Reader& reader, std::uint64_t seq) {
  const auto lanes = reader.atEnd() ? 1 : std::clamp<std::uint64_t>(reader.u64(), 1, protocol::bulk::kMaxLanes);
  const bool encrypted = !reader.atEnd() && reader.boolean();  // the client can seal its lanes (bulk_crypt.h)
  const std::string host = protocol::bulk::tcpHost(endpoint_);
  if (host.empty()) return sendError(seq, CL_INVALID_OPERATION, "a bulk socket is for tcp:// sessions");
  const bool curve = options_.security && options_.security->curve();
  if (curve && !encrypted)
    return sendError(seq, CL_INVALID_OPERATION, "with CURVE, bulk data stays on the encrypted sockets");
  if (bulk_) return sendError(seq, CL_INVALID_OPERATION, "the session has a bulk socket already");
  // Over CURVE (this very answer travels encrypted): two fresh keys, one a direction.
  std::optional<protocol::bulk::LaneKeys> keys;
  if (curve) {
    keys.emplace();
    if (!protocol::bulk::drawKeys(*keys)) return sendError(seq, CL_OUT_OF_RESOURCES, "no random bytes for lane keys");
  }
  std::string error;
  bulk_ = BulkChannel::open(host, sessionPortRange(bindTo_), static_cast<unsigned>(lanes), options_.maxMessageBytes,
                            stats_.bytesIn, stats_.bytesOut, error, keys ? &*keys : nullptr);
  if (!bulk_) return sendError(seq, CL_OUT_OF_RESOURCES, error);
  spdlog::info("session {:016x}: bulk socket on {} port {}, {} lane{}{}", id_, host, bulk_->port(), bulk_->lanes(),
               bulk_->lanes() == 1 ? "" : "s", keys ? ", encrypted (AES-256-GCM)" : "");
  protocol::Writer w;
  w.integer(Kind::Reply);
  w.u64(seq);
  w.i64(CL_SUCCESS);
  w.u64(bulk_->port());
  w.bin(bulk_->token().data(), bulk_->token().size());
  w.u64(bulk_->lanes());
  if (keys) {
    w.bin(keys->toServer.data(), keys->toServer.size());
    w.bin(keys->toClient.data(), keys->toClient.size());
  }
  send(w.finish());
  // Copies of the keys live only in the channel's ciphers.
  if (keys) protocol::bulk::wipe(*keys);
}

void Session::runHeld(std::function<void()> work, std::function<void()> done) {
  held_ = true;
  heldDone_ = false;
  heldThen_ = std::move(done);
  blocking_.run([this, work = std::move(work)] {
    work();
    heldDone_ = true;
    outbox_->wake();
  });
}

void Session::heartbeat() {
  // While no call is read, the client's pings wait in the socket: it counts as heard.
  if (readingPaused()) lastHeard_ = Clock::now();
  if (Clock::now() - lastHeard_ > options_.clientTimeout) {
    close("client silent", fmt::format("for more than {} ms", options_.clientTimeout.count()));
    return;
  }
  sendNow(0, protocol::push::Ping{}.frames());
}


void Session::runCall(protocol::Reader& reader, std::uint64_t seq, protocol::CallId call, Handler handler) {
  CallContext ctx(*this, reader, seq, call, /*holdsState=*/true);
  try {
    handler(ctx);
  } catch (const CallError& e) {
    spdlog::debug("session {:016x}: {} failed: {} ({})", id_, protocol::callName(static_cast<std::uint16_t>(call)),
                  e.what(), e.status());
    ctx.fail(e.status(), e.what());
  }
  ctx.finish();
}

void Session::handle(protocol::Frames frames) {
  std::uint64_t seq = 0;
  std::size_t bytesIn = 0;
  for (const auto& f : frames) bytesIn += f.size();
  stats_.bytesIn += bytesIn;
  try {
    protocol::Reader reader(std::move(frames));
    if (reader.integer<Kind>() != Kind::Request) throw protocol::DecodeError("expected a request");
    seq = reader.u64();
    const auto callId = reader.integer<std::uint16_t>();
    if (bytesIn > options_.maxMessageBytes)
      throw CallError(CL_OUT_OF_RESOURCES, fmt::format("request of {} bytes, over this server's limit", bytesIn));
    if (callId >= protocol::kFirstExtensionCall) return ops::handleExtensionCall(*this, reader, seq, callId);
    if (callId == protocol::wireId(protocol::CallId::SharedCopied)) {  // (no reply)
      if (sharedBuffers_) sharedBuffers_->copied(reader.u64());
      return;
    }
    if (const StandInCall* standIn = standInCall(callId)) return runCall(reader, seq, standIn->standsFor, standIn->run);  // (generated: stand_in_calls.cpp)
    if (callId >= protocol::kCallIdCount || kHandlers[callId] == nullptr)
      throw protocol::DecodeError("call " + std::to_string(callId) + " is not one the server runs");
    if (kRunsLong[callId]) return handleHeld(std::move(reader), seq, static_cast<protocol::CallId>(callId));
    runCall(reader, seq, static_cast<protocol::CallId>(callId), kHandlers[callId]);
  } catch (const protocol::DecodeError& e) {
    ++stats_.failedCalls;
    spdlog::warn("session {:016x}: malformed request: {}", id_, e.what());
    sendError(seq, CL_INVALID_VALUE, std::string("malformed request: ") + e.what());
  } catch (const CallError& e) {
    ++stats_.failedCalls;
    spdlog::warn("session {:016x}: refused a request: {}", id_, e.what());
    sendError(seq, e.status(), e.what());
  } catch (const std::exception& e) {
    ++stats_.failedCalls;
    spdlog::error("session {:016x}: request failed: {}", id_, e.what());
    sendError(seq, CL_OUT_OF_HOST_MEMORY, e.what());
  }
}

void Session::handleHeld(protocol::Reader reader, std::uint64_t seq, protocol::CallId call) {
  struct Held {
    protocol::Reader reader;
    std::optional<CallContext> ctx;
    std::optional<std::string> malformed;  // a decoding error: answered as Kind::Error, like any other
  };
  auto held = std::make_shared<Held>(Held{std::move(reader), std::nullopt, std::nullopt});
  runHeld(
      [this, held, seq, call] {
        // The session's state (its handle table: clLinkProgram adopts the
        // program it makes) is the held call's, as a leader's call's is,
        // but while it is inside the real platform (ctx.outside).
        std::lock_guard state(stateMutex_);
        held->ctx.emplace(*this, held->reader, seq, call, /*holdsState=*/true);
        auto& ctx = *held->ctx;
        try {
          kHandlers[static_cast<std::uint16_t>(call)](ctx);
        } catch (const CallError& e) {
          ctx.fail(e.status(), e.what());
        } catch (const protocol::DecodeError& e) {
          held->malformed = e.what();
        } catch (const std::exception& e) {
          ctx.fail(CL_OUT_OF_HOST_MEMORY, e.what());
        }
      },
      [this, held, seq] {
        if (!held->malformed) return held->ctx->finish();
        ++stats_.failedCalls;
        spdlog::warn("session {:016x}: malformed request: {}", id_, *held->malformed);
        sendError(seq, CL_INVALID_VALUE, "malformed request: " + *held->malformed);
      });
}

void Session::sendError(std::uint64_t seq, cl_int status, const std::string& message) {
  reply(seq, protocol::push::Error{.seq = seq, .status = status, .message = message}.frames());
}

namespace {

// Release order: what depends on others goes first.
int releaseRank(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::CommandBuffer: return 0;  // holds kernels, memory and queues
    case ObjectKind::Event: return 0;
    case ObjectKind::Kernel: return 1;
    case ObjectKind::Sampler: return 2;
    case ObjectKind::Mem: return 3;
    case ObjectKind::Program: return 4;
    case ObjectKind::Queue: return 5;
    case ObjectKind::Context: return 6;
    case ObjectKind::Device: return 7;
    default: return 8;
  }
}

cl_int releaseOnce(ObjectKind kind, void* h) {
  switch (kind) {
    case ObjectKind::Event: return clReleaseEvent(static_cast<cl_event>(h));
    case ObjectKind::Kernel: return clReleaseKernel(static_cast<cl_kernel>(h));
    case ObjectKind::Sampler: return clReleaseSampler(static_cast<cl_sampler>(h));
    case ObjectKind::Mem: return clReleaseMemObject(static_cast<cl_mem>(h));
    case ObjectKind::Program: return clReleaseProgram(static_cast<cl_program>(h));
    case ObjectKind::Queue: return clReleaseCommandQueue(static_cast<cl_command_queue>(h));
    case ObjectKind::Context: return clReleaseContext(static_cast<cl_context>(h));
    case ObjectKind::Device: return clReleaseDevice(static_cast<cl_device_id>(h));
    case ObjectKind::CommandBuffer: {
      auto* buffer = static_cast<cl_command_buffer_khr>(h);
      using Release = cl_int(CL_API_CALL*)(cl_command_buffer_khr);
      try {
        const auto release = reinterpret_cast<Release>(extensionFunction(buffer, "clReleaseCommandBufferKHR"));
        return release != nullptr ? release(buffer) : CL_INVALID_OPERATION;
      } catch (const CallError&) {
        return CL_INVALID_OPERATION;  // its platform was never noted
      }
    }
    default: return CL_SUCCESS;
  }
}

}  // namespace

cl_int Session::admit(ObjectKind kind, void* handle, std::size_t& bytes) const {
  bytes = 0;
  if (kind != ObjectKind::Event && table_.objectCount() + svm_.count() >= options_.maxObjects)
    return CL_OUT_OF_RESOURCES;
  if (kind != ObjectKind::Mem) return CL_SUCCESS;
  auto mem = static_cast<cl_mem>(handle);
  cl_mem parent = nullptr;
  clGetMemObjectInfo(mem, CL_MEM_ASSOCIATED_MEMOBJECT, sizeof parent, &parent, nullptr);
  if (parent != nullptr) return CL_SUCCESS;  // a sub-buffer holds its parent's memory
  cl_bool usesSvm = CL_FALSE;
  clGetMemObjectInfo(mem, CL_MEM_USES_SVM_POINTER, sizeof usesSvm, &usesSvm, nullptr);
  if (usesSvm == CL_TRUE) return CL_SUCCESS;  // the SVM allocation it uses is counted already
  clGetMemObjectInfo(mem, CL_MEM_SIZE, sizeof bytes, &bytes, nullptr);
  if (options_.maxMemoryBytes != 0 && table_.memoryBytes() + svm_.bytes() + bytes > options_.maxMemoryBytes)
    return CL_MEM_OBJECT_ALLOCATION_FAILURE;
  return CL_SUCCESS;
}

cl_int Session::admitSvm(std::size_t bytes) const {
  if (table_.objectCount() + svm_.count() >= options_.maxObjects) return CL_OUT_OF_RESOURCES;
  if (options_.maxMemoryBytes != 0 && table_.memoryBytes() + svm_.bytes() + bytes > options_.maxMemoryBytes)
    return CL_MEM_OBJECT_ALLOCATION_FAILURE;
  return CL_SUCCESS;
}

void Session::releaseReal(ObjectKind kind, void* handle) { releaseOnce(kind, handle); }

void Session::keepUserEvent(cl_event event) {
  if (userEvents_.size() >= 1024) {  // forget the ones that completed
    std::erase_if(userEvents_, [](cl_event e) {
      cl_int status = CL_QUEUED;
      clGetEventInfo(e, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
      if (status > CL_COMPLETE) return false;
      clReleaseEvent(e);
      return true;
    });
  }
  if (clRetainEvent(event) == CL_SUCCESS) userEvents_.push_back(event);
}

void Session::keepQueue(cl_command_queue queue) { queues_.keep(queue, table_.progressFor(queue)); }

void Session::freeEverything() {
  struct Held {
    std::uint64_t id;
    HandleTable::Entry entry;
  };
  std::vector<Held> held;
  table_.forEach([&](std::uint64_t id, const HandleTable::Entry& e) {
    if (!e.pinned) held.push_back({id, e});
  });

  // User events the client never completed (released or not) would block
  // their queues forever, and the helper threads waiting on those queues. They
  // are completed, not failed: PoCL 3.1 aborts or double-frees when commands
  // that wait on a failed user event are torn down, so the commands run
  // (uselessly) instead.
  for (cl_event ev : userEvents_) {
    cl_int status = CL_COMPLETE;
    clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
    if (status > CL_COMPLETE) clSetUserEventStatus(ev, CL_COMPLETE);
  }
  // Released by the client or not; all flushed first, as a command may wait
  // on one of another queue that nothing flushed yet.
  // Write pieces whose bytes never came (the client is gone) finish now.
  if (bulk_) bulk_->close();
  // Regions that wait for the client's copy (it is gone) are unmapped now.
  if (sharedBuffers_) {
    sharedBuffers_->finishAll();
    sharedBuffers_->unmapAll();
  }
  const auto queues = queues_.takeAll();
  for (cl_command_queue q : queues) clFlush(q);
  for (cl_command_queue q : queues) clFinish(q);
  blocking_.drain();
  for (cl_event ev : userEvents_) clReleaseEvent(ev);
  userEvents_.clear();
  for (cl_command_queue q : queues) clReleaseCommandQueue(q);
  staged_.releaseAll();  // pieces whose command never came

  const std::uint64_t memoryHeld = stats_.memoryBytes.load();
  std::stable_sort(held.begin(), held.end(), [](const Held& a, const Held& b) {
    const int ra = releaseRank(a.entry.kind), rb = releaseRank(b.entry.kind);
    return ra != rb ? ra < rb : a.id > b.id;  // children (created later) first
  });
  std::map<std::string, std::size_t> freed;
  std::size_t failures = 0;
  for (const auto& h : held) {
    for (std::uint32_t i = 0; i < h.entry.refs; ++i)
      if (releaseOnce(h.entry.kind, h.entry.handle) != CL_SUCCESS) ++failures;
    ++freed[protocol::kindName(h.entry.kind)];
  }
  table_.clear();
  // SVM last: the buffers that used it are gone; the session's holds kept its contexts alive until now.
  const auto svm = svm_.takeAll();
  for (const auto& allocation : svm) freeSvm(allocation);
  if (!svm.empty()) freed["SVM allocation"] = svm.size();
  noteHoldings();
  // Actions whose events never completed (failed commands) will never run now.
  completions_.dropPending();

  std::string summary;
  for (const auto& [kind, n] : freed) summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", n, kind);
  {
    std::lock_guard lock(closeMutex_);
    ending_.reason = closeReason_;
    ending_.detail = closeDetail_.empty() ? closeReason_ : closeReason_ + " " + closeDetail_;
  }
  ending_.memoryBytesFreed = memoryHeld;
  ending_.freed.assign(freed.begin(), freed.end());
  ending_.releasesFailed = failures;
  spdlog::info(
      "session {:016x} ended ({}): client {}, {} calls ({} failed), {} bytes in, {} bytes out, peak {} objects, "
      "peak {} bytes of device memory; freed {} objects{}{}{}",
      id_, ending_.detail, client_, stats_.calls, stats_.failedCalls, stats_.bytesIn.load(), stats_.bytesOut.load(),
      stats_.peakObjects, stats_.peakMemoryBytes, held.size() + svm.size(), summary.empty() ? "" : " (", summary, summary.empty() ? "" : ")");
  if (failures != 0) spdlog::warn("session {:016x}: {} releases failed", id_, failures);
  if (sharedBuffers_ && sharedBuffers_->copiedBytes() != 0)
    spdlog::info("session {:016x}: the client copied {} bytes of shared buffers ({} written ahead of their turn)", id_,
                 sharedBuffers_->copiedBytes(), sharedBuffers_->writtenAheadBytes());
  callbackTargets_.dropAll();  // later calls from PoCL push nothing
}

}  // namespace rcl::server
