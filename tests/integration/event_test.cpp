// User events, markers, barriers and event callbacks.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kStillPendingCheckDelay = 100ms;
constexpr auto kCallbackTimeout = 10s;

class EventTest : public ClTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ClTest::SetUp());
    cl_int error = CL_SUCCESS;
    gate_.reset(clCreateUserEvent(context_, &error));
    CL_CHECK(error);
  }

  // A test that stopped early may leave commands gated on an unset user event: fail them so the
  // queue can drain and be released.
  void TearDown() override {
    cl_int status = CL_COMPLETE;
    if (gate_ && queryInfo(&status, clGetEventInfo, gate_.get(), CL_EVENT_COMMAND_EXECUTION_STATUS) == CL_SUCCESS &&
        status > CL_COMPLETE) {
      clSetUserEventStatus(gate_, -1);
    }
    if (queue_) clFinish(queue_);
  }

  cl_int statusOf(cl_event event) {
    cl_int status = 1234;
    EXPECT_EQ(queryInfo(&status, clGetEventInfo, event, CL_EVENT_COMMAND_EXECUTION_STATUS), CL_SUCCESS);
    return status;
  }

  // How long clFinish on `queue` takes while the gate opens after a short delay.
  std::chrono::steady_clock::duration finishWhileTheGateOpens(cl_command_queue queue) {
    std::thread opener = openGateLater(CL_COMPLETE);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(clFinish(queue), CL_SUCCESS);
    const auto waited = std::chrono::steady_clock::now() - start;
    opener.join();
    return waited;
  }

  // Opens the gate from another thread after a short delay, as an application would.
  std::thread openGateLater(cl_int status) {
    return std::thread([event = gate_.get(), status] {
      std::this_thread::sleep_for(kStillPendingCheckDelay);
      clSetUserEventStatus(event, status);
    });
  }

  Event gate_;
};

// Records the first callback invocation and lets the test wait for it.
struct CallbackRecord {
  std::mutex mutex;
  std::condition_variable changed;
  bool called = false;
  cl_event event = nullptr;
  cl_int status = 1234;

  static void CL_CALLBACK record(cl_event event, cl_int status, void* userData) {
    auto* self = static_cast<CallbackRecord*>(userData);
    std::lock_guard<std::mutex> lock(self->mutex);
    if (self->called) return;
    self->called = true;
    self->event = event;
    self->status = status;
    self->changed.notify_all();
  }

  bool waitForCall() {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, kCallbackTimeout, [this] { return called; });
  }
};

TEST_F(EventTest, UserEventStartsSubmittedWithoutQueue) {
  EXPECT_EQ(statusOf(gate_), CL_SUBMITTED);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, gate_.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_USER));
  cl_command_queue queue = reinterpret_cast<cl_command_queue>(0x1);
  CL_CHECK(queryInfo(&queue, clGetEventInfo, gate_.get(), CL_EVENT_COMMAND_QUEUE));
  EXPECT_EQ(queue, nullptr);
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetEventInfo, gate_.get(), CL_EVENT_CONTEXT));
  EXPECT_EQ(context, context_.get());
}

TEST_F(EventTest, CopyWaitsForTheUserEventSetFromAnotherThread) {
  std::vector<cl_int> source(1024);
  for (size_t i = 0; i < source.size(); ++i) source[i] = static_cast<cl_int>(i * i);
  std::vector<cl_int> zeros(source.size(), 0);
  const size_t bytes = source.size() * sizeof(cl_int);
  Mem from, to;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, source.data(), &from));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes, zeros.data(), &to));

  Event copied;
  CL_CHECK(clEnqueueCopyBuffer(queue_, from, to, 0, 0, bytes, 1, gate_.address(), copied.out()));
  CL_CHECK(clFlush(queue_));
  std::this_thread::sleep_for(kStillPendingCheckDelay);
  EXPECT_NE(statusOf(copied), CL_COMPLETE);

  std::thread opener = openGateLater(CL_COMPLETE);
  const cl_int waited = clWaitForEvents(1, copied.address());
  opener.join();
  CL_CHECK(waited);
  EXPECT_EQ(statusOf(copied), CL_COMPLETE);
  EXPECT_EQ(statusOf(gate_), CL_COMPLETE);
  std::vector<cl_int> back(source.size(), -1);
  CL_CHECK(clEnqueueReadBuffer(queue_, to, CL_TRUE, 0, bytes, back.data(), 0, nullptr, nullptr));
  EXPECT_EQ(back, source);
}

TEST_F(EventTest, KernelWaitsForTheUserEvent) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail("__kernel void twice(__global int* p) { p[get_global_id(0)] *= 2; }", &program));
  Kernel kernel;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "twice", &kernel));
  std::vector<cl_int> data(256);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<cl_int>(i) - 100;
  const size_t bytes = data.size() * sizeof(cl_int);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes, data.data(), &buffer));
  CL_CHECK(clSetKernelArg(kernel, 0, sizeof(cl_mem), buffer.address()));

  Event ran;
  const size_t global = data.size();
  CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, nullptr, 1, gate_.address(), ran.out()));
  CL_CHECK(clFlush(queue_));
  std::this_thread::sleep_for(kStillPendingCheckDelay);
  EXPECT_NE(statusOf(ran), CL_COMPLETE);

  std::thread opener = openGateLater(CL_COMPLETE);
  std::vector<cl_int> back(data.size(), 0);
  const cl_int read = clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, bytes, back.data(), 1, ran.address(), nullptr);
  opener.join();
  CL_CHECK(read);
  EXPECT_EQ(statusOf(ran), CL_COMPLETE);
  for (size_t i = 0; i < data.size(); ++i) ASSERT_EQ(back[i], data[i] * 2) << "element " << i;
}

TEST_F(EventTest, MarkerWithWaitListCompletesAfterItsEvents) {
  Mem a, b;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 64, nullptr, &a));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 64, nullptr, &b));
  const uint8_t pattern = 7;
  Event filledA, filledB, marker;
  CL_CHECK(clEnqueueFillBuffer(queue_, a, &pattern, 1, 0, 64, 1, gate_.address(), filledA.out()));
  CL_CHECK(clEnqueueFillBuffer(queue_, b, &pattern, 1, 0, 64, 0, nullptr, filledB.out()));
  const cl_event fills[] = {filledA, filledB};
  CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 2, fills, marker.out()));
  CL_CHECK(clFlush(queue_));
  std::this_thread::sleep_for(kStillPendingCheckDelay);
  EXPECT_NE(statusOf(marker), CL_COMPLETE);

  CL_CHECK(clSetUserEventStatus(gate_, CL_COMPLETE));
  CL_CHECK(clWaitForEvents(1, marker.address()));
  EXPECT_EQ(statusOf(filledA), CL_COMPLETE);
  EXPECT_EQ(statusOf(filledB), CL_COMPLETE);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, marker.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_MARKER));
  std::vector<uint8_t> back(64, 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, a, CL_TRUE, 0, 64, back.data(), 0, nullptr, nullptr));
  EXPECT_EQ(back, std::vector<uint8_t>(64, pattern));
}

TEST_F(EventTest, MarkerWithoutWaitListWaitsForEarlierCommands) {
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 4096, nullptr, &buffer));
  const cl_uint pattern = 0xdeadbeef;
  Event filled, marker;
  CL_CHECK(clEnqueueFillBuffer(queue_, buffer, &pattern, sizeof pattern, 0, 4096, 0, nullptr, filled.out()));
  CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 0, nullptr, marker.out()));
  CL_CHECK(clWaitForEvents(1, marker.address()));
  EXPECT_EQ(statusOf(filled), CL_COMPLETE);
}

TEST_F(EventTest, BarrierWithWaitListOrdersLaterCommands) {
  const std::vector<cl_int> data(512, 9);
  const size_t bytes = data.size() * sizeof(cl_int);
  Mem from, to;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, bytes, nullptr, &from));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, bytes, nullptr, &to));
  Event written, barrier, copied;
  CL_CHECK(clEnqueueWriteBuffer(queue_, from, CL_FALSE, 0, bytes, data.data(), 1, gate_.address(), written.out()));
  CL_CHECK(clEnqueueBarrierWithWaitList(queue_, 1, written.address(), barrier.out()));
  CL_CHECK(clEnqueueCopyBuffer(queue_, from, to, 0, 0, bytes, 0, nullptr, copied.out()));
  CL_CHECK(clFlush(queue_));
  std::this_thread::sleep_for(kStillPendingCheckDelay);
  EXPECT_NE(statusOf(barrier), CL_COMPLETE);
  EXPECT_NE(statusOf(copied), CL_COMPLETE);

  CL_CHECK(clSetUserEventStatus(gate_, CL_COMPLETE));
  CL_CHECK(clWaitForEvents(1, copied.address()));
  EXPECT_EQ(statusOf(barrier), CL_COMPLETE);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, barrier.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_BARRIER));
  std::vector<cl_int> back(data.size(), 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, to, CL_TRUE, 0, bytes, back.data(), 0, nullptr, nullptr));
  EXPECT_EQ(back, data);
}

TEST_F(EventTest, CallbackFiresOnCompletionOfACommand) {
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 1024, nullptr, &buffer));
  const uint16_t pattern = 0x1234;
  Event filled;
  CL_CHECK(clEnqueueFillBuffer(queue_, buffer, &pattern, sizeof pattern, 0, 1024, 1, gate_.address(), filled.out()));
  CallbackRecord record;
  CL_CHECK(clSetEventCallback(filled, CL_COMPLETE, &CallbackRecord::record, &record));
  CL_CHECK(clFlush(queue_));

  std::thread opener = openGateLater(CL_COMPLETE);
  const bool called = record.waitForCall();
  opener.join();
  ASSERT_TRUE(called) << "callback not called within the timeout";
  std::lock_guard<std::mutex> lock(record.mutex);
  EXPECT_EQ(record.event, filled.get());
  EXPECT_EQ(record.status, CL_COMPLETE);
}

// An application may release its event right after registering the callback
// (the callback then gets the event it was registered on, still alive).
TEST_F(EventTest, CallbackFiresAfterTheApplicationReleasedTheEvent) {
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 1024, nullptr, &buffer));
  const uint16_t pattern = 0x1234;
  cl_event filled = nullptr;
  CL_CHECK(clEnqueueFillBuffer(queue_, buffer, &pattern, sizeof pattern, 0, 1024, 1, gate_.address(), &filled));
  CallbackRecord record;
  CL_CHECK(clSetEventCallback(filled, CL_COMPLETE, &CallbackRecord::record, &record));
  CL_CHECK(clReleaseEvent(filled));
  CL_CHECK(clFlush(queue_));

  std::thread opener = openGateLater(CL_COMPLETE);
  const bool called = record.waitForCall();
  opener.join();
  ASSERT_TRUE(called) << "the callback of a released event was never called";
  std::lock_guard<std::mutex> lock(record.mutex);
  EXPECT_EQ(record.event, filled);
  EXPECT_EQ(record.status, CL_COMPLETE);
}

TEST_F(EventTest, CallbackFiresForAUserEvent) {
  CallbackRecord record;
  CL_CHECK(clSetEventCallback(gate_, CL_COMPLETE, &CallbackRecord::record, &record));
  std::thread opener = openGateLater(CL_COMPLETE);
  const bool called = record.waitForCall();
  opener.join();
  ASSERT_TRUE(called) << "callback not called within the timeout";
  std::lock_guard<std::mutex> lock(record.mutex);
  EXPECT_EQ(record.event, gate_.get());
  EXPECT_EQ(record.status, CL_COMPLETE);
}

TEST_F(EventTest, UserEventStatusCanBeSetOnlyOnce) {
  CL_CHECK(clSetUserEventStatus(gate_, CL_COMPLETE));
  CL_EXPECT_ERROR(CL_INVALID_OPERATION, clSetUserEventStatus(gate_, CL_COMPLETE));
  EXPECT_EQ(statusOf(gate_), CL_COMPLETE);
}

TEST_F(EventTest, NegativeUserEventStatusFailsDependentCommands) {
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 256, nullptr, &buffer));
  const uint8_t pattern = 1;
  Event filled;
  CL_CHECK(clEnqueueFillBuffer(queue_, buffer, &pattern, 1, 0, 256, 1, gate_.address(), filled.out()));
  CL_CHECK(clFlush(queue_));

  CL_CHECK(clSetUserEventStatus(gate_, -1));
  EXPECT_EQ(statusOf(gate_), -1);
  CL_EXPECT_ERROR(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, clWaitForEvents(1, filled.address()));
  EXPECT_LT(statusOf(filled), 0);
}

// A user event set to a negative status fails, with no callback from PoCL
// 3.1, the commands that wait for it directly, through another command, or
// behind them on an in-order queue, and a read: a wait that is under way when
// it fails returns CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, each status
// is negative and the queue goes on. Through remote-cl the server pushes the
// failures, so the CL_COMPLETE callback runs with one; PoCL itself never
// calls it (checked only remotely).
TEST_F(EventTest, FailuresBehindANegativeUserEventReachWaitsAndCallbacks) {
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 256, nullptr, &buffer));
  const cl_uint pattern = 7;
  cl_uint readBack[4] = {};
  Event filled, chained, behind, read;
  CL_CHECK(clEnqueueFillBuffer(queue_, buffer, &pattern, sizeof pattern, 0, 256, 1, gate_.address(), filled.out()));
  CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 1, filled.address(), chained.out()));
  CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 0, nullptr, behind.out()));
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_FALSE, 0, sizeof readBack, readBack, 1, gate_.address(), read.out()));
  CallbackRecord record;
  CL_CHECK(clSetEventCallback(chained, CL_COMPLETE, &CallbackRecord::record, &record));
  CL_CHECK(clFlush(queue_));

  std::thread failer = openGateLater(-1);
  const cl_event all[] = {filled.get(), chained.get(), behind.get(), read.get()};
  const cl_int waited = clWaitForEvents(4, all);
  failer.join();
  CL_EXPECT_ERROR(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, waited);
  EXPECT_LT(statusOf(filled), 0);
  EXPECT_LT(statusOf(chained), 0);
  EXPECT_LT(statusOf(behind), 0);
  EXPECT_LT(statusOf(read), 0);
  if (isRemote()) {
    ASSERT_TRUE(record.waitForCall()) << "the failed marker's CL_COMPLETE callback never ran";
    EXPECT_LT(record.status, 0);
  }
  Event after;
  CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 0, nullptr, after.out()));
  CL_CHECK(clWaitForEvents(1, after.address()));
  EXPECT_EQ(statusOf(after), CL_COMPLETE);
}

// A non-blocking map behind a user event that fails: the wait returns the
// failure and the map's status is negative, for a small buffer and for one
// large enough to be shared with the client where it can be.
TEST_F(EventTest, MapBehindANegativeUserEventFails) {
  for (const size_t bytes : {size_t{256}, size_t{1} << 20}) {
    SCOPED_TRACE(bytes);
    cl_int error = CL_SUCCESS;
    Event gate(clCreateUserEvent(context_, &error));
    CL_CHECK(error);
    Mem buffer;
    ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, bytes, nullptr, &buffer));
    Event mapped;
    void* host = clEnqueueMapBuffer(queue_, buffer, CL_FALSE, CL_MAP_READ | CL_MAP_WRITE, 0, bytes, 1,
                                    gate.address(), mapped.out(), &error);
    CL_CHECK(error);
    CL_CHECK(clFlush(queue_));
    CL_CHECK(clSetUserEventStatus(gate, -1));
    CL_EXPECT_ERROR(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, clWaitForEvents(1, mapped.address()));
    EXPECT_LT(statusOf(mapped), 0);
    if (host != nullptr) clEnqueueUnmapMemObject(queue_, buffer, host, 0, nullptr, nullptr);
    clFinish(queue_);
  }
}

// clFinish answers at once only when every command is done: after a
// completed command it returns, behind a gated one it waits, and on an
// out-of-order queue a completed last command says nothing of the others.
TEST_F(EventTest, FinishWaitsForEveryCommandEvenAfterOneCompleted) {
  Event first, second;
  CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 0, nullptr, first.out()));
  CL_CHECK(clWaitForEvents(1, first.address()));
  CL_CHECK(clFinish(queue_));  // the last command is complete: nothing to wait for

  CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 1, gate_.address(), second.out()));
  EXPECT_GE(finishWhileTheGateOpens(queue_), kStillPendingCheckDelay / 2)
      << "clFinish returned before the gated command ran";
  EXPECT_EQ(statusOf(second), CL_COMPLETE);
}

TEST_F(EventTest, FinishOnAnOutOfOrderQueueWaitsForEarlierCommands) {
  cl_int error = CL_SUCCESS;
  const CommandQueue outOfOrder = createQueue(context_, device_, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, &error);
  if (error == CL_INVALID_QUEUE_PROPERTIES) GTEST_SKIP() << "no out-of-order queues on this device";
  CL_CHECK(error);
  Event gated, done;
  CL_CHECK(clEnqueueMarkerWithWaitList(outOfOrder, 1, gate_.address(), gated.out()));
  CL_CHECK(clEnqueueMarkerWithWaitList(outOfOrder, 0, nullptr, done.out()));
  CL_CHECK(clFlush(outOfOrder));
  // A marker without a wait list waits for everything before it, even out of order: another command.
  const cl_int pattern = 7;
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, sizeof pattern, nullptr, &buffer));
  Event filled;
  CL_CHECK(clEnqueueFillBuffer(outOfOrder, buffer, &pattern, sizeof pattern, 0, sizeof pattern, 0, nullptr,
                               filled.out()));
  CL_CHECK(clWaitForEvents(1, filled.address()));
  EXPECT_GE(finishWhileTheGateOpens(outOfOrder), kStillPendingCheckDelay / 2)
      << "clFinish returned before the gated command ran";
  EXPECT_EQ(statusOf(gated), CL_COMPLETE);
}

// A small blocking read whose command waits for a gate: it returns once the
// gate opens (from another thread), with its bytes, its event complete and
// its callback run. (Remotely such a read is answered by its push, not its
// reply: the server does not wait for the gate.)
TEST_F(EventTest, BlockingReadBehindAGate) {
  std::vector<cl_int> source(1024);
  for (size_t i = 0; i < source.size(); ++i) source[i] = static_cast<cl_int>(3 * i + 1);
  const size_t bytes = source.size() * sizeof(cl_int);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes, source.data(), &buffer));

  std::vector<cl_int> back(source.size(), -1);
  Event read;
  std::thread opener = openGateLater(CL_COMPLETE);
  const cl_int status = clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, bytes, back.data(), 1, gate_.address(),
                                            read.out());
  opener.join();
  CL_CHECK(status);
  EXPECT_EQ(back, source) << "the gated blocking read's bytes";
  EXPECT_EQ(statusOf(read), CL_COMPLETE);
  CallbackRecord record;
  CL_CHECK(clSetEventCallback(read, CL_COMPLETE, &CallbackRecord::record, &record));
  ASSERT_TRUE(record.waitForCall()) << "no callback for the complete read";
  EXPECT_EQ(record.status, CL_COMPLETE);
}

// A small blocking read behind a gate that fails: its event negative, the
// caller's memory untouched; the queue goes on (the next read works). (The
// call's own result differs: PoCL 3.1 returns CL_SUCCESS, remote-cl
// CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, as the spec asks.)
TEST_F(EventTest, BlockingReadBehindAFailedGateFails) {
  std::vector<cl_int> source(256, 42);
  const size_t bytes = source.size() * sizeof(cl_int);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes, source.data(), &buffer));
  std::vector<cl_int> back(source.size(), -1);
  Event read;
  std::thread opener = openGateLater(-1);
  const cl_int status = clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, bytes, back.data(), 1, gate_.address(),
                                            read.out());
  opener.join();
  EXPECT_TRUE(status == CL_SUCCESS || status == CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST) << status;
  EXPECT_LT(statusOf(read), 0);
  EXPECT_EQ(back, std::vector<cl_int>(source.size(), -1)) << "a failed read wrote the caller's memory";
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, bytes, back.data(), 0, nullptr, nullptr));
  EXPECT_EQ(back, source);
}

}  // namespace
}  // namespace rcl::test
