#include "rcl/server/session/session.h"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "rcl/server/data/bulk_socket.h"
#include "rcl/server/data/shared_buffers.h"
#include "rcl/server/handlers/extension_functions.h"
#include "rcl/server/support/call_error.h"

// The end of a session: everything it held released, what depends on others
// first (a command buffer through its extension function), its data paths
// closed, and a summary logged.
namespace rcl::server {

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

void Session::releaseReal(ObjectKind kind, void* handle) { releaseOnce(kind, handle); }

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
