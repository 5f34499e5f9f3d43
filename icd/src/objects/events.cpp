#include "rcl/icd/objects/events.h"

#include <algorithm>
#include <chrono>

#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/objects/object_host.h"
#include "rcl/protocol/profiling_times.h"

namespace rcl::icd {

bool isFinal(cl_int status) { return status <= CL_COMPLETE; }

cl_int blockingResult(cl_event event, cl_int status) {
  if (status >= 0) return CL_SUCCESS;
  const cl_int rejected = event->rejectedWith;
  return rejected != CL_SUCCESS ? rejected : CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST;
}

void setEventStatus(cl_event event, cl_int status) {
  std::vector<_cl_event::CompleteCallback> callbacks;
  std::vector<std::function<void(cl_int)>> actions;
  {
    std::lock_guard lock(event->mutex);
    if (isFinal(event->status)) return;
    // Statuses only move forward (CL_QUEUED 3 > SUBMITTED 2 > RUNNING 1 > COMPLETE 0).
    if (status >= event->status) return;
    event->status = status;
    if (isFinal(status)) {
      callbacks.swap(event->completeCallbacks);
      actions.swap(event->completeActions);
    }
    event->changed.notify_all();
  }
  if (actions.empty() && callbacks.empty()) return;
  hold(event);  // the actions may drop the last other hold
  for (auto& action : actions) action(status);
  if (callbacks.empty()) return unhold(event);
  objectHost().runCallback(event->connection, [event, status, callbacks] {
    for (const auto& cb : callbacks) cb.fn(event, status, cb.userData);
    for (std::size_t i = 0; i < callbacks.size(); ++i) unhold(event);  // each held it (clSetEventCallback)
    unhold(event);
  });
}

static_assert(std::is_same_v<std::array<std::optional<cl_ulong>, 5>, protocol::ProfilingTimes>);

void setProfilingTimes(cl_event event, const protocol::ProfilingTimes& times) {
  std::lock_guard lock(event->mutex);
  event->profilingTimes = times;
}

std::optional<cl_int> localProfilingInfo(cl_event event, cl_profiling_info param, cl_ulong& value) {
  if (event->commandType == CL_COMMAND_USER) return CL_PROFILING_INFO_NOT_AVAILABLE;  // the spec's rule
  const auto index = protocol::profilingIndex(param);
  if (!index) return std::nullopt;
  std::lock_guard lock(event->mutex);
  // Not complete here: the server may know better (its completion on the way).
  if (event->status != CL_COMPLETE || !event->profilingTimes[*index]) return std::nullopt;
  value = *event->profilingTimes[*index];
  return CL_SUCCESS;
}

// Waits end with the pushed completion: the server pushes every event's final
// status, failures included (it watches for the commands that failed with no
// callback from its platform: server/include/rcl/server/session/callbacks.h), and a
// server that is gone fails every event without being asked
// (Connection::declareDead, by its heartbeats). So a wait sends nothing while
// the server is there, except:
// - when the server refused an async call before it read the call's event
//   (an object whose pipelined creation failed, a malformed request): this
//   event may be that call's, which will never complete; asked at once
//   (Connection::askAboutPendingEvents);
// - a last resort after a long silence, for what no push tells: a server
//   from before its watch (that version's PoCL commands that failed pushed
//   nothing), a platform whose failed commands neither call back nor show a
//   negative status. Longer than any wait a benchmark makes of a live server,
//   so it costs no round trip there.
constexpr auto kLastResortPoll = std::chrono::seconds(30);

cl_int waitForEvent(cl_event event) {
  auto nextAsk = std::chrono::steady_clock::now() + kLastResortPoll;
  std::unique_lock lock(event->mutex);
  for (;;) {
    event->changed.wait_until(lock, nextAsk, [event] { return isFinal(event->status) || event->askServer; });
    if (isFinal(event->status)) return event->status;
    event->askServer = false;
    lock.unlock();
    objectHost().reconcile(event);
    lock.lock();
    nextAsk = std::chrono::steady_clock::now() + kLastResortPoll;
  }
}

void whenComplete(cl_event event, std::function<void(cl_int)> action) {
  cl_int status;
  {
    std::lock_guard lock(event->mutex);
    status = event->status;
    if (!isFinal(status)) {
      // The proxy must outlive the application's release until the action ran.
      hold(event);
      event->completeActions.push_back([event, action = std::move(action)](cl_int final) {
        action(final);
        unhold(event);
      });
      return;
    }
  }
  action(status);
}

}  // namespace rcl::icd
