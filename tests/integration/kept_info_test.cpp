// Information that cannot change once an object exists is kept by remote-cl's
// client (codegen/opencl_calls.toml, `immutable`): it must stay right after
// every call that could look as if it changed it, and a new object made where
// an old one was released must never answer with the old one's values.
// Reference counts stay live queries. A kernel's work-group information is
// kept per kernel function, device and __local argument sizes: it must be the
// live value for every size set.

#include <iterator>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

using KeptInfoTest = ClTest;

template <typename T>
T memInfo(cl_mem m, cl_mem_info param) {
  T value{};
  EXPECT_EQ(queryInfo(&value, clGetMemObjectInfo, m, param), CL_SUCCESS) << "param " << param;
  return value;
}

TEST_F(KeptInfoTest, ABuffersInformationStaysRightAroundSubBuffersAndRetains) {
  cl_int error = CL_SUCCESS;
  Mem buffer(clCreateBuffer(context_, CL_MEM_READ_ONLY, 4096, nullptr, &error));
  CL_CHECK(error);
  for (int twice = 0; twice < 2; ++twice) {
    EXPECT_EQ(memInfo<size_t>(buffer, CL_MEM_SIZE), 4096u);
    EXPECT_EQ(memInfo<cl_mem_object_type>(buffer, CL_MEM_TYPE), static_cast<cl_mem_object_type>(CL_MEM_OBJECT_BUFFER));
    EXPECT_EQ(memInfo<cl_mem_flags>(buffer, CL_MEM_FLAGS), static_cast<cl_mem_flags>(CL_MEM_READ_ONLY));
    EXPECT_EQ(memInfo<cl_context>(buffer, CL_MEM_CONTEXT), context_.get());
    EXPECT_EQ(memInfo<cl_mem>(buffer, CL_MEM_ASSOCIATED_MEMOBJECT), nullptr);
  }
  const cl_buffer_region region{1024, 512};
  Mem sub(clCreateSubBuffer(buffer, CL_MEM_READ_ONLY, CL_BUFFER_CREATE_TYPE_REGION, &region, &error));
  CL_CHECK(error);
  EXPECT_EQ(memInfo<size_t>(sub, CL_MEM_SIZE), 512u);
  EXPECT_EQ(memInfo<size_t>(sub, CL_MEM_OFFSET), 1024u);
  EXPECT_EQ(memInfo<cl_mem>(sub, CL_MEM_ASSOCIATED_MEMOBJECT), buffer.get());
  EXPECT_EQ(memInfo<size_t>(buffer, CL_MEM_SIZE), 4096u) << "the parent's size after a sub-buffer";
  // Counts are live.
  const cl_uint before = memInfo<cl_uint>(buffer, CL_MEM_REFERENCE_COUNT);
  CL_CHECK(clRetainMemObject(buffer));
  EXPECT_EQ(memInfo<cl_uint>(buffer, CL_MEM_REFERENCE_COUNT), before + 1);
  CL_CHECK(clReleaseMemObject(buffer));
  EXPECT_EQ(memInfo<cl_uint>(buffer, CL_MEM_REFERENCE_COUNT), before);
}

// Buffers made and released over and over (a proxy's memory is reused): each
// answers with its own size and flags.
TEST_F(KeptInfoTest, ANewBufferNeverAnswersWithAReleasedOnesValues) {
  cl_int error = CL_SUCCESS;
  for (size_t i = 1; i <= 64; ++i) {
    const size_t size = 64 * i;
    const cl_mem_flags flags = i % 2 == 0 ? CL_MEM_READ_WRITE : CL_MEM_WRITE_ONLY;
    cl_mem m = clCreateBuffer(context_, flags, size, nullptr, &error);
    CL_CHECK(error);
    EXPECT_EQ(memInfo<size_t>(m, CL_MEM_SIZE), size) << "buffer " << i;
    EXPECT_EQ(memInfo<cl_mem_flags>(m, CL_MEM_FLAGS), flags) << "buffer " << i;
    CL_CHECK(clReleaseMemObject(m));
  }
}

TEST_F(KeptInfoTest, QueueKernelAndContextInformationIsTheSameEveryTime) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail("kernel void first(global int* p, int x) { p[0] = x; }", &program));
  for (int twice = 0; twice < 2; ++twice) {
    cl_device_id device = nullptr;
    CL_CHECK(queryInfo(&device, clGetCommandQueueInfo, queue_.get(), CL_QUEUE_DEVICE));
    EXPECT_EQ(device, device_);
    cl_context context = nullptr;
    CL_CHECK(queryInfo(&context, clGetCommandQueueInfo, queue_.get(), CL_QUEUE_CONTEXT));
    EXPECT_EQ(context, context_.get());
    cl_uint devices = 0;
    CL_CHECK(queryInfo(&devices, clGetContextInfo, context_.get(), CL_CONTEXT_NUM_DEVICES));
    EXPECT_EQ(devices, 1u);
    Kernel kernel;
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "first", &kernel));
    cl_uint args = 0;
    CL_CHECK(queryInfo(&args, clGetKernelInfo, kernel.get(), CL_KERNEL_NUM_ARGS));
    EXPECT_EQ(args, 2u);
    std::string name;
    CL_CHECK(queryString(&name, clGetKernelInfo, kernel.get(), CL_KERNEL_FUNCTION_NAME));
    EXPECT_EQ(name, "first");
    cl_program of = nullptr;
    CL_CHECK(queryInfo(&of, clGetKernelInfo, kernel.get(), CL_KERNEL_PROGRAM));
    EXPECT_EQ(of, program.get());
  }
}

// A whole property list as the object answers it (size 0: none).
template <class T, class Fn, class Object>
std::vector<T> propertyList(Fn fn, Object object, cl_uint param) {
  size_t size = 99;
  EXPECT_EQ(fn(object, param, 0, nullptr, &size), CL_SUCCESS) << "param " << param;
  std::vector<T> list(size / sizeof(T));
  if (size != 0) {
    EXPECT_EQ(fn(object, param, size, list.data(), nullptr), CL_SUCCESS) << "param " << param;
  }
  return list;
}

// Samplers, queues and user events are made without waiting when the client
// knows the platform takes them (icd/include/rcl/icd/entry/pipelined.h), and their
// settings are answered by the client from what it sent: each must answer as
// the native platform does (this test runs natively too), proxies reused.
TEST_F(KeptInfoTest, SamplersQueuesAndUserEventsAnswerWithWhatTheyWereMadeOf) {
  cl_int error = CL_SUCCESS;
  for (int round = 0; round < 4; ++round) {
    const bool odd = round % 2 == 1;
    const cl_addressing_mode addressing = odd ? CL_ADDRESS_MIRRORED_REPEAT : CL_ADDRESS_CLAMP_TO_EDGE;
    const cl_filter_mode filter = odd ? CL_FILTER_LINEAR : CL_FILTER_NEAREST;
    cl_sampler plain = clCreateSampler(context_, CL_TRUE, addressing, filter, &error);
    CL_CHECK(error);
    const cl_sampler_properties list[] = {CL_SAMPLER_NORMALIZED_COORDS, static_cast<cl_sampler_properties>(odd ? CL_TRUE : CL_FALSE),
                                          CL_SAMPLER_FILTER_MODE, filter, 0};
    cl_sampler with = clCreateSamplerWithProperties(context_, list, &error);
    CL_CHECK(error);
    for (int twice = 0; twice < 2; ++twice) {
      cl_context context = nullptr;
      CL_CHECK(queryInfo(&context, clGetSamplerInfo, plain, CL_SAMPLER_CONTEXT));
      EXPECT_EQ(context, context_.get());
      cl_bool normalized = 9;
      CL_CHECK(queryInfo(&normalized, clGetSamplerInfo, plain, CL_SAMPLER_NORMALIZED_COORDS));
      EXPECT_EQ(normalized, static_cast<cl_bool>(CL_TRUE));
      cl_addressing_mode a = 0;
      CL_CHECK(queryInfo(&a, clGetSamplerInfo, plain, CL_SAMPLER_ADDRESSING_MODE));
      EXPECT_EQ(a, addressing);
      cl_filter_mode f = 0;
      CL_CHECK(queryInfo(&f, clGetSamplerInfo, plain, CL_SAMPLER_FILTER_MODE));
      EXPECT_EQ(f, filter);
      EXPECT_TRUE(propertyList<cl_sampler_properties>(clGetSamplerInfo, plain, CL_SAMPLER_PROPERTIES).empty());
      // A list's defaults: clamped addressing.
      CL_CHECK(queryInfo(&normalized, clGetSamplerInfo, with, CL_SAMPLER_NORMALIZED_COORDS));
      EXPECT_EQ(normalized, static_cast<cl_bool>(odd ? CL_TRUE : CL_FALSE));
      CL_CHECK(queryInfo(&a, clGetSamplerInfo, with, CL_SAMPLER_ADDRESSING_MODE));
      EXPECT_EQ(a, static_cast<cl_addressing_mode>(CL_ADDRESS_CLAMP));
      CL_CHECK(queryInfo(&f, clGetSamplerInfo, with, CL_SAMPLER_FILTER_MODE));
      EXPECT_EQ(f, filter);
      EXPECT_EQ(propertyList<cl_sampler_properties>(clGetSamplerInfo, with, CL_SAMPLER_PROPERTIES),
                std::vector<cl_sampler_properties>(std::begin(list), std::end(list)));
    }
    CL_CHECK(clReleaseSampler(plain));
    CL_CHECK(clReleaseSampler(with));

    const cl_command_queue_properties bits = odd ? CL_QUEUE_PROFILING_ENABLE : CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE;
    cl_command_queue old = clCreateCommandQueue(context_, device_, bits, &error);
    CL_CHECK(error);
    const cl_queue_properties qlist[] = {CL_QUEUE_PROPERTIES, static_cast<cl_queue_properties>(bits), 0};
    cl_command_queue listed = clCreateCommandQueueWithProperties(context_, device_, qlist, &error);
    CL_CHECK(error);
    cl_command_queue bare = clCreateCommandQueueWithProperties(context_, device_, nullptr, &error);
    CL_CHECK(error);
    for (int twice = 0; twice < 2; ++twice) {
      for (cl_command_queue q : {old, listed, bare}) {
        cl_context context = nullptr;
        CL_CHECK(queryInfo(&context, clGetCommandQueueInfo, q, CL_QUEUE_CONTEXT));
        EXPECT_EQ(context, context_.get());
        cl_device_id device = nullptr;
        CL_CHECK(queryInfo(&device, clGetCommandQueueInfo, q, CL_QUEUE_DEVICE));
        EXPECT_EQ(device, device_);
        cl_command_queue_properties p = 99;
        CL_CHECK(queryInfo(&p, clGetCommandQueueInfo, q, CL_QUEUE_PROPERTIES));
        EXPECT_EQ(p, q == bare ? 0 : bits);
      }
      EXPECT_TRUE(propertyList<cl_queue_properties>(clGetCommandQueueInfo, old, CL_QUEUE_PROPERTIES_ARRAY).empty());
      EXPECT_TRUE(propertyList<cl_queue_properties>(clGetCommandQueueInfo, bare, CL_QUEUE_PROPERTIES_ARRAY).empty());
      EXPECT_EQ(propertyList<cl_queue_properties>(clGetCommandQueueInfo, listed, CL_QUEUE_PROPERTIES_ARRAY),
                std::vector<cl_queue_properties>(std::begin(qlist), std::end(qlist)));
    }
    // They work: a marker on each, waited for.
    for (cl_command_queue q : {old, listed, bare}) {
      cl_event marker = nullptr;
      CL_CHECK(clEnqueueMarkerWithWaitList(q, 0, nullptr, &marker));
      CL_CHECK(clWaitForEvents(1, &marker));
      CL_CHECK(clReleaseEvent(marker));
      CL_CHECK(clReleaseCommandQueue(q));
    }

    cl_event user = clCreateUserEvent(context_, &error);
    CL_CHECK(error);
    cl_command_type type = 0;
    CL_CHECK(queryInfo(&type, clGetEventInfo, user, CL_EVENT_COMMAND_TYPE));
    EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_USER));
    cl_context context = nullptr;
    CL_CHECK(queryInfo(&context, clGetEventInfo, user, CL_EVENT_CONTEXT));
    EXPECT_EQ(context, context_.get());
    cl_int status = 99;
    CL_CHECK(queryInfo(&status, clGetEventInfo, user, CL_EVENT_COMMAND_EXECUTION_STATUS));
    EXPECT_EQ(status, CL_SUBMITTED);
    cl_event after = nullptr;
    CL_CHECK(clEnqueueMarkerWithWaitList(queue_, 1, &user, &after));
    CL_CHECK(clSetUserEventStatus(user, CL_COMPLETE));
    CL_CHECK(clWaitForEvents(1, &after));
    CL_CHECK(clReleaseEvent(after));
    CL_CHECK(clReleaseEvent(user));
  }
}

// remote-cl asks the server about an argument shape once per kernel
// function: a kernel made later of the same function must still refuse a
// wrong argument at the call, and take the right ones; a rebuild of the
// program (with another signature) must not answer with the old one's.
TEST_F(KeptInfoTest, EveryKernelOfAFunctionRefusesWrongArgumentsAtTheCall) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail("kernel void put(global int* p, int x) { p[get_global_id(0)] = x; }", &program));
  cl_int error = CL_SUCCESS;
  Mem buffer(clCreateBuffer(context_, CL_MEM_READ_WRITE, 4 * sizeof(cl_int), nullptr, &error));
  CL_CHECK(error);
  for (cl_int round = 1; round <= 3; ++round) {
    Kernel kernel;
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "put", &kernel));
    const cl_mem target = buffer.get();
    const cl_long wide = 5;
    EXPECT_EQ(clSetKernelArg(kernel, 1, sizeof wide, &wide), CL_INVALID_ARG_SIZE) << "round " << round;
    EXPECT_EQ(clSetKernelArg(kernel, 2, sizeof round, &round), CL_INVALID_ARG_INDEX) << "round " << round;
    EXPECT_EQ(clSetKernelArg(kernel, 0, sizeof round, &round), CL_INVALID_ARG_SIZE) << "round " << round;
    CL_CHECK(clSetKernelArg(kernel, 0, sizeof target, &target));
    CL_CHECK(clSetKernelArg(kernel, 1, sizeof round, &round));
    EXPECT_EQ(clSetKernelArg(kernel, 1, sizeof wide, &wide), CL_INVALID_ARG_SIZE) << "after a good one, round " << round;
    const size_t items = 4;
    CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &items, nullptr, 0, nullptr, nullptr));
    CL_CHECK(clFinish(queue_));
    cl_int values[4] = {};
    CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, sizeof values, values, 0, nullptr, nullptr));
    for (cl_int v : values) EXPECT_EQ(v, round) << "round " << round;
  }
  // The same program built again with another signature: a long where the int was.
  Program twice;
  ASSERT_NO_FATAL_FAILURE(
      buildOrFail("kernel void put(global T* p, T x) { p[get_global_id(0)] = x; }", &twice, "-DT=int"));
  const cl_int narrow = 1;
  const cl_long wide = 6;
  {
    Kernel kernel;
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(twice, "put", &kernel));
    CL_CHECK(clSetKernelArg(kernel, 1, sizeof narrow, &narrow));
  }
  CL_CHECK(clBuildProgram(twice, 1, &device_, "-DT=long", nullptr, nullptr));
  Kernel kernel;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(twice, "put", &kernel));
  EXPECT_EQ(clSetKernelArg(kernel, 1, sizeof narrow, &narrow), CL_INVALID_ARG_SIZE) << "after the rebuild";
  CL_CHECK(clSetKernelArg(kernel, 1, sizeof wide, &wide));
}

cl_ulong localMemSize(cl_kernel kernel, cl_device_id device) {
  cl_ulong size = 0;
  EXPECT_EQ(clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_LOCAL_MEM_SIZE, sizeof size, &size, nullptr),
            CL_SUCCESS);
  return size;
}

// CL_KERNEL_LOCAL_MEM_SIZE counts the __local arguments set so far: kernels of
// one function with the same sizes answer alike, other sizes differently, and
// every answer is the one a kernel of a separate build (nothing kept) gives.
TEST_F(KeptInfoTest, AKernelsLocalMemorySizeFollowsItsLocalArguments) {
  const char* source =
      "kernel void scan(global float* p, local float* a, local float* b) {\n"
      "  local float tile[16];\n"
      "  const size_t i = get_local_id(0);\n"
      "  tile[i % 16] = p[i]; a[i] = p[i]; b[i] = p[i];\n"
      "  barrier(CLK_LOCAL_MEM_FENCE);\n"
      "  p[i] = tile[(i + 1) % 16] + a[i] + b[i];\n"
      "}\n";
  Program program, separate;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(source, &program));
  ASSERT_NO_FATAL_FAILURE(buildOrFail(source, &separate));
  struct Sizes {
    size_t a, b;  // 0: not set
  };
  auto set = [](cl_kernel kernel, const Sizes& sizes) {
    if (sizes.a != 0) {
      CL_CHECK(clSetKernelArg(kernel, 1, sizes.a, nullptr));
    }
    if (sizes.b != 0) {
      CL_CHECK(clSetKernelArg(kernel, 2, sizes.b, nullptr));
    }
  };
  // Each step sets what it names on top of the steps before (0: left as it is).
  const std::vector<Sizes> steps = {{0, 0}, {64, 0}, {256, 0}, {64, 1024}, {256, 1024}, {64, 0}};
  std::vector<cl_ulong> first(steps.size());
  for (int round = 0; round < 2; ++round) {
    Kernel kernel, live;  // live: a kernel of the other build, its own function (asked of the server)
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "scan", &kernel));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(separate, "scan", &live));
    for (size_t step = 0; step < steps.size(); ++step) {
      set(kernel, steps[step]);
      const cl_ulong kept = localMemSize(kernel, device_);
      EXPECT_EQ(localMemSize(kernel, nullptr), kept) << "no device named (the program's only one), step " << step;
      if (round == 0) {
        first[step] = kept;
        set(live, steps[step]);
        EXPECT_EQ(kept, localMemSize(live, device_)) << "step " << step;
      } else {
        EXPECT_EQ(kept, first[step]) << "a new kernel of the function, the same sizes, step " << step;
      }
    }
  }
  EXPECT_LT(first[1], first[2]) << "64 then 256 bytes of __local a";
  EXPECT_LT(first[2], first[4]) << "1024 bytes of __local b added";
  EXPECT_EQ(first[3], first[5]) << "64 bytes of __local a again, b still 1024";
  EXPECT_LT(first[0], first[1]) << "nothing set, then 64 bytes of __local a";
}

// Contexts and programs of source are made without waiting when the client
// knows the platform takes them (icd/include/rcl/icd/entry/pipelined.h), and
// what they were made of is answered by the client: each must answer as the
// native platform does (this test runs natively too), and work.
TEST_F(KeptInfoTest, ContextsAndProgramsOfSourceAnswerWithWhatTheyWereMadeOf) {
  const auto platform = reinterpret_cast<cl_context_properties>(platform_);
  const std::vector<std::vector<cl_context_properties>> lists = {
      {}, {0}, {CL_CONTEXT_PLATFORM, platform, 0},
      {CL_CONTEXT_PLATFORM, platform, CL_CONTEXT_INTEROP_USER_SYNC, CL_FALSE, 0},
      {CL_CONTEXT_INTEROP_USER_SYNC, CL_TRUE, 0}};
  int notified = 0;  // the context's error callback, given for every other context
  auto notify = [](const char*, const void*, size_t, void* user) { ++*static_cast<int*>(user); };
  for (std::size_t i = 0; i < lists.size(); ++i) {
    const auto& list = lists[i];
    cl_int error = CL_SUCCESS;
    Context context(clCreateContext(list.empty() ? nullptr : list.data(), 1, &device_, i % 2 == 1 ? +notify : nullptr,
                                    i % 2 == 1 ? &notified : nullptr, &error));
    CL_CHECK(error) << "properties " << i;
    for (int twice = 0; twice < 2; ++twice) {
      cl_uint count = 0;
      CL_CHECK(queryInfo(&count, clGetContextInfo, context.get(), CL_CONTEXT_NUM_DEVICES));
      EXPECT_EQ(count, 1u);
      cl_device_id device = nullptr;
      CL_CHECK(queryInfo(&device, clGetContextInfo, context.get(), CL_CONTEXT_DEVICES));
      EXPECT_EQ(device, device_);
      EXPECT_EQ(propertyList<cl_context_properties>(clGetContextInfo, context.get(), CL_CONTEXT_PROPERTIES), list)
          << "properties " << i;
    }
    // Programs of source in it: two strings (one up to its NUL, one cut by its length) answer joined.
    const char* strings[] = {"kernel void k(global int* p) { p[0] = 7; }", " /* a comment */ // cut"};
    const size_t lengths[] = {0, 17};
    Program program(clCreateProgramWithSource(context, 2, strings, lengths, &error));
    CL_CHECK(error);
    const char* withNul[] = {"/* a */\0/* b */"};
    const size_t nulLength[] = {14};
    Program cut(clCreateProgramWithSource(context, 1, withNul, nulLength, &error));
    CL_CHECK(error);
    for (int twice = 0; twice < 2; ++twice) {
      std::string source;
      CL_CHECK(queryString(&source, clGetProgramInfo, program.get(), CL_PROGRAM_SOURCE));
      EXPECT_EQ(source, std::string(strings[0]) + std::string(strings[1], lengths[1]));
      CL_CHECK(queryString(&source, clGetProgramInfo, cut.get(), CL_PROGRAM_SOURCE));
      EXPECT_EQ(source, "/* a */") << "a source with a NUL answers up to it";
      cl_context of = nullptr;
      CL_CHECK(queryInfo(&of, clGetProgramInfo, program.get(), CL_PROGRAM_CONTEXT));
      EXPECT_EQ(of, context.get());
      cl_uint count = 0;
      CL_CHECK(queryInfo(&count, clGetProgramInfo, program.get(), CL_PROGRAM_NUM_DEVICES));
      EXPECT_EQ(count, 1u);
      cl_device_id device = nullptr;
      CL_CHECK(queryInfo(&device, clGetProgramInfo, program.get(), CL_PROGRAM_DEVICES));
      EXPECT_EQ(device, device_);
    }
    // They work: the program builds and its kernel writes 7.
    CL_CHECK(clBuildProgram(program, 1, &device_, nullptr, nullptr, nullptr));
    CommandQueue queue = createQueue(context, device_, 0, &error);
    CL_CHECK(error);
    int value = 0;
    CL_CHECK(runOneIntKernel(context, queue, program, "k", &value));
    EXPECT_EQ(value, 7) << "properties " << i;
  }
  EXPECT_EQ(notified, 0) << "a context's error callback ran with no error";
}

// What the client refuses of a program's strings itself (PoCL's errors, and
// the specification's for a NULL list, which PoCL 3.1 reads: not natively).
TEST_F(KeptInfoTest, AProgramsStringsAreRefusedAsThePlatformRefusesThem) {
  cl_int error = CL_SUCCESS;
  const char* strings[] = {"kernel void k() {}", nullptr};
  EXPECT_EQ(clCreateProgramWithSource(context_, 0, strings, nullptr, &error), nullptr);
  EXPECT_EQ(error, CL_INVALID_VALUE) << "a count of 0";
  EXPECT_EQ(clCreateProgramWithSource(context_, 2, strings, nullptr, &error), nullptr);
  EXPECT_EQ(error, CL_INVALID_VALUE) << "a NULL string";
  EXPECT_EQ(clCreateProgramWithSource(nullptr, 0, strings, nullptr, &error), nullptr);
  EXPECT_EQ(error, CL_INVALID_CONTEXT) << "no context, a count of 0: the context first";
  if (isRemote()) {
    EXPECT_EQ(clCreateProgramWithSource(context_, 1, nullptr, nullptr, &error), nullptr);
    EXPECT_EQ(error, CL_INVALID_VALUE) << "a NULL list of strings";
  }
  int data = 0;
  EXPECT_EQ(clCreateContext(nullptr, 1, &device_, nullptr, &data, &error), nullptr);
  EXPECT_EQ(error, CL_INVALID_VALUE) << "user data without a callback";
  EXPECT_EQ(clCreateContext(nullptr, 0, &device_, nullptr, nullptr, &error), nullptr);
  EXPECT_EQ(error, CL_INVALID_VALUE) << "no device";
  const cl_context_properties twice[] = {CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(platform_),
                                         CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(platform_), 0};
  EXPECT_EQ(clCreateContext(twice, 1, &device_, nullptr, nullptr, &error), nullptr);
  EXPECT_EQ(error, CL_INVALID_PROPERTY) << "CL_CONTEXT_PLATFORM twice";
  const cl_device_id both[] = {device_, device_};
  Context doubled(clCreateContext(nullptr, 2, both, nullptr, nullptr, &error));
  CL_CHECK(error) << "a device named twice";
  cl_uint count = 0;
  CL_CHECK(queryInfo(&count, clGetContextInfo, doubled.get(), CL_CONTEXT_NUM_DEVICES));
  EXPECT_EQ(count, 1u) << "a device named twice counts once";
}

}  // namespace
}  // namespace rcl::test
