// cl_khr_command_buffer, natively and through remote-cl: a buffer recorded
// once (a fill, a kernel, a barrier and a copy, chained by sync points) runs
// again and again with the right bytes; its information, its reference
// count and the references it holds; and the errors of each call as the real
// platform gives them. (How many messages an enqueue costs:
// tests/tools/check_command_buffer_trace.py.)

#include <array>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CL/cl_ext.h>

#include "rcl_test.h"

namespace rcl::test {
namespace {

constexpr size_t kCount = 256;
constexpr cl_int kFill = 5;
constexpr cl_int kScale = 3;

constexpr const char* kSource = R"(
kernel void scale_add(global int* a, global const int* in, int k) {
  size_t i = get_global_id(0);
  a[i] += in[i] * k;
}
)";

class CommandBufferTest : public ClTest {
 protected:
  void SetUp() override {
    ClTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    std::string extensions;
    CL_CHECK(queryString(&extensions, clGetDeviceInfo, device_, CL_DEVICE_EXTENSIONS));
    if (extensions.find("cl_khr_command_buffer ") == std::string::npos &&
        !extensions.ends_with("cl_khr_command_buffer"))
      GTEST_SKIP() << "the device does not list cl_khr_command_buffer";
    create_ = function<clCreateCommandBufferKHR_fn>("clCreateCommandBufferKHR");
    finalize_ = function<clFinalizeCommandBufferKHR_fn>("clFinalizeCommandBufferKHR");
    retain_ = function<clRetainCommandBufferKHR_fn>("clRetainCommandBufferKHR");
    release_ = function<clReleaseCommandBufferKHR_fn>("clReleaseCommandBufferKHR");
    enqueue_ = function<clEnqueueCommandBufferKHR_fn>("clEnqueueCommandBufferKHR");
    barrier_ = function<clCommandBarrierWithWaitListKHR_fn>("clCommandBarrierWithWaitListKHR");
    copy_ = function<clCommandCopyBufferKHR_fn>("clCommandCopyBufferKHR");
    fill_ = function<clCommandFillBufferKHR_fn>("clCommandFillBufferKHR");
    ndrange_ = function<clCommandNDRangeKernelKHR_fn>("clCommandNDRangeKernelKHR");
    info_ = function<clGetCommandBufferInfoKHR_fn>("clGetCommandBufferInfoKHR");
    for (void* f : {reinterpret_cast<void*>(create_), reinterpret_cast<void*>(finalize_),
                    reinterpret_cast<void*>(retain_), reinterpret_cast<void*>(release_),
                    reinterpret_cast<void*>(enqueue_), reinterpret_cast<void*>(barrier_),
                    reinterpret_cast<void*>(copy_), reinterpret_cast<void*>(fill_),
                    reinterpret_cast<void*>(ndrange_), reinterpret_cast<void*>(info_)})
      ASSERT_NE(f, nullptr) << "an entry point of the listed cl_khr_command_buffer is missing";
  }

  template <class F>
  F function(const char* name) {
    return reinterpret_cast<F>(clGetExtensionFunctionAddressForPlatform(platform_, name));
  }

  cl_command_buffer_khr newBuffer(const cl_command_buffer_properties_khr* properties = nullptr) {
    cl_int error = CL_SUCCESS;
    cl_command_queue queue = queue_.get();
    cl_command_buffer_khr buffer = create_(1, &queue, properties, &error);
    EXPECT_EQ(error, CL_SUCCESS);
    EXPECT_NE(buffer, nullptr);
    return buffer;
  }

  cl_uint state(cl_command_buffer_khr buffer) {
    cl_command_buffer_state_khr value = 99;
    EXPECT_EQ(queryInfo(&value, info_, buffer, CL_COMMAND_BUFFER_STATE_KHR), CL_SUCCESS);
    return value;
  }
  cl_uint references(cl_command_buffer_khr buffer) {
    cl_uint value = 0;
    EXPECT_EQ(queryInfo(&value, info_, buffer, CL_COMMAND_BUFFER_REFERENCE_COUNT_KHR), CL_SUCCESS);
    return value;
  }
  static cl_uint memReferences(cl_mem m) {
    cl_uint value = 0;
    EXPECT_EQ(queryInfo(&value, clGetMemObjectInfo, m, CL_MEM_REFERENCE_COUNT), CL_SUCCESS);
    return value;
  }

  // CL_MEM_REFERENCE_COUNT once it settles at `expected`, or what it is after
  // 10 s. A command that completed may still hold its memory objects for a
  // moment: PoCL lets go of them on its device thread after it has signalled
  // the completion that clFinish waited for (the spec calls the count stale
  // as soon as it is read). Seen once in 60 loaded runs, remotely.
  static cl_uint memReferencesSettledAt(cl_mem m, cl_uint expected) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    cl_uint value = memReferences(m);
    while (value != expected && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      value = memReferences(m);
    }
    return value;
  }

  // Records into `buffer`: fill a with kFill; a += in * k (after the fill);
  // a barrier (after the kernel); copy a to out (after the barrier).
  void record(cl_command_buffer_khr buffer, cl_kernel kernel, cl_mem a, cl_mem out) {
    std::array<cl_sync_point_khr, 4> points{};
    points.fill(0xdeadbeef);
    CL_CHECK(fill_(buffer, nullptr, a, &kFill, sizeof kFill, 0, kCount * sizeof(cl_int), 0, nullptr, &points[0],
                   nullptr));
    const size_t global = kCount;
    CL_CHECK(ndrange_(buffer, nullptr, nullptr, kernel, 1, nullptr, &global, nullptr, 1, &points[0], &points[1],
                      nullptr));
    CL_CHECK(barrier_(buffer, nullptr, 1, &points[1], &points[2], nullptr));
    CL_CHECK(copy_(buffer, nullptr, a, out, 0, 0, kCount * sizeof(cl_int), 1, &points[2], &points[3], nullptr));
    for (std::size_t i = 0; i < points.size(); ++i) {
      EXPECT_NE(points[i], 0xdeadbeefu) << "sync point " << i << " was not returned";
      for (std::size_t j = 0; j < i; ++j) EXPECT_NE(points[i], points[j]) << "sync points " << j << " and " << i;
    }
  }

  void write(cl_mem m, const std::vector<cl_int>& values) {
    CL_CHECK(clEnqueueWriteBuffer(queue_, m, CL_TRUE, 0, values.size() * sizeof(cl_int), values.data(), 0, nullptr,
                                  nullptr));
  }
  std::vector<cl_int> read(cl_mem m) {
    std::vector<cl_int> values(kCount, -1);
    EXPECT_EQ(clEnqueueReadBuffer(queue_, m, CL_TRUE, 0, kCount * sizeof(cl_int), values.data(), 0, nullptr, nullptr),
              CL_SUCCESS);
    return values;
  }

  // A kernel scale_add(a, in, kScale).
  void kernel(Program* program, Kernel* kernel, cl_mem a, cl_mem in) {
    ASSERT_NO_FATAL_FAILURE(buildOrFail(kSource, program));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(*program, "scale_add", kernel));
    CL_CHECK(clSetKernelArg(*kernel, 0, sizeof(cl_mem), &a));
    CL_CHECK(clSetKernelArg(*kernel, 1, sizeof(cl_mem), &in));
    CL_CHECK(clSetKernelArg(*kernel, 2, sizeof kScale, &kScale));
  }

  clCreateCommandBufferKHR_fn create_ = nullptr;
  clFinalizeCommandBufferKHR_fn finalize_ = nullptr;
  clRetainCommandBufferKHR_fn retain_ = nullptr;
  clReleaseCommandBufferKHR_fn release_ = nullptr;
  clEnqueueCommandBufferKHR_fn enqueue_ = nullptr;
  clCommandBarrierWithWaitListKHR_fn barrier_ = nullptr;
  clCommandCopyBufferKHR_fn copy_ = nullptr;
  clCommandFillBufferKHR_fn fill_ = nullptr;
  clCommandNDRangeKernelKHR_fn ndrange_ = nullptr;
  clGetCommandBufferInfoKHR_fn info_ = nullptr;
};

TEST_F(CommandBufferTest, TheDeviceAnswersItsCapabilityQueries) {
  cl_device_command_buffer_capabilities_khr capabilities = 0;
  CL_EXPECT(queryInfo(&capabilities, clGetDeviceInfo, device_, CL_DEVICE_COMMAND_BUFFER_CAPABILITIES_KHR));
  cl_command_queue_properties required = ~cl_command_queue_properties{0};
  CL_EXPECT(queryInfo(&required, clGetDeviceInfo, device_, CL_DEVICE_COMMAND_BUFFER_REQUIRED_QUEUE_PROPERTIES_KHR));
  EXPECT_EQ(required & ~(CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE | CL_QUEUE_PROFILING_ENABLE), 0u);
}

// Recorded once, run five times: each run refills, recomputes and copies, with
// the input of that run (written between runs), and with its own event.
TEST_F(CommandBufferTest, ARecordedBufferRunsAgainAndAgainWithTheRightBytes) {
  Mem a, in, out;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, kCount * sizeof(cl_int), nullptr, &a));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY, kCount * sizeof(cl_int), nullptr, &in));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_WRITE_ONLY, kCount * sizeof(cl_int), nullptr, &out));
  Program program;
  Kernel k;
  ASSERT_NO_FATAL_FAILURE(kernel(&program, &k, a, in));
  cl_command_buffer_khr buffer = newBuffer();
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(state(buffer), static_cast<cl_uint>(CL_COMMAND_BUFFER_STATE_RECORDING_KHR));
  ASSERT_NO_FATAL_FAILURE(record(buffer, k, a, out));
  CL_CHECK(finalize_(buffer));
  EXPECT_EQ(state(buffer), static_cast<cl_uint>(CL_COMMAND_BUFFER_STATE_EXECUTABLE_KHR));
  for (int run = 0; run < 5; ++run) {
    std::vector<cl_int> input(kCount);
    for (size_t i = 0; i < kCount; ++i) input[i] = static_cast<cl_int>(i) * (run + 1) - 7;
    write(in, input);
    write(out, std::vector<cl_int>(kCount, -1));
    Event done;
    CL_CHECK(enqueue_(0, nullptr, buffer, 0, nullptr, done.out()));
    CL_CHECK(clWaitForEvents(1, done.address()));
    cl_command_type type = 0;
    CL_EXPECT(queryInfo(&type, clGetEventInfo, done.get(), CL_EVENT_COMMAND_TYPE));
    EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_COMMAND_BUFFER_KHR));
    cl_command_queue queue = nullptr;
    CL_EXPECT(queryInfo(&queue, clGetEventInfo, done.get(), CL_EVENT_COMMAND_QUEUE));
    EXPECT_EQ(queue, queue_.get());
    const auto got = read(out);
    for (size_t i = 0; i < kCount; ++i) {
      ASSERT_EQ(got[i], kFill + input[i] * kScale) << "run " << run << ", element " << i;
    }
  }
  // Without events, each run finished by clFinish (without simultaneous use a
  // run may not start while the last is pending).
  for (cl_int run = 1; run <= 3; ++run) {
    write(in, std::vector<cl_int>(kCount, run));
    CL_CHECK(enqueue_(0, nullptr, buffer, 0, nullptr, nullptr));
    CL_CHECK(clFinish(queue_));
    for (cl_int v : read(out)) ASSERT_EQ(v, kFill + run * kScale) << "run " << run << " without an event";
  }
  CL_EXPECT(release_(buffer));
}

// Simultaneous use: runs may overlap; the last one's bytes after clFinish.
TEST_F(CommandBufferTest, ASimultaneousUseBufferRunsWithoutWaiting) {
  Mem a, in, out;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, kCount * sizeof(cl_int), nullptr, &a));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY, kCount * sizeof(cl_int), nullptr, &in));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_WRITE_ONLY, kCount * sizeof(cl_int), nullptr, &out));
  Program program;
  Kernel k;
  ASSERT_NO_FATAL_FAILURE(kernel(&program, &k, a, in));
  const cl_command_buffer_properties_khr properties[] = {CL_COMMAND_BUFFER_FLAGS_KHR,
                                                         CL_COMMAND_BUFFER_SIMULTANEOUS_USE_KHR, 0};
  cl_command_buffer_khr buffer = newBuffer(properties);
  ASSERT_NE(buffer, nullptr);
  ASSERT_NO_FATAL_FAILURE(record(buffer, k, a, out));
  CL_CHECK(finalize_(buffer));
  std::vector<cl_int> input(kCount);
  for (size_t i = 0; i < kCount; ++i) input[i] = static_cast<cl_int>(i);
  write(in, input);
  for (int run = 0; run < 4; ++run) CL_CHECK(enqueue_(0, nullptr, buffer, 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));
  const auto got = read(out);
  for (size_t i = 0; i < kCount; ++i) ASSERT_EQ(got[i], kFill + input[i] * kScale) << "element " << i;
  std::array<cl_command_buffer_properties_khr, 4> kept{};
  size_t size = 0;
  CL_CHECK(info_(buffer, CL_COMMAND_BUFFER_PROPERTIES_ARRAY_KHR, sizeof kept, kept.data(), &size));
  if (size == sizeof properties && kept[0] == properties[0] && kept[1] == properties[1] && kept[2] == 0) {
    SUCCEED();
  } else if (isRemote()) {
    ADD_FAILURE() << "CL_COMMAND_BUFFER_PROPERTIES_ARRAY_KHR: " << size << " bytes, not the properties given";
  } else {
    std::cout << "native: CL_COMMAND_BUFFER_PROPERTIES_ARRAY_KHR is not the properties given (" << size
              << " bytes; PoCL 3.1 answers a pointer); remote-cl answers them\n";
  }
  CL_EXPECT(release_(buffer));
}

TEST_F(CommandBufferTest, ItsInformationNamesItsQueueAndCountsItsReferences) {
  cl_command_buffer_khr buffer = newBuffer();
  ASSERT_NE(buffer, nullptr);
  for (int twice = 0; twice < 2; ++twice) {
    cl_uint queues = 0;
    CL_EXPECT(queryInfo(&queues, info_, buffer, CL_COMMAND_BUFFER_NUM_QUEUES_KHR));
    EXPECT_EQ(queues, 1u);
    std::vector<cl_command_queue> list;
    CL_EXPECT(queryVector(&list, info_, buffer, CL_COMMAND_BUFFER_QUEUES_KHR));
    ASSERT_EQ(list.size(), 1u);
    if (isRemote()) {
      EXPECT_EQ(list[0], queue_.get());
    } else if (list[0] != queue_.get()) {
      std::cout << "native: CL_COMMAND_BUFFER_QUEUES_KHR is not the queue (PoCL 3.1 answers the address of its "
                   "array of queues); remote-cl answers the queue\n";
    }
  }
  EXPECT_EQ(references(buffer), 1u);
  CL_EXPECT(retain_(buffer));
  CL_EXPECT(retain_(buffer));
  EXPECT_EQ(references(buffer), 3u);
  CL_EXPECT(release_(buffer));
  EXPECT_EQ(references(buffer), 2u);
  CL_EXPECT(release_(buffer));
  EXPECT_EQ(references(buffer), 1u);
  size_t size = 0;
  CL_EXPECT_ERROR(CL_INVALID_VALUE, info_(buffer, 0x12345, 0, nullptr, &size));
  CL_EXPECT(release_(buffer));
}

// The buffer holds what its commands use; its last release lets go of them
// (the real buffer is freed where it lives).
TEST_F(CommandBufferTest, ReleasingItFreesWhatItsCommandsHeld) {
  Mem a, in, out;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, kCount * sizeof(cl_int), nullptr, &a));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY, kCount * sizeof(cl_int), nullptr, &in));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_WRITE_ONLY, kCount * sizeof(cl_int), nullptr, &out));
  Program program;
  Kernel k;
  ASSERT_NO_FATAL_FAILURE(kernel(&program, &k, a, in));
  const cl_uint before = memReferences(out);
  cl_command_buffer_khr buffer = newBuffer();
  ASSERT_NE(buffer, nullptr);
  ASSERT_NO_FATAL_FAILURE(record(buffer, k, a, out));
  CL_CHECK(finalize_(buffer));
  const cl_uint held = memReferences(out);
  CL_CHECK(enqueue_(0, nullptr, buffer, 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));
  CL_CHECK(retain_(buffer));
  CL_CHECK(release_(buffer));
  EXPECT_EQ(memReferencesSettledAt(out, held), held) << "a buffer still held keeps what it uses";
  CL_CHECK(release_(buffer));
  EXPECT_EQ(memReferences(out), before) << "the last release let go of the copy's destination";
}

// Errors come back at the call, as the real platform gives them.
// A recorded kernel whose __local memory is beyond the device's: PoCL 3.1
// records it (and would overrun its local memory at each run); remote-cl
// refuses the recording with CL_OUT_OF_RESOURCES, as a launch of it. Never run.
TEST_F(CommandBufferTest, AKernelBeyondTheLocalMemoryIsNotRecorded) {
  cl_int error = CL_SUCCESS;
  cl_ulong localMem = 0;
  CL_CHECK(clGetDeviceInfo(device_, CL_DEVICE_LOCAL_MEM_SIZE, sizeof localMem, &localMem, nullptr));
  Mem a;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, kCount * sizeof(cl_int), nullptr, &a));
  Program program;
  Kernel wide, fits;
  ASSERT_NO_FATAL_FAILURE(buildOrFail("kernel void w(global int* p, local int* s) {\n"
                                      "  s[get_local_id(0)] = 1; barrier(CLK_LOCAL_MEM_FENCE); p[get_global_id(0)] = s[0];\n"
                                      "}\n",
                                      &program));
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "w", &wide));
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "w", &fits));
  CL_CHECK(clSetKernelArg(wide, 0, sizeof(cl_mem), a.address()));
  CL_CHECK(clSetKernelArg(wide, 1, localMem + 16, nullptr));
  CL_CHECK(clSetKernelArg(fits, 0, sizeof(cl_mem), a.address()));
  CL_CHECK(clSetKernelArg(fits, 1, localMem, nullptr));
  cl_command_buffer_khr buffer = newBuffer();
  ASSERT_NE(buffer, nullptr);
  const size_t global = 8, local = 2;
  CL_CHECK(ndrange_(buffer, nullptr, nullptr, fits, 1, nullptr, &global, &local, 0, nullptr, nullptr, nullptr));
  error = ndrange_(buffer, nullptr, nullptr, wide, 1, nullptr, &global, &local, 0, nullptr, nullptr, nullptr);
  EXPECT_EQ(error, isRemote() ? CL_OUT_OF_RESOURCES : CL_SUCCESS) << "a kernel 16 bytes of __local memory too wide";
  CL_CHECK(release_(buffer));
}

TEST_F(CommandBufferTest, ErrorsAreTheRealPlatformsAtTheCall) {
  cl_int error = CL_SUCCESS;
  cl_command_queue queue = queue_.get();
  EXPECT_EQ(create_(0, nullptr, nullptr, &error), nullptr);
  EXPECT_EQ(error, CL_INVALID_VALUE) << "no queue";
  const cl_command_buffer_properties_khr unknown[] = {0x1234, 1, 0};
  EXPECT_EQ(create_(1, &queue, unknown, &error), nullptr);
  EXPECT_EQ(error, CL_INVALID_VALUE) << "an unknown property";

  Mem a, in, out;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, kCount * sizeof(cl_int), nullptr, &a));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_ONLY, kCount * sizeof(cl_int), nullptr, &in));
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_WRITE_ONLY, kCount * sizeof(cl_int), nullptr, &out));
  Program program;
  Kernel k;
  ASSERT_NO_FATAL_FAILURE(kernel(&program, &k, a, in));
  Context other = createContext(platform_, device_, &error);
  CL_CHECK(error);
  CommandQueue otherQueue = createQueue(other, device_, 0, &error);
  CL_CHECK(error);
  Mem foreign(clCreateBuffer(other, CL_MEM_READ_WRITE, 64, nullptr, &error));
  CL_CHECK(error);

  cl_command_buffer_khr buffer = newBuffer();
  ASSERT_NE(buffer, nullptr);
  const size_t bytes = kCount * sizeof(cl_int);
  cl_sync_point_khr point = 0;
  CL_EXPECT_ERROR(CL_INVALID_COMMAND_BUFFER_KHR, fill_(nullptr, nullptr, a, &kFill, sizeof kFill, 0, bytes, 0,
                                                       nullptr, nullptr, nullptr));
  CL_EXPECT_ERROR(CL_INVALID_VALUE, fill_(buffer, nullptr, a, &kFill, sizeof kFill, 0, 2 * bytes, 0, nullptr,
                                          nullptr, nullptr))
      << "a fill past the buffer's end";
  CL_EXPECT_ERROR(CL_INVALID_CONTEXT, copy_(buffer, nullptr, a, foreign, 0, 0, 64, 0, nullptr, nullptr, nullptr))
      << "a buffer of another context";
  CL_EXPECT_ERROR(CL_INVALID_SYNC_POINT_WAIT_LIST_KHR, fill_(buffer, nullptr, a, &kFill, sizeof kFill, 0, bytes, 1,
                                                             nullptr, &point, nullptr))
      << "a count without a list";
  const cl_sync_point_khr never = 12345;
  CL_EXPECT_ERROR(CL_INVALID_SYNC_POINT_WAIT_LIST_KHR, fill_(buffer, nullptr, a, &kFill, sizeof kFill, 0, bytes, 1,
                                                             &never, &point, nullptr))
      << "a sync point never returned";
  cl_mutable_command_khr handle = nullptr;
  const cl_int withHandle = fill_(buffer, nullptr, a, &kFill, sizeof kFill, 0, bytes, 0, nullptr, nullptr, &handle);
  EXPECT_TRUE(withHandle == CL_INVALID_VALUE || (withHandle == CL_SUCCESS && handle == nullptr))
      << "a mutable handle without cl_khr_command_buffer_mutable_dispatch: " << withHandle;
  // PoCL records for the buffer's own queue only (NULL); a queue given is refused.
  const cl_int givenQueue = fill_(buffer, queue_, a, &kFill, sizeof kFill, 0, bytes, 0, nullptr, nullptr, nullptr);
  EXPECT_TRUE(givenQueue == CL_SUCCESS || givenQueue == CL_INVALID_COMMAND_QUEUE) << givenQueue;

  CL_EXPECT_ERROR(CL_INVALID_OPERATION, enqueue_(0, nullptr, buffer, 0, nullptr, nullptr)) << "not finalized";
  CL_CHECK(fill_(buffer, nullptr, a, &kFill, sizeof kFill, 0, bytes, 0, nullptr, &point, nullptr));
  CL_CHECK(finalize_(buffer));
  CL_EXPECT_ERROR(CL_INVALID_OPERATION, fill_(buffer, nullptr, a, &kFill, sizeof kFill, 0, bytes, 0, nullptr,
                                              nullptr, nullptr))
      << "recording after finalize";
  CL_EXPECT_ERROR(CL_INVALID_COMMAND_BUFFER_KHR, enqueue_(0, nullptr, nullptr, 0, nullptr, nullptr));
  cl_command_queue foreignQueue = otherQueue.get();
  CL_EXPECT_ERROR(CL_INVALID_CONTEXT, enqueue_(1, &foreignQueue, buffer, 0, nullptr, nullptr))
      << "a queue of another context";
  CL_EXPECT_ERROR(CL_INVALID_VALUE, enqueue_(1, nullptr, buffer, 0, nullptr, nullptr)) << "a count without queues";
  CL_EXPECT_ERROR(CL_INVALID_VALUE, enqueue_(0, &queue, buffer, 0, nullptr, nullptr)) << "queues without a count";
  CL_EXPECT_ERROR(CL_INVALID_EVENT_WAIT_LIST, enqueue_(0, nullptr, buffer, 1, nullptr, nullptr));
  Event foreignEvent(clCreateUserEvent(other, &error));
  CL_CHECK(error);
  CL_EXPECT_ERROR(CL_INVALID_CONTEXT, enqueue_(0, nullptr, buffer, 1, foreignEvent.address(), nullptr))
      << "a wait list of another context";
  // Its own queue, named: runs.
  CL_EXPECT(enqueue_(1, &queue, buffer, 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));

  // Without simultaneous use, a run still pending refuses another (the user
  // event holds the first one back).
  Event gate(clCreateUserEvent(context_, &error));
  CL_CHECK(error);
  Event first;
  CL_CHECK(enqueue_(0, nullptr, buffer, 1, gate.address(), first.out()));
  CL_EXPECT_ERROR(CL_INVALID_OPERATION, enqueue_(0, nullptr, buffer, 0, nullptr, nullptr)) << "still pending";
  EXPECT_EQ(state(buffer), static_cast<cl_uint>(CL_COMMAND_BUFFER_STATE_PENDING_KHR));
  CL_CHECK(clSetUserEventStatus(gate, CL_COMPLETE));
  CL_CHECK(clWaitForEvents(1, first.address()));
  CL_EXPECT(enqueue_(0, nullptr, buffer, 0, nullptr, nullptr)) << "done: may run again";
  CL_CHECK(clFinish(queue_));

  CL_EXPECT_ERROR(CL_INVALID_COMMAND_BUFFER_KHR, retain_(nullptr));
  CL_EXPECT_ERROR(CL_INVALID_COMMAND_BUFFER_KHR, release_(nullptr));
  CL_EXPECT_ERROR(CL_INVALID_COMMAND_BUFFER_KHR, finalize_(nullptr));
  size_t size = 0;
  CL_EXPECT_ERROR(CL_INVALID_COMMAND_BUFFER_KHR, info_(nullptr, CL_COMMAND_BUFFER_STATE_KHR, 0, nullptr, &size));
  CL_EXPECT(release_(buffer));
}

}  // namespace
}  // namespace rcl::test
