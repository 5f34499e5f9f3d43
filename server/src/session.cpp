#include "rcl/server/session.h"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "rcl/protocol/codec.h"
#include "rcl/server/call_context.h"
#include "rcl/server/outbox.h"

namespace rcl::server {

using protocol::Kind;

Session::Session(std::uint64_t id, std::string client, Outbox& outbox, const std::vector<ExposedPlatform>& platforms)
    : id_(id), client_(std::move(client)), outbox_(outbox) {
  for (const auto& p : platforms) {
    PlatformIds ids{table_.idOrAdopt(p.platform, ObjectKind::Platform), {}};
    for (cl_device_id d : p.devices) ids.devices.push_back(table_.idOrAdopt(d, ObjectKind::Device));
    platformIds_.push_back(std::move(ids));
  }
  // Root devices are never released: their reference count is fixed at one.
  table_.pinAll();
  worker_ = std::thread([this] { run(); });
}

Session::~Session() {
  close("server shutting down");
  if (worker_.joinable()) worker_.join();
}

void Session::enqueue(protocol::Frames frames) {
  {
    std::lock_guard lock(mutex_);
    inbox_.push_back(std::move(frames));
  }
  wake_.notify_one();
}

void Session::close(std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    closing_ = true;
    closeReason_ = std::move(reason);
  }
  wake_.notify_one();
}

CallbackTarget* Session::newCallbackTarget(std::uint64_t callbackId) {
  callbackTargets_.push_back(CallbackTarget{&outbox_, id_, callbackId});
  return &callbackTargets_.back();
}

void Session::runBlocking(std::function<void()> job) {
  // Join the jobs that are done, so threads do not pile up.
  std::erase_if(blockingJobs_, [](BlockingJob& j) {
    if (!*j.done) return false;
    j.thread.join();
    return true;
  });
  auto done = std::make_shared<std::atomic<bool>>(false);
  blockingJobs_.push_back(BlockingJob{std::thread([job = std::move(job), done] {
                                        job();
                                        *done = true;
                                      }),
                                      done});
}

void Session::run() {
  for (;;) {
    protocol::Frames frames;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return closing_ || !inbox_.empty(); });
      if (inbox_.empty() || closing_) break;
      frames = std::move(inbox_.front());
      inbox_.pop_front();
    }
    handle(std::move(frames));
    stats_.peakObjects = std::max(stats_.peakObjects, table_.size());
  }
  freeEverything();
  finished_ = true;
}

void Session::handle(protocol::Frames frames) {
  std::uint64_t seq = 0;
  for (const auto& f : frames) stats_.bytesIn += f.size();
  try {
    protocol::Reader reader(std::move(frames));
    if (reader.integer<Kind>() != Kind::Request) throw protocol::DecodeError("expected a request");
    seq = reader.u64();
    const auto callId = reader.integer<std::uint16_t>();
    if (callId >= protocol::kCallIdCount || kHandlers[callId] == nullptr)
      throw protocol::DecodeError("call " + std::to_string(callId) + " is not one the server runs");
    CallContext ctx(*this, reader, seq, static_cast<protocol::CallId>(callId));
    try {
      kHandlers[callId](ctx);
    } catch (const CallError& e) {
      spdlog::debug("session {:016x}: {} failed: {} ({})", id_, protocol::callName(callId), e.what(), e.status());
      ctx.fail(e.status(), e.what());
    }
    ctx.finish();
  } catch (const protocol::DecodeError& e) {
    ++stats_.failedCalls;
    spdlog::warn("session {:016x}: malformed request: {}", id_, e.what());
    sendError(seq, CL_INVALID_VALUE, std::string("malformed request: ") + e.what());
  } catch (const std::exception& e) {
    ++stats_.failedCalls;
    spdlog::error("session {:016x}: request failed: {}", id_, e.what());
    sendError(seq, CL_OUT_OF_HOST_MEMORY, e.what());
  }
}

void Session::sendError(std::uint64_t seq, cl_int status, const std::string& message) {
  protocol::Writer w;
  w.integer(Kind::Error);
  w.u64(seq);
  w.i64(status);
  w.str(message);
  outbox_.post(id_, w.finish());
}

namespace {

// Release order: what depends on others goes first.
int releaseRank(ObjectKind kind) {
  switch (kind) {
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
    default: return CL_SUCCESS;
  }
}

}  // namespace

void Session::freeEverything() {
  struct Held {
    std::uint64_t id;
    HandleTable::Entry entry;
  };
  std::vector<Held> held;
  table_.forEach([&](std::uint64_t id, const HandleTable::Entry& e) {
    if (!e.pinned) held.push_back({id, e});
  });

  // User events the client never completed would block their queues forever.
  for (const auto& h : held) {
    if (h.entry.kind != ObjectKind::Event) continue;
    auto ev = static_cast<cl_event>(h.entry.handle);
    cl_command_type type = 0;
    cl_int status = CL_COMPLETE;
    clGetEventInfo(ev, CL_EVENT_COMMAND_TYPE, sizeof type, &type, nullptr);
    clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
    if (type == CL_COMMAND_USER && status > CL_COMPLETE) clSetUserEventStatus(ev, CL_OUT_OF_RESOURCES);
  }
  for (const auto& h : held)
    if (h.entry.kind == ObjectKind::Queue) clFinish(static_cast<cl_command_queue>(h.entry.handle));
  for (auto& job : blockingJobs_) job.thread.join();
  blockingJobs_.clear();

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

  std::string summary;
  for (const auto& [kind, n] : freed) summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", n, kind);
  spdlog::info(
      "session {:016x} ended ({}): client {}, {} calls ({} failed), {} bytes in, {} bytes out, peak {} objects; "
      "freed {} objects{}{}{}",
      id_, closeReason_, client_, stats_.calls, stats_.failedCalls, stats_.bytesIn, stats_.bytesOut.load(),
      stats_.peakObjects, held.size(), summary.empty() ? "" : " (", summary, summary.empty() ? "" : ")");
  if (failures != 0) spdlog::warn("session {:016x}: {} releases failed", id_, failures);
  callbackTargets_.clear();
}

}  // namespace rcl::server
