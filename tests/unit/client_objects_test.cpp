// The client's proxies without a socket (rcl_icd_core): reference counts,
// event statuses and callbacks, waits, and clFinish's fast path, driven
// through a host of the test's own in place of the transport
// (icd/include/rcl/icd/objects/object_host.h). What the host records is what
// the transport would have sent.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "rcl/icd/objects/events.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/objects/object_host.h"
#include "rcl/icd/objects/queue_progress.h"

namespace rcl::icd {

// The driver's table lives in its generated entry points; the proxies only
// point at it.
const cl_icd_dispatch kDispatchTable{};

namespace {

using protocol::CallId;

// Records what the proxies asked of the transport; runs callbacks at once
// (on the calling thread) unless told to keep them.
class RecordingHost final : public ObjectHost {
 public:
  struct Posted {
    CallId call;
    Object* object;
  };

  void track(Connection*, Object* object) override {
    std::lock_guard lock(mutex);
    tracked.push_back(object);
  }
  void dispose(Object* object) override {
    std::lock_guard lock(mutex);
    disposed.push_back(object);
  }
  void post(CallId call, Object* object) override {
    std::lock_guard lock(mutex);
    posted.push_back({call, object});
  }
  void runCallback(Connection*, std::function<void()> job) override {
    {
      std::lock_guard lock(mutex);
      ++callbackJobs;
    }
    job();
  }
  void reconcile(cl_event event) override {
    {
      std::lock_guard lock(mutex);
      ++reconciles;
    }
    setEventStatus(event, reconcileAnswer);
  }
  cl_int queueProperties(cl_command_queue, cl_command_queue_properties& properties) override {
    std::lock_guard lock(mutex);
    ++propertyQueries;
    properties = queueAnswer;
    return CL_SUCCESS;
  }

  void reset() {
    std::lock_guard lock(mutex);
    tracked.clear();
    disposed.clear();
    posted.clear();
    callbackJobs = reconciles = propertyQueries = 0;
    reconcileAnswer = CL_COMPLETE;
    queueAnswer = 0;
  }

  std::mutex mutex;
  std::vector<Object*> tracked;
  std::vector<Object*> disposed;
  std::vector<Posted> posted;
  int callbackJobs = 0;
  int reconciles = 0;
  int propertyQueries = 0;
  cl_int reconcileAnswer = CL_COMPLETE;
  cl_command_queue_properties queueAnswer = 0;
};

RecordingHost& recordingHost() {
  static RecordingHost host;
  return host;
}

}  // namespace

ObjectHost& objectHost() { return recordingHost(); }

namespace {

class ClientObjectsTest : public ::testing::Test {
 protected:
  void SetUp() override { host().reset(); }
  static RecordingHost& host() { return recordingHost(); }

  // A proxy as the driver hands it out: its kind set, activated (the application holds it once).
  template <class P>
  static void make(P& proxy, std::uint64_t id) {
    proxy.kind = protocol::HandleTraits<P*>::kind;
    proxy.id = id;
    activate(&proxy, nullptr);
  }
};

TEST_F(ClientObjectsTest, RetainAndReleaseAreForwardedAndTheLastReleaseDisposesTheProxy) {
  _cl_mem mem;
  make(mem, 7);
  ASSERT_EQ(host().tracked.size(), 1U) << "activate did not track the proxy";

  EXPECT_EQ(retainObject(CallId::clRetainMemObject, &mem), CL_SUCCESS);
  EXPECT_EQ(mem.refs.load(), 2U);
  EXPECT_EQ(releaseObject(CallId::clReleaseMemObject, &mem), CL_SUCCESS);
  EXPECT_TRUE(mem.live) << "one reference is left: the application may still use it";
  EXPECT_TRUE(host().disposed.empty()) << "disposed while the application held it";

  EXPECT_EQ(releaseObject(CallId::clReleaseMemObject, &mem), CL_SUCCESS);
  EXPECT_FALSE(mem.live) << "the last release left the handle valid";
  ASSERT_EQ(host().posted.size(), 3U) << "each retain and release is forwarded once";
  EXPECT_EQ(host().posted[0].call, CallId::clRetainMemObject);
  EXPECT_EQ(host().posted[1].call, CallId::clReleaseMemObject);
  EXPECT_EQ(host().posted[2].call, CallId::clReleaseMemObject);
  ASSERT_EQ(host().disposed.size(), 1U) << "the last release did not dispose the proxy";
  EXPECT_EQ(host().disposed[0], &mem);
}

TEST_F(ClientObjectsTest, AReleasedOrMistypedHandleIsRefusedAndNothingIsSent) {
  _cl_mem mem;
  make(mem, 7);
  ASSERT_EQ(releaseObject(CallId::clReleaseMemObject, &mem), CL_SUCCESS);
  host().reset();

  EXPECT_EQ(releaseObject(CallId::clReleaseMemObject, &mem), CL_INVALID_MEM_OBJECT) << "a released buffer";
  EXPECT_EQ(retainObject(CallId::clRetainMemObject, &mem), CL_INVALID_MEM_OBJECT) << "a released buffer";
  _cl_kernel kernel;
  make(kernel, 8);
  // A kernel passed where a buffer is expected: the kind in the proxy tells.
  EXPECT_EQ(retainObject(CallId::clRetainMemObject, reinterpret_cast<cl_mem>(&kernel)), CL_INVALID_MEM_OBJECT);
  EXPECT_EQ(releaseObject<_cl_mem>(CallId::clReleaseMemObject, nullptr), CL_INVALID_MEM_OBJECT);
  EXPECT_TRUE(host().posted.empty()) << "a refused handle was forwarded";
  EXPECT_TRUE(host().disposed.empty());
}

TEST_F(ClientObjectsTest, TheClientsHoldKeepsAReleasedProxyUntilItLetsGo) {
  _cl_event event;
  make(event, 9);
  hold(&event);  // e.g. a queue's last command
  ASSERT_EQ(releaseObject(CallId::clReleaseEvent, &event), CL_SUCCESS);
  EXPECT_FALSE(event.live);
  EXPECT_TRUE(host().disposed.empty()) << "disposed while the client still held it";
  unhold(&event);
  ASSERT_EQ(host().disposed.size(), 1U);
}

TEST_F(ClientObjectsTest, AFinalStatusRunsEachCallbackOnceAndStatusesOnlyMoveForward) {
  _cl_event event;
  make(event, 10);
  struct Seen {
    int calls = 0;
    cl_int status = 1;
  } seen;
  auto callback = [](cl_event, cl_int status, void* userData) {
    auto* s = static_cast<Seen*>(userData);
    ++s->calls;
    s->status = status;
  };
  hold(&event);  // clSetEventCallback holds the event for its callback
  event.completeCallbacks.push_back({callback, &seen});
  int actionCalls = 0;
  whenComplete(&event, [&](cl_int status) {
    ++actionCalls;
    EXPECT_EQ(status, CL_COMPLETE);
  });

  setEventStatus(&event, CL_RUNNING);
  EXPECT_EQ(seen.calls, 0) << "a callback ran before the event was final";
  setEventStatus(&event, CL_SUBMITTED);  // older news than CL_RUNNING
  {
    std::lock_guard lock(event.mutex);
    EXPECT_EQ(event.status, CL_RUNNING) << "the status moved back";
  }
  setEventStatus(&event, CL_COMPLETE);
  setEventStatus(&event, CL_COMPLETE);  // a second push of the same completion
  setEventStatus(&event, -5);           // and a late failure: the first final status stays
  EXPECT_EQ(seen.calls, 1);
  EXPECT_EQ(seen.status, CL_COMPLETE);
  EXPECT_EQ(actionCalls, 1);
  EXPECT_EQ(host().callbackJobs, 1) << "the application's callbacks run on the callback thread, once";

  // Every hold the callbacks and actions took is given back: the
  // application's release is then the last.
  ASSERT_EQ(releaseObject(CallId::clReleaseEvent, &event), CL_SUCCESS);
  EXPECT_EQ(host().disposed.size(), 1U) << "a callback or action kept its hold on the event";
}

TEST_F(ClientObjectsTest, AnActionOnACompleteEventRunsAtOnce) {
  _cl_event event;
  make(event, 11);
  setEventStatus(&event, -14);
  cl_int seen = 0;
  whenComplete(&event, [&](cl_int status) { seen = status; });
  EXPECT_EQ(seen, -14);
  EXPECT_EQ(blockingResult(&event, -14), CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
  event.rejectedWith = CL_INVALID_KERNEL_ARGS;
  EXPECT_EQ(blockingResult(&event, -14), CL_INVALID_KERNEL_ARGS) << "the server's refusal is the blocking call's result";
  EXPECT_EQ(blockingResult(&event, CL_COMPLETE), CL_SUCCESS);
}

TEST_F(ClientObjectsTest, AWaitEndsWithThePushedStatusWithoutAskingTheServer) {
  _cl_event event;
  make(event, 12);
  std::thread pusher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    setEventStatus(&event, CL_COMPLETE);
  });
  EXPECT_EQ(waitForEvent(&event), CL_COMPLETE);
  pusher.join();
  EXPECT_EQ(host().reconciles, 0) << "a wait asked the server although the completion was pushed";
}

TEST_F(ClientObjectsTest, AWaitOnAnEventTheServerMayHaveRefusedAsksTheServer) {
  _cl_event event;
  make(event, 13);
  host().reconcileAnswer = CL_OUT_OF_RESOURCES;
  {
    std::lock_guard lock(event.mutex);
    event.askServer = true;  // a refusal that named no event arrived
  }
  EXPECT_EQ(waitForEvent(&event), CL_OUT_OF_RESOURCES);
  EXPECT_EQ(host().reconciles, 1);
}

TEST_F(ClientObjectsTest, ProfilingInfoIsAnsweredLocallyOnlyOnceComplete) {
  _cl_event event;
  make(event, 14);
  event.profilingTimes[3] = 1234;  // CL_PROFILING_COMMAND_END
  cl_ulong value = 0;
  EXPECT_FALSE(localProfilingInfo(&event, CL_PROFILING_COMMAND_END, value).has_value())
      << "answered before the event completed: the server may know better";
  setEventStatus(&event, CL_COMPLETE);
  ASSERT_EQ(localProfilingInfo(&event, CL_PROFILING_COMMAND_END, value), std::optional<cl_int>(CL_SUCCESS));
  EXPECT_EQ(value, 1234U);
  EXPECT_FALSE(localProfilingInfo(&event, CL_PROFILING_COMMAND_START, value).has_value()) << "a time that never came";

  _cl_event user;
  make(user, 15);
  user.commandType = CL_COMMAND_USER;
  EXPECT_EQ(localProfilingInfo(&user, CL_PROFILING_COMMAND_END, value),
            std::optional<cl_int>(CL_PROFILING_INFO_NOT_AVAILABLE));
}

TEST_F(ClientObjectsTest, AnInOrderQueueIsFinishedWhenItsLastCommandIs) {
  _cl_command_queue queue;
  make(queue, 20);
  _cl_event first;
  _cl_event last;
  make(first, 21);
  make(last, 22);
  EXPECT_FALSE(lastCommandComplete(&queue)) << "no command known: only the server can tell";

  hold(&first);
  noteLastCommand(&queue, &first);
  hold(&last);
  noteLastCommand(&queue, &last);  // lets go of the first
  setEventStatus(&first, CL_COMPLETE);
  EXPECT_FALSE(lastCommandComplete(&queue)) << "finished while its last command runs";
  setEventStatus(&last, CL_COMPLETE);
  EXPECT_TRUE(lastCommandComplete(&queue));
  EXPECT_TRUE(lastCommandComplete(&queue));
  EXPECT_EQ(host().propertyQueries, 1) << "CL_QUEUE_PROPERTIES asked more than once";

  forgetLastCommand(&queue);
  ASSERT_EQ(releaseObject(CallId::clReleaseEvent, &first), CL_SUCCESS);
  ASSERT_EQ(releaseObject(CallId::clReleaseEvent, &last), CL_SUCCESS);
  EXPECT_EQ(host().disposed.size(), 2U) << "the queue kept a hold on a command it forgot";
}

TEST_F(ClientObjectsTest, AQueueIsFinishedAsTheServerSaidUntilACommandIsSent) {
  _cl_command_queue queue;
  make(queue, 40);
  EXPECT_FALSE(finishedAsServerSaid(&queue)) << "never finished by the server (its creation may have failed there)";
  noteLastCommand(&queue, nullptr);
  noteFinished(&queue, commandsSent(&queue));  // a finish sent without waiting: the client's reckoning
  EXPECT_FALSE(finishedAsServerSaid(&queue)) << "finished by the client's reckoning only";
  noteFinished(&queue, commandsSent(&queue), /*byServer=*/true);
  EXPECT_TRUE(finishedAsServerSaid(&queue));
  EXPECT_TRUE(finishedAsServerSaid(&queue));
  noteLastCommand(&queue, nullptr);
  EXPECT_FALSE(finishedAsServerSaid(&queue)) << "a command sent since";
  noteFinished(&queue, commandsSent(&queue) - 1, /*byServer=*/true);
  EXPECT_FALSE(finishedAsServerSaid(&queue)) << "finished up to the command before the last";
  forgetLastCommand(&queue);
}

TEST_F(ClientObjectsTest, AnOutOfOrderQueueLeavesClFinishToTheServer) {
  host().queueAnswer = CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE;
  _cl_command_queue queue;
  make(queue, 30);
  _cl_event event;
  make(event, 31);
  hold(&event);
  noteLastCommand(&queue, &event);
  setEventStatus(&event, CL_COMPLETE);
  EXPECT_FALSE(lastCommandComplete(&queue)) << "another command may still run";
  EXPECT_EQ(holdLastCommand(&queue), nullptr);
  forgetLastCommand(&queue);
}

}  // namespace
}  // namespace rcl::icd
