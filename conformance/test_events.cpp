// events: user events (set from another thread, failures propagating), markers and barriers with
// wait lists, event info, clWaitForEvents and the user-event status rules.

#include "conformance.h"

namespace rcl::conformance {
namespace {

class events : public Suite<events> {  // NOLINT(readability-identifier-naming): the area's name
 protected:
  Event userEvent() {
    cl_int error = CL_SUCCESS;
    Event event(clCreateUserEvent(context_, &error));
    EXPECT_EQ(error, CL_SUCCESS) << clErrorName(error);
    return event;
  }
};

constexpr auto kPendingCheck = 150ms;

TEST_F(events, UserEventSetFromAnotherThreadReleasesACommand) {
  Event gate = userEvent();
  ASSERT_TRUE(gate);
  EXPECT_EQ(eventStatus(gate), CL_SUBMITTED);
  const std::vector<uint8_t> data = counting(256, 4);
  Mem mem = buffer(CL_MEM_READ_WRITE, data.size());
  Event written;
  CL_CHECK(clEnqueueWriteBuffer(queue_, mem, CL_FALSE, 0, data.size(), data.data(), 1, gate.address(), written.out()));
  CL_CHECK(clFlush(queue_));
  std::this_thread::sleep_for(kPendingCheck);
  EXPECT_GT(eventStatus(written), CL_COMPLETE) << "the write ran before its wait list completed";
  std::thread opener([event = gate.get()] {
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(clSetUserEventStatus(event, CL_COMPLETE), CL_SUCCESS);
  });
  CL_EXPECT(clWaitForEvents(1, written.address()));
  opener.join();
  EXPECT_EQ(eventStatus(gate), CL_COMPLETE);
  EXPECT_EQ(eventStatus(written), CL_COMPLETE);
  EXPECT_EQ(readBytes(mem, data.size()), data);
}

TEST_F(events, UserEventFailureFailsDependentCommands) {
  CommandQueue queue;
  cl_int error = CL_SUCCESS;
  queue = createQueue(context_, device_, 0, &error);
  CL_CHECK(error);
  Event gate = userEvent();
  ASSERT_TRUE(gate);
  Mem mem = buffer(CL_MEM_READ_WRITE, 64);
  const std::vector<uint8_t> data(64, 1);
  Event written;
  CL_CHECK(clEnqueueWriteBuffer(queue, mem, CL_FALSE, 0, 64, data.data(), 1, gate.address(), written.out()));
  std::thread failer([event = gate.get()] { EXPECT_EQ(clSetUserEventStatus(event, -77), CL_SUCCESS); });
  failer.join();
  EXPECT_EQ(clWaitForEvents(1, written.address()), CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
  EXPECT_EQ(eventStatus(gate), -77);
  EXPECT_LT(eventStatus(written), 0) << "a command whose wait list failed must end with a negative status";
}

TEST_F(events, MarkerWithWaitListWaitsForItsEvents) {
  Event gate = userEvent();
  ASSERT_TRUE(gate);
  Event marker;
  CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 1, gate.address(), marker.out()));
  CL_CHECK(clFlush(queue_));
  std::this_thread::sleep_for(kPendingCheck);
  EXPECT_GT(eventStatus(marker), CL_COMPLETE);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, marker.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_MARKER));
  CL_CHECK(clSetUserEventStatus(gate, CL_COMPLETE));
  CL_EXPECT(clWaitForEvents(1, marker.address()));
  EXPECT_EQ(eventStatus(marker), CL_COMPLETE);
}

TEST_F(events, BarrierWithWaitListOnAnOutOfOrderQueue) {
  cl_int error = CL_SUCCESS;
  CommandQueue ooo = createQueue(context_, device_, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, &error);
  CL_CHECK(error);
  Event gate = userEvent();
  ASSERT_TRUE(gate);
  Mem mem = buffer(CL_MEM_READ_WRITE, 4);
  const cl_uint first = 1, second = 2;
  Event firstWrite;
  CL_CHECK(clEnqueueWriteBuffer(ooo, mem, CL_FALSE, 0, 4, &first, 1, gate.address(), firstWrite.out()));
  Event barrier;
  CL_CHECK(clEnqueueBarrierWithWaitList(ooo, 1, firstWrite.address(), barrier.out()));
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, barrier.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_BARRIER));
  Event secondWrite;
  CL_CHECK(clEnqueueWriteBuffer(ooo, mem, CL_FALSE, 0, 4, &second, 0, nullptr, secondWrite.out()));
  CL_CHECK(clFlush(ooo));
  std::this_thread::sleep_for(kPendingCheck);
  EXPECT_GT(eventStatus(secondWrite), CL_COMPLETE) << "a command after a barrier ran before the barrier's wait list";
  CL_CHECK(clSetUserEventStatus(gate, CL_COMPLETE));
  CL_CHECK(clFinish(ooo));
  cl_uint value = 0;
  CL_CHECK(clEnqueueReadBuffer(ooo, mem, CL_TRUE, 0, 4, &value, 0, nullptr, nullptr));
  EXPECT_EQ(value, second);
}

TEST_F(events, EventInfo) {
  Mem mem = buffer(CL_MEM_READ_WRITE, 16);
  const std::vector<uint8_t> data(16, 3);
  Event written;
  CL_CHECK(clEnqueueWriteBuffer(queue_, mem, CL_TRUE, 0, 16, data.data(), 0, nullptr, written.out()));
  cl_command_queue queue = nullptr;
  CL_CHECK(queryInfo(&queue, clGetEventInfo, written.get(), CL_EVENT_COMMAND_QUEUE));
  EXPECT_EQ(queue, queue_);
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetEventInfo, written.get(), CL_EVENT_CONTEXT));
  EXPECT_EQ(context, context_);
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, written.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_WRITE_BUFFER));
  EXPECT_EQ(eventStatus(written), CL_COMPLETE) << "a blocking write's event is complete on return";
  // The count is for debugging (an implementation may hold its own references): at least ours.
  cl_uint references = 0;
  CL_CHECK(clRetainEvent(written));
  CL_CHECK(queryInfo(&references, clGetEventInfo, written.get(), CL_EVENT_REFERENCE_COUNT));
  EXPECT_GE(references, 2u);
  CL_CHECK(clReleaseEvent(written));

  Event user = userEvent();
  ASSERT_TRUE(user);
  CL_CHECK(queryInfo(&queue, clGetEventInfo, user.get(), CL_EVENT_COMMAND_QUEUE));
  EXPECT_EQ(queue, nullptr);
  CL_CHECK(queryInfo(&type, clGetEventInfo, user.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_USER));
  CL_CHECK(clSetUserEventStatus(user, CL_COMPLETE));
  cl_int status = 0;
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clGetEventInfo(written, 0x7777, sizeof(status), &status, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE,
                  clGetEventInfo(written, CL_EVENT_COMMAND_EXECUTION_STATUS, 1, &status, nullptr));
}

TEST_F(events, WaitForEventsAndUserEventRules) {
  Event a = userEvent();
  Event b = userEvent();
  ASSERT_TRUE(a && b);
  std::thread opener([ea = a.get(), eb = b.get()] {
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(clSetUserEventStatus(eb, CL_COMPLETE), CL_SUCCESS);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(clSetUserEventStatus(ea, CL_COMPLETE), CL_SUCCESS);
  });
  const cl_event both[] = {a.get(), b.get()};
  CL_EXPECT(clWaitForEvents(2, both));
  opener.join();
  EXPECT_EQ(eventStatus(a), CL_COMPLETE);
  EXPECT_EQ(eventStatus(b), CL_COMPLETE);
  CL_EXPECT_ERROR(CL_INVALID_OPERATION, clSetUserEventStatus(a, CL_COMPLETE)) << "status set twice";
  Event c = userEvent();
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clSetUserEventStatus(c, CL_RUNNING));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clSetUserEventStatus(c, CL_SUBMITTED));
  CL_CHECK(clSetUserEventStatus(c, CL_COMPLETE));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clWaitForEvents(0, both));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clWaitForEvents(1, nullptr));

  Mem mem = buffer(CL_MEM_READ_WRITE, 4);
  const cl_uint value = 5;
  Event written;
  CL_CHECK(clEnqueueWriteBuffer(queue_, mem, CL_TRUE, 0, 4, &value, 0, nullptr, written.out()));
  CL_EXPECT_ERROR(CL_INVALID_EVENT, clSetUserEventStatus(written, CL_COMPLETE)) << "not a user event";
}

}  // namespace
}  // namespace rcl::conformance
