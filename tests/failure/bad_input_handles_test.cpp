// Bad input (bad_input_test.h): ids that name the wrong object - another
// client's, another kind's, none - and lists whose counts do not match them.

#include "bad_input_test.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::test {
namespace {

TEST_F(BadInputTest, AnIdOfAnotherClientIsUnknown) {
  RawClient alice(zmq_, server_->endpoint(), 0xa11ce);
  RawClient bob(zmq_, server_->endpoint(), 0xb0b);
  const auto device = alice.hello();
  ASSERT_NE(device, 0u);
  ASSERT_NE(bob.hello(), 0u);
  ASSERT_EQ(alice.createContext(5, device).status, CL_SUCCESS);
  EXPECT_EQ(contextDeviceCount(alice, 5).status, CL_SUCCESS);
  EXPECT_EQ(contextDeviceCount(bob, 5).status, CL_INVALID_CONTEXT);
  // A wrong kind: the context's id used as a memory object.
  auto asBuffer = alice.call(CallId::clGetMemObjectInfo, [](protocol::Writer& w) {
    w.u64(5);
    w.u64(CL_MEM_SIZE);
  });
  EXPECT_EQ(asBuffer.status, CL_INVALID_MEM_OBJECT);
}

// [KernelLaunchInfo] (protocol/kernel_launch_info.h): the kernel's limits on
// a device; any other object in either place, or an unknown id, is refused.
TEST_F(BadInputTest, KernelLaunchInfoOfOtherObjectsIsRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x1a7c);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_NO_FATAL_FAILURE(kernel(client, 10, 11));
  const auto ask = [&](std::uint64_t kernel, std::optional<std::uint64_t> device) {
    return client.call(CallId::KernelLaunchInfo, [&](protocol::Writer& w) {
      w.u64(kernel);
      if (device) w.u64(*device);
      else w.nil();
    });
  };
  auto fine = ask(11, device_);
  ASSERT_EQ(fine.status, CL_SUCCESS) << "the kernel on its device";
  ASSERT_TRUE(fine.rest);
  EXPECT_EQ(fine.rest->integer<cl_uint>(), 3u) << "CL_KERNEL_NUM_ARGS of k";
  EXPECT_GT(fine.rest->integer<std::size_t>(), 0u) << "CL_KERNEL_WORK_GROUP_SIZE of k";
  EXPECT_EQ(fine.rest->array(), 3u) << "CL_KERNEL_COMPILE_WORK_GROUP_SIZE: 3 values";
  for (int d = 0; d < 3; ++d) EXPECT_EQ(fine.rest->integer<std::size_t>(), 0u) << "k has no reqd_work_group_size";
  EXPECT_EQ(fine.rest->integer<cl_ulong>(), 0u) << "k has no __local variables (its __local argument is not counted)";
  EXPECT_NE(ask(kBuffer, device_).status, CL_SUCCESS) << "a buffer for the kernel";
  EXPECT_NE(ask(11, kQueue).status, CL_SUCCESS) << "a queue for the device";
  EXPECT_NE(ask(999, device_).status, CL_SUCCESS) << "an unknown kernel";
  EXPECT_NE(ask(11, 998).status, CL_SUCCESS) << "an unknown device";
  expectServing(client, "launch information of other objects");
}

// [ProgramKernels] (protocol/program_kernels.h): a program's kernel names and
// their arguments' information; another object, an unknown id or a program
// with no executable is refused, and the server keeps serving.
TEST_F(BadInputTest, ProgramKernelsOfOtherObjectsIsRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x9b0c);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_NO_FATAL_FAILURE(kernel(client, 10, 11));
  const auto ask = [&](std::optional<std::uint64_t> program) {
    return client.call(CallId::ProgramKernels, [&](protocol::Writer& w) {
      if (program) w.u64(*program);
      else w.nil();
    });
  };
  auto fine = ask(10);
  ASSERT_EQ(fine.status, CL_SUCCESS) << "the built program";
  ASSERT_TRUE(fine.rest);
  ASSERT_EQ(fine.rest->array(), 1u) << "one kernel";
  ASSERT_EQ(fine.rest->array(), 2u) << "[name, args]";
  EXPECT_EQ(fine.rest->str(), "k");
  ASSERT_FALSE(fine.rest->isNil()) << "PoCL gives argument information";
  EXPECT_EQ(fine.rest->array(), 3u) << "k's arguments";
  EXPECT_NE(ask(11).status, CL_SUCCESS) << "a kernel for the program";
  EXPECT_NE(ask(kBuffer).status, CL_SUCCESS) << "a buffer for the program";
  EXPECT_NE(ask(999).status, CL_SUCCESS) << "an unknown program";
  EXPECT_NE(ask(std::nullopt).status, CL_SUCCESS) << "no program";
  expectServing(client, "kernels of other objects");
}

// cl_khr_command_buffer's hand-written handlers (and a generated recording
// call): counts that do not match their lists, a first queue that is not the
// one the buffer runs on, ids of another kind or none. Each is refused with
// the call's error and the session goes on; the true message then works.
TEST_F(BadInputTest, CommandBufferMessagesThatLieAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0xcb0f);
  ASSERT_NO_FATAL_FAILURE(open(client));
  constexpr std::uint64_t kOtherQueue = 60;
  constexpr std::uint64_t kCommands = 61;
  ASSERT_EQ(client.createQueue(kOtherQueue, kContext, device_).status, CL_SUCCESS);
  const auto create = [&](std::uint64_t id, std::uint64_t count, const std::vector<std::uint64_t>& queues) {
    return client
        .call(CallId::clCreateCommandBufferKHR,
              [&](protocol::Writer& w) {
                w.u64(id);
                w.u64(count);
                w.array(static_cast<std::uint32_t>(queues.size()));
                for (auto q : queues) w.u64(q);
                w.nil();  // properties
              })
        .status;
  };
  EXPECT_EQ(create(kCommands, 2, {kQueue}), CL_INVALID_VALUE) << "two queues said, one sent";
  EXPECT_EQ(create(kCommands, 0, {}), CL_INVALID_VALUE) << "no queue: no platform to ask";
  EXPECT_EQ(create(kCommands, 1, {kBuffer}), CL_INVALID_COMMAND_QUEUE) << "a buffer's id as a queue";
  expectServing(client, "command buffer creations that lie");
  ASSERT_EQ(create(kCommands, 1, {kQueue}), CL_SUCCESS);

  const auto fill = [&](std::uint64_t count, std::size_t sent) {
    return client
        .call(CallId::clCommandFillBufferKHR,
              [&](protocol::Writer& w) {
                w.u64(kCommands);
                w.nil();  // command_queue
                w.u64(kBuffer);
                const cl_int pattern = 3;
                w.bin(&pattern, sizeof pattern);
                w.u64(sizeof pattern);
                w.u64(0);
                w.u64(kBufferBytes);
                w.u64(count);
                const std::vector<cl_sync_point_khr> points(sent, 1);
                if (sent == 0) w.nil();
                else w.bin(points.data(), points.size() * sizeof(cl_sync_point_khr));
                w.boolean(true);   // its sync point
                w.boolean(false);  // no mutable handle
              })
        .status;
  };
  EXPECT_EQ(fill(1, 3), CL_INVALID_VALUE) << "one sync point said, three sent";
  EXPECT_EQ(fill(0, 0), CL_SUCCESS);
  ASSERT_EQ(client.call(CallId::clFinalizeCommandBufferKHR, [&](protocol::Writer& w) { w.u64(kCommands); }).status,
            CL_SUCCESS);

  const auto enqueue = [&](std::uint64_t first, std::uint64_t buffer, std::uint64_t waits) {
    return client
        .call(CallId::clEnqueueCommandBufferKHR,
              [&](protocol::Writer& w) {
                w.u64(first);  // the queue it runs on
                w.u64(0);      // num_queues
                w.nil();       // queues
                w.u64(buffer);
                w.u64(waits);
                if (waits == 0) w.nil();
                else w.array(0);
                w.nil();  // no event
              })
        .status;
  };
  EXPECT_EQ(enqueue(kOtherQueue, kCommands, 0), CL_INVALID_VALUE) << "the first queue is not the buffer's";
  EXPECT_EQ(enqueue(kQueue, kQueue, 0), CL_INVALID_COMMAND_BUFFER_KHR) << "a queue's id as a command buffer";
  EXPECT_EQ(enqueue(kQueue, 999, 0), CL_INVALID_COMMAND_BUFFER_KHR) << "an unknown id";
  EXPECT_EQ(enqueue(kQueue, kCommands, 2), CL_INVALID_VALUE) << "two events said, none sent";
  expectServing(client, "command buffer enqueues that lie");
  EXPECT_EQ(enqueue(kQueue, kCommands, 0), CL_SUCCESS) << "the true enqueue";
  EXPECT_EQ(client.call(CallId::clFinish, [&](protocol::Writer& w) { w.u64(kQueue); }).status, CL_SUCCESS);
}

// A clFinish sent without waiting (as the client sends one after small
// writes) while a command waits for a user event: the session does not hold
// for it (the event is set by a later call, which must be read), and its next
// calls are answered.
TEST_F(BadInputTest, AFinishSentWithoutWaitingNeverHoldsTheSessionForAGatedCommand) {
  RawClient client(zmq_, server_->endpoint(), 0xf1f1);
  ASSERT_NO_FATAL_FAILURE(open(client));
  constexpr std::uint64_t kGate = 40;
  const auto made = client.call(CallId::clCreateUserEvent, [&](protocol::Writer& w) {
    protocol::opencl::clCreateUserEventRequest{.created_id = kGate, .context = kContext}.encode(w);
  });
  ASSERT_EQ(made.status, CL_SUCCESS);
  const std::string data = "written past the gate";
  const auto written = client.call(CallId::clEnqueueWriteBuffer, [&](protocol::Writer& w) {
    w.u64(kQueue);
    w.u64(kBuffer);
    w.u64(0);
    w.u64(data.size());
    w.array(1);
    w.bulkCopy(data.data(), data.size());
    w.array(1);
    w.u64(kGate);  // the wait list: the gate
    w.nil();       // no event
  });
  ASSERT_EQ(written.status, CL_SUCCESS);
  client.post(CallId::clFinish, [&](protocol::Writer& w) { w.u64(kQueue); });
  const auto set = client.call(CallId::clSetUserEventStatus, [&](protocol::Writer& w) {
    protocol::opencl::clSetUserEventStatusRequest{.event = kGate, .execution_status = CL_COMPLETE}.encode(w);
  });
  EXPECT_EQ(set.kind, Kind::Reply) << "no answer to the call that opens the gate: the session held for the finish";
  EXPECT_EQ(set.status, CL_SUCCESS);
  EXPECT_EQ(client.call(CallId::clFinish, [&](protocol::Writer& w) { w.u64(kQueue); }).status, CL_SUCCESS)
      << "the finish after the gate opened";
  expectServing(client, "a finish sent without waiting for a gated write");
}

}  // namespace
}  // namespace rcl::test
