// queues: in-order and out-of-order queues, markers/barriers without wait lists, queue info,
// clFlush/clFinish, property validation, the legacy clCreateCommandQueue.

#include "conformance.h"

namespace rcl::conformance {
namespace {

class queues : public Suite<queues> {  // NOLINT(readability-identifier-naming): the area's name
 protected:
  static constexpr const char* kSource =
      "__kernel void add(__global int* p, int v) { p[get_global_id(0)] += v; }\n"
      "__kernel void twice(__global int* p) { p[get_global_id(0)] *= 2; }\n";

  CommandQueue makeQueue(cl_command_queue_properties properties) {
    cl_int error = CL_SUCCESS;
    CommandQueue queue = createQueue(context_, device_, properties, &error);
    EXPECT_EQ(error, CL_SUCCESS) << clErrorName(error);
    return queue;
  }
};

constexpr size_t kCount = 256;

TEST_F(queues, InOrderQueueRunsCommandsInOrder) {
  Kernel add = kernel(kSource, "add");
  Kernel twice = kernel(kSource, "twice");
  ASSERT_TRUE(add && twice);
  Mem mem = buffer(CL_MEM_READ_WRITE, kCount * sizeof(cl_int));
  const std::vector<cl_int> ones(kCount, 1);
  CL_CHECK(clEnqueueWriteBuffer(queue_, mem, CL_FALSE, 0, kCount * sizeof(cl_int), ones.data(), 0, nullptr, nullptr));
  CL_CHECK(clSetKernelArg(add, 0, sizeof(cl_mem), mem.address()));
  CL_CHECK(clSetKernelArg(twice, 0, sizeof(cl_mem), mem.address()));
  const size_t global = kCount;
  // ((1 + 3) * 2 + 5) * 2 = 26: any reordering gives another number.
  for (cl_int v : {3, 5}) {
    CL_CHECK(clSetKernelArg(add, 1, sizeof(v), &v));
    CL_CHECK(clEnqueueNDRangeKernel(queue_, add, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
    CL_CHECK(clEnqueueNDRangeKernel(queue_, twice, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  }
  EXPECT_EQ(read<cl_int>(mem, kCount), std::vector<cl_int>(kCount, 26));
}

TEST_F(queues, OutOfOrderQueueFollowsEventDependencies) {
  CommandQueue ooo = makeQueue(CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
  ASSERT_TRUE(ooo);
  Kernel add = kernel(kSource, "add");
  Kernel twice = kernel(kSource, "twice");
  ASSERT_TRUE(add && twice);
  Mem mem = buffer(CL_MEM_READ_WRITE, kCount * sizeof(cl_int));
  const std::vector<cl_int> ones(kCount, 1);
  Event step;
  CL_CHECK(clEnqueueWriteBuffer(ooo, mem, CL_FALSE, 0, kCount * sizeof(cl_int), ones.data(), 0, nullptr, step.out()));
  CL_CHECK(clSetKernelArg(add, 0, sizeof(cl_mem), mem.address()));
  CL_CHECK(clSetKernelArg(twice, 0, sizeof(cl_mem), mem.address()));
  const size_t global = kCount;
  for (cl_int v : {3, 5}) {
    CL_CHECK(clSetKernelArg(add, 1, sizeof(v), &v));
    Event added;
    CL_CHECK(clEnqueueNDRangeKernel(ooo, add, 1, nullptr, &global, nullptr, 1, step.address(), added.out()));
    CL_CHECK(clEnqueueNDRangeKernel(ooo, twice, 1, nullptr, &global, nullptr, 1, added.address(), step.out()));
  }
  std::vector<cl_int> seen(kCount, 0);
  CL_CHECK(clEnqueueReadBuffer(ooo, mem, CL_TRUE, 0, kCount * sizeof(cl_int), seen.data(), 1, step.address(),
                               nullptr));
  EXPECT_EQ(seen, std::vector<cl_int>(kCount, 26));
}

TEST_F(queues, OutOfOrderBarrierAndMarkerWithoutWaitLists) {
  CommandQueue ooo = makeQueue(CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
  ASSERT_TRUE(ooo);
  Kernel twice = kernel(kSource, "twice");
  ASSERT_TRUE(twice);
  Mem mem = buffer(CL_MEM_READ_WRITE, kCount * sizeof(cl_int));
  const std::vector<cl_int> threes(kCount, 3);
  CL_CHECK(clEnqueueWriteBuffer(ooo, mem, CL_FALSE, 0, kCount * sizeof(cl_int), threes.data(), 0, nullptr, nullptr));
  CL_CHECK(clEnqueueBarrierWithWaitList(ooo, 0, nullptr, nullptr));
  CL_CHECK(clSetKernelArg(twice, 0, sizeof(cl_mem), mem.address()));
  const size_t global = kCount;
  Event ran;
  CL_CHECK(clEnqueueNDRangeKernel(ooo, twice, 1, nullptr, &global, nullptr, 0, nullptr, ran.out()));
  Event marker;
  CL_CHECK(clEnqueueMarkerWithWaitList(ooo, 0, nullptr, marker.out()));
  CL_CHECK(clWaitForEvents(1, marker.address()));
  EXPECT_EQ(eventStatus(ran), CL_COMPLETE) << "a marker without wait list waits for every earlier command";
  std::vector<cl_int> seen(kCount, 0);
  CL_CHECK(clEnqueueReadBuffer(ooo, mem, CL_TRUE, 0, kCount * sizeof(cl_int), seen.data(), 0, nullptr, nullptr));
  EXPECT_EQ(seen, std::vector<cl_int>(kCount, 6));
  // The OpenCL 1.1 forms.
  Event legacyMarker;
  CL_CHECK(clEnqueueMarker(ooo, legacyMarker.out()));
  CL_CHECK(clEnqueueBarrier(ooo));
  CL_CHECK(clFinish(ooo));
  EXPECT_EQ(eventStatus(legacyMarker), CL_COMPLETE);
}

TEST_F(queues, QueueInfo) {
  const cl_queue_properties properties[] = {CL_QUEUE_PROPERTIES,
                                            CL_QUEUE_PROFILING_ENABLE | CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, 0};
  cl_int error = CL_SUCCESS;
  CommandQueue queue(clCreateCommandQueueWithProperties(context_, device_, properties, &error));
  CL_CHECK(error);
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetCommandQueueInfo, queue.get(), CL_QUEUE_CONTEXT));
  EXPECT_EQ(context, context_);
  cl_device_id device = nullptr;
  CL_CHECK(queryInfo(&device, clGetCommandQueueInfo, queue.get(), CL_QUEUE_DEVICE));
  EXPECT_EQ(device, device_);
  cl_command_queue_properties reported = 0;
  CL_CHECK(queryInfo(&reported, clGetCommandQueueInfo, queue.get(), CL_QUEUE_PROPERTIES));
  EXPECT_EQ(reported, static_cast<cl_command_queue_properties>(CL_QUEUE_PROFILING_ENABLE |
                                                                CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE));
  std::vector<cl_queue_properties> array;
  CL_CHECK(queryVector(&array, clGetCommandQueueInfo, queue.get(), CL_QUEUE_PROPERTIES_ARRAY));
  EXPECT_EQ(array, std::vector<cl_queue_properties>(std::begin(properties), std::end(properties)));
  cl_uint references = 0;
  CL_CHECK(clRetainCommandQueue(queue));
  CL_CHECK(queryInfo(&references, clGetCommandQueueInfo, queue.get(), CL_QUEUE_REFERENCE_COUNT));
  EXPECT_EQ(references, 2u);
  CL_CHECK(clReleaseCommandQueue(queue));
}

TEST_F(queues, FlushAndFinish) {
  CommandQueue queue = makeQueue(0);
  ASSERT_TRUE(queue);
  Mem mem = buffer(CL_MEM_READ_WRITE, 64 * 1024);
  std::vector<uint8_t> data = counting(64 * 1024, 0);
  std::vector<Event> written(16);
  for (size_t i = 0; i < written.size(); ++i) {
    CL_CHECK(clEnqueueWriteBuffer(queue, mem, CL_FALSE, i * 4096, 4096, data.data() + i * 4096, 0, nullptr,
                                  written[i].out()));
  }
  CL_CHECK(clFlush(queue));
  // After a flush the commands make progress on their own: waiting needs no clFinish.
  CL_CHECK(clWaitForEvents(1, written.back().address()));
  EXPECT_EQ(eventStatus(written.back()), CL_COMPLETE);
  Event last;
  CL_CHECK(clEnqueueMarkerWithWaitList(queue, 0, nullptr, last.out()));
  CL_CHECK(clFinish(queue));
  for (Event& event : written) EXPECT_EQ(eventStatus(event), CL_COMPLETE);
  EXPECT_EQ(eventStatus(last), CL_COMPLETE);
  std::vector<uint8_t> seen(data.size(), 0);
  CL_CHECK(clEnqueueReadBuffer(queue, mem, CL_TRUE, 0, seen.size(), seen.data(), 0, nullptr, nullptr));
  EXPECT_EQ(seen, data);
}

TEST_F(queues, InvalidPropertiesAndLegacyCreate) {
  cl_int error = CL_SUCCESS;
  const cl_queue_properties unknown[] = {CL_QUEUE_PROPERTIES, static_cast<cl_queue_properties>(1) << 20, 0};
  CommandQueue bad(clCreateCommandQueueWithProperties(context_, device_, unknown, &error));
  EXPECT_EQ(bad.get(), nullptr);
  EXPECT_TRUE(error == CL_INVALID_VALUE || error == CL_INVALID_QUEUE_PROPERTIES) << clErrorName(error);
  const cl_queue_properties badName[] = {0x7777, 0, 0};
  CommandQueue bad2(clCreateCommandQueueWithProperties(context_, device_, badName, &error));
  EXPECT_EQ(bad2.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, error);

  CommandQueue legacy(clCreateCommandQueue(context_, device_, CL_QUEUE_PROFILING_ENABLE, &error));
  CL_CHECK(error);
  cl_command_queue_properties reported = 0;
  CL_CHECK(queryInfo(&reported, clGetCommandQueueInfo, legacy.get(), CL_QUEUE_PROPERTIES));
  EXPECT_EQ(reported, static_cast<cl_command_queue_properties>(CL_QUEUE_PROFILING_ENABLE));
  const cl_uint value = 9;
  Mem mem = buffer(CL_MEM_READ_WRITE, 4);
  CL_CHECK(clEnqueueWriteBuffer(legacy, mem, CL_TRUE, 0, 4, &value, 0, nullptr, nullptr));
  cl_uint seen = 0;
  CL_CHECK(clEnqueueReadBuffer(legacy, mem, CL_TRUE, 0, 4, &seen, 0, nullptr, nullptr));
  EXPECT_EQ(seen, value);
}

TEST_F(queues, CommandsFromAnotherContextAreRejected) {
  cl_int error = CL_SUCCESS;
  Context other = createContext(platform_, device_, &error);
  CL_CHECK(error);
  Mem foreign(clCreateBuffer(other, CL_MEM_READ_WRITE, 16, nullptr, &error));
  CL_CHECK(error);
  uint8_t bytes[16] = {};
  CL_EXPECT_ERROR(CL_INVALID_CONTEXT,
                  clEnqueueReadBuffer(queue_, foreign, CL_TRUE, 0, 16, bytes, 0, nullptr, nullptr));
  Event user(clCreateUserEvent(other, &error));
  CL_CHECK(error);
  Mem local = buffer(CL_MEM_READ_WRITE, 16);
  CL_EXPECT_ERROR(CL_INVALID_CONTEXT,
                  clEnqueueReadBuffer(queue_, local, CL_TRUE, 0, 16, bytes, 1, user.address(), nullptr));
  CL_CHECK(clSetUserEventStatus(user, CL_COMPLETE));
}

}  // namespace
}  // namespace rcl::conformance
