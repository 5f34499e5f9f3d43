// callbacks: event callbacks for every status, memory object and context
// destructor callbacks (arguments, reverse registration order), program release callbacks.

#include "conformance.h"

namespace rcl::conformance {
namespace {

class callbacks : public Suite<callbacks> {};  // NOLINT(readability-identifier-naming): the area's name

struct EventCall {
  cl_event event;
  cl_int status;
  int tag;
};

struct EventCallbackTarget {
  CallLog<EventCall>* log;
  int tag;
};

void CL_CALLBACK recordEvent(cl_event event, cl_int status, void* userData) {
  auto* target = static_cast<EventCallbackTarget*>(userData);
  target->log->add(EventCall{event, status, target->tag});
}

TEST_F(callbacks, EventCallbacksForEveryStatus) {
  cl_int error = CL_SUCCESS;
  Event gate(clCreateUserEvent(context_, &error));
  CL_CHECK(error);
  Kernel k = kernel("__kernel void inc(__global int* p) { p[get_global_id(0)] += 1; }", "inc");
  ASSERT_TRUE(k);
  Mem mem = buffer(CL_MEM_READ_WRITE, 64 * sizeof(cl_int));
  const std::vector<cl_int> zeros(64, 0);
  CL_CHECK(clEnqueueWriteBuffer(queue_, mem, CL_TRUE, 0, 64 * sizeof(cl_int), zeros.data(), 0, nullptr, nullptr));
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), mem.address()));
  const size_t global = 64;
  Event ran;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &global, nullptr, 1, gate.address(), ran.out()));
  CallLog<EventCall> log;
  EventCallbackTarget submitted{&log, CL_SUBMITTED};
  EventCallbackTarget running{&log, CL_RUNNING};
  EventCallbackTarget complete{&log, CL_COMPLETE};
  CL_CHECK(clSetEventCallback(ran, CL_COMPLETE, recordEvent, &complete));
  CL_CHECK(clSetEventCallback(ran, CL_RUNNING, recordEvent, &running));
  CL_CHECK(clSetEventCallback(ran, CL_SUBMITTED, recordEvent, &submitted));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clSetEventCallback(ran, CL_QUEUED, recordEvent, &complete));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clSetEventCallback(ran, CL_COMPLETE, nullptr, &complete));
  CL_CHECK(clSetUserEventStatus(gate, CL_COMPLETE));
  CL_CHECK(clWaitForEvents(1, ran.address()));
  ASSERT_TRUE(log.waitFor(3)) << "only " << log.size() << " of 3 callbacks came";
  std::this_thread::sleep_for(50ms);
  const std::vector<EventCall> calls = log.records();
  ASSERT_EQ(calls.size(), 3u) << "each callback must be called exactly once";
  for (const EventCall& call : calls) {
    SCOPED_TRACE("callback registered for status " + std::to_string(call.tag));
    EXPECT_EQ(call.event, ran.get());
    EXPECT_EQ(call.status, call.tag) << "the status argument must be the status the callback was registered for";
  }
  EXPECT_EQ(read<cl_int>(mem, 64), std::vector<cl_int>(64, 1));
}

TEST_F(callbacks, EventCallbackOnUserEventFromAnotherThread) {
  cl_int error = CL_SUCCESS;
  Event user(clCreateUserEvent(context_, &error));
  CL_CHECK(error);
  CallLog<EventCall> log;
  EventCallbackTarget target{&log, 7};
  CL_CHECK(clSetEventCallback(user, CL_COMPLETE, recordEvent, &target));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(log.size(), 0u) << "callback before the status was set";
  std::thread setter([event = user.get()] { EXPECT_EQ(clSetUserEventStatus(event, CL_COMPLETE), CL_SUCCESS); });
  setter.join();
  ASSERT_TRUE(log.waitFor(1));
  const EventCall call = log.records().at(0);
  EXPECT_EQ(call.event, user.get());
  EXPECT_EQ(call.status, CL_COMPLETE);
  EXPECT_EQ(call.tag, 7);
}

TEST_F(callbacks, CallbackOnAnAlreadyCompleteEvent) {
  Mem mem = buffer(CL_MEM_READ_WRITE, 16);
  const std::vector<uint8_t> data(16, 2);
  Event written;
  CL_CHECK(clEnqueueWriteBuffer(queue_, mem, CL_TRUE, 0, 16, data.data(), 0, nullptr, written.out()));
  CallLog<EventCall> log;
  EventCallbackTarget target{&log, 3};
  CL_CHECK(clSetEventCallback(written, CL_COMPLETE, recordEvent, &target));
  CL_CHECK(clSetEventCallback(written, CL_SUBMITTED, recordEvent, &target));
  ASSERT_TRUE(log.waitFor(2)) << "callbacks registered on a complete event must still be called";
  for (const EventCall& call : log.records()) {
    EXPECT_EQ(call.event, written.get());
    EXPECT_TRUE(call.status == CL_COMPLETE || call.status == CL_SUBMITTED) << call.status;
  }
}

struct DestructorCall {
  void* object;
  int tag;
};

struct DestructorTarget {
  CallLog<DestructorCall>* log;
  int tag;
};

void CL_CALLBACK recordMemDestructor(cl_mem mem, void* userData) {
  auto* target = static_cast<DestructorTarget*>(userData);
  target->log->add(DestructorCall{mem, target->tag});
}

void CL_CALLBACK recordContextDestructor(cl_context context, void* userData) {
  auto* target = static_cast<DestructorTarget*>(userData);
  target->log->add(DestructorCall{context, target->tag});
}

void CL_CALLBACK recordProgramRelease(cl_program program, void* userData) {
  auto* target = static_cast<DestructorTarget*>(userData);
  target->log->add(DestructorCall{program, target->tag});
}

TEST_F(callbacks, MemObjectDestructorCallbacksInReverseOrder) {
  CallLog<DestructorCall> log;
  DestructorTarget first{&log, 1};
  DestructorTarget second{&log, 2};
  DestructorTarget third{&log, 3};
  cl_int error = CL_SUCCESS;
  cl_mem mem = clCreateBuffer(context_, CL_MEM_READ_WRITE, 256, nullptr, &error);
  CL_CHECK(error);
  CL_CHECK(clSetMemObjectDestructorCallback(mem, recordMemDestructor, &first));
  CL_CHECK(clSetMemObjectDestructorCallback(mem, recordMemDestructor, &second));
  CL_CHECK(clSetMemObjectDestructorCallback(mem, recordMemDestructor, &third));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clSetMemObjectDestructorCallback(mem, nullptr, &first));
  CL_CHECK(clRetainMemObject(mem));
  CL_CHECK(clReleaseMemObject(mem));
  CL_CHECK(clFinish(queue_));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(log.size(), 0u) << "destructor callback while a reference remained";
  CL_CHECK(clReleaseMemObject(mem));
  ASSERT_TRUE(log.waitFor(3)) << log.size() << " of 3 destructor callbacks";
  const std::vector<DestructorCall> calls = log.records();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].tag, 3);
  EXPECT_EQ(calls[1].tag, 2);
  EXPECT_EQ(calls[2].tag, 1);
  for (const DestructorCall& call : calls) EXPECT_EQ(call.object, static_cast<void*>(mem));
}

TEST_F(callbacks, DestructorCallbacksOfSubBufferAndImage) {
  CallLog<DestructorCall> log;
  DestructorTarget subTarget{&log, 10};
  DestructorTarget imageTarget{&log, 20};
  Mem parent = buffer(CL_MEM_READ_WRITE, 4096);
  const cl_buffer_region region{0, 256};
  cl_int error = CL_SUCCESS;
  cl_mem sub = clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &error);
  CL_CHECK(error);
  CL_CHECK(clSetMemObjectDestructorCallback(sub, recordMemDestructor, &subTarget));
  const cl_image_format format{CL_RGBA, CL_UNORM_INT8};
  cl_image_desc desc{};
  desc.image_type = CL_MEM_OBJECT_IMAGE2D;
  desc.image_width = 8;
  desc.image_height = 8;
  cl_mem image = clCreateImage(context_, CL_MEM_READ_WRITE, &format, &desc, nullptr, &error);
  CL_CHECK(error);
  CL_CHECK(clSetMemObjectDestructorCallback(image, recordMemDestructor, &imageTarget));
  CL_CHECK(clReleaseMemObject(sub));
  ASSERT_TRUE(log.waitFor(1));
  CL_CHECK(clReleaseMemObject(image));
  ASSERT_TRUE(log.waitFor(2));
  const std::vector<DestructorCall> calls = log.records();
  EXPECT_EQ(calls[0].tag, 10);
  EXPECT_EQ(calls[0].object, static_cast<void*>(sub));
  EXPECT_EQ(calls[1].tag, 20);
  EXPECT_EQ(calls[1].object, static_cast<void*>(image));
}

TEST_F(callbacks, ContextDestructorCallbacksInReverseOrder) {
  CallLog<DestructorCall> log;
  DestructorTarget first{&log, 1};
  DestructorTarget second{&log, 2};
  cl_int error = CL_SUCCESS;
  const cl_context_properties properties[] = {CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(platform_),
                                              0};
  cl_context context = clCreateContext(properties, 1, &device_, nullptr, nullptr, &error);
  CL_CHECK(error);
  CL_CHECK(clSetContextDestructorCallback(context, recordContextDestructor, &first));
  CL_CHECK(clSetContextDestructorCallback(context, recordContextDestructor, &second));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clSetContextDestructorCallback(context, nullptr, &first));
  CL_CHECK(clRetainContext(context));
  CL_CHECK(clReleaseContext(context));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(log.size(), 0u) << "context destroyed while a reference remained";
  CL_CHECK(clReleaseContext(context));
  ASSERT_TRUE(log.waitFor(2)) << log.size() << " of 2 context destructor callbacks";
  const std::vector<DestructorCall> calls = log.records();
  EXPECT_EQ(calls[0].tag, 2);
  EXPECT_EQ(calls[1].tag, 1);
  for (const DestructorCall& call : calls) EXPECT_EQ(call.object, static_cast<void*>(context));
}

// clSetProgramReleaseCallback is deprecated in OpenCL 3.0: an implementation may answer
// CL_INVALID_OPERATION. If it accepts the callback, it must call it on release.
TEST_F(callbacks, ProgramReleaseCallback) {
  const char* source = "__kernel void nop(void) {}";
  cl_int error = CL_SUCCESS;
  cl_program program = clCreateProgramWithSource(context_, 1, &source, nullptr, &error);
  CL_CHECK(error);
  CallLog<DestructorCall> log;
  DestructorTarget target{&log, 5};
  const cl_int set = clSetProgramReleaseCallback(program, recordProgramRelease, &target);
  CL_CHECK(clReleaseProgram(program));
  if (set == CL_INVALID_OPERATION) {
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(log.size(), 0u);
    return;
  }
  CL_CHECK(set);
  ASSERT_TRUE(log.waitFor(1));
  EXPECT_EQ(log.records()[0].object, static_cast<void*>(program));
}

}  // namespace
}  // namespace rcl::conformance
