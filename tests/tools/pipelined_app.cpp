// A small application for the trace test of pipelined creations
// (check_pipelined_trace.py): on the first device of the first platform it
// makes queues (both entry points), samplers (both entry points) and user
// events, asks each for the information that never changes twice, uses them
// (a marker on each queue, waiting for a user event), and checks every answer.
// Then, each round, a kernel whose arguments of every kind (a buffer, a
// __local one, by-value built-in types, a typedef'd and a struct by-value
// type, a sampler) are set for the first time (the program built without
// -cl-kernel-arg-info, whose information clGetKernelArgInfo then refuses),
// its work-group information that never changes asked, launched, and its
// result checked; and an
// image made from host memory, read back; and buffers of 256 KiB (shared
// buffers on the same host), written and read back. The platform's device
// list (CL_DEVICE_TYPE_ALL) is asked three times, and the program's binary
// sizes after its build. And, each round, small writes each followed by a
// clFinish (as CLBlast writes its vectors), read back on another queue.
// Its context and program (of source) are asked what they were made of.
// Prints "pipelined_app: OK" and exits 0 when everything is right.
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <cstdio>
#include <string>
#include <vector>

#include <CL/cl.h>

namespace {

constexpr int kRounds = 3;

int fail(const char* what, cl_int status) {
  std::fprintf(stderr, "pipelined_app: %s failed with %d\n", what, status);
  return 1;
}

template <class T, class F, class O>
bool answers(F query, O object, cl_uint param, T expected) {
  for (int twice = 0; twice < 2; ++twice) {
    T value{};
    size_t size = 0;
    if (query(object, param, sizeof value, &value, &size) != CL_SUCCESS || size != sizeof value || value != expected)
      return false;
  }
  return true;
}

// One queue: its information, then a marker waited for.
int checkQueue(cl_command_queue q, cl_context context, cl_device_id device, cl_command_queue_properties bits) {
  if (!answers(clGetCommandQueueInfo, q, CL_QUEUE_CONTEXT, context) ||
      !answers(clGetCommandQueueInfo, q, CL_QUEUE_DEVICE, device) ||
      !answers(clGetCommandQueueInfo, q, CL_QUEUE_PROPERTIES, bits))
    return fail("a queue's information", CL_INVALID_VALUE);
  cl_event marker = nullptr;
  cl_int status = clEnqueueMarkerWithWaitList(q, 0, nullptr, &marker);
  if (status == CL_SUCCESS) status = clWaitForEvents(1, &marker);
  if (marker != nullptr) clReleaseEvent(marker);
  if (status == CL_SUCCESS) status = clFinish(q);
  // Nothing sent since the last finish: nothing to ask.
  if (status == CL_SUCCESS) status = clFinish(q);
  if (status != CL_SUCCESS) return fail("a marker on a new queue", status);
  return clReleaseCommandQueue(q) == CL_SUCCESS ? 0 : fail("clReleaseCommandQueue", CL_INVALID_VALUE);
}

int checkSampler(cl_sampler s, cl_context context, cl_bool normalized, cl_addressing_mode a, cl_filter_mode f) {
  if (!answers(clGetSamplerInfo, s, CL_SAMPLER_CONTEXT, context) ||
      !answers(clGetSamplerInfo, s, CL_SAMPLER_NORMALIZED_COORDS, normalized) ||
      !answers(clGetSamplerInfo, s, CL_SAMPLER_ADDRESSING_MODE, a) ||
      !answers(clGetSamplerInfo, s, CL_SAMPLER_FILTER_MODE, f))
    return fail("a sampler's information", CL_INVALID_VALUE);
  return clReleaseSampler(s) == CL_SUCCESS ? 0 : fail("clReleaseSampler", CL_INVALID_VALUE);
}

constexpr const char* kSource = R"CLC(
typedef float2 real2;
typedef struct { int a; float b; } pair_t;
kernel void k(global float4* out, local float4* tmp, float4 v, float3 w, int n, uchar2 c, sampler_t s,
              const real2 r, pair_t p) {
  tmp[0] = v + (float4)(w, 0.0f) + (float4)(n + c.x + c.y) + (float4)(r.x + r.y + (float)p.a + p.b);
  out[0] = tmp[0];
}
)CLC";

struct Pair {
  cl_int a;
  cl_float b;
};

// The work-group information that never changes after the build, each
// asked on the kernel's device (answered by the client, from the build's reply).
bool askGroupInfo(cl_kernel kernel, cl_device_id device) {
  size_t groupSize = 0, compile[3] = {9, 9, 9}, multiple = 0;
  cl_ulong privateBytes = 0;
  return clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_WORK_GROUP_SIZE, sizeof groupSize, &groupSize,
                                  nullptr) == CL_SUCCESS &&
         clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof compile, compile,
                                  nullptr) == CL_SUCCESS &&
         clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, sizeof multiple,
                                  &multiple, nullptr) == CL_SUCCESS &&
         clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_PRIVATE_MEM_SIZE, sizeof privateBytes, &privateBytes,
                                  nullptr) == CL_SUCCESS &&
         groupSize > 0 && multiple > 0 && compile[0] == 0 && compile[1] == 0 && compile[2] == 0;
}

// A kernel of `program`, its arguments set for the first time (a typedef'd
// and a struct by-value argument among them), launched once:
// out[0] = v + w + n + c.x + c.y + r.x + r.y + p.a + p.b.
int checkKernel(cl_program program, cl_context context, cl_command_queue queue, cl_device_id device, int round) {
  cl_int status = CL_SUCCESS;
  cl_kernel kernel = clCreateKernel(program, "k", &status);
  if (status != CL_SUCCESS) return fail("clCreateKernel", status);
  cl_mem out = clCreateBuffer(context, CL_MEM_READ_WRITE, sizeof(cl_float4), nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateBuffer", status);
  cl_sampler sampler = clCreateSampler(context, CL_FALSE, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST, &status);
  if (status != CL_SUCCESS) return fail("clCreateSampler", status);
  const cl_float4 v = {{1.0f, 2.0f, 3.0f, 4.0f}};
  const cl_float3 w = {{10.0f, 20.0f, 30.0f}};
  const cl_int n = round;
  const cl_uchar2 c = {{1, 2}};
  const cl_float2 r = {{0.5f, 0.25f}};
  const Pair p = {round, 0.25f};
  if ((status = clSetKernelArg(kernel, 0, sizeof out, &out)) != CL_SUCCESS ||
      (status = clSetKernelArg(kernel, 1, sizeof(cl_float4), nullptr)) != CL_SUCCESS ||
      (status = clSetKernelArg(kernel, 2, sizeof v, &v)) != CL_SUCCESS ||
      (status = clSetKernelArg(kernel, 3, sizeof w, &w)) != CL_SUCCESS ||
      (status = clSetKernelArg(kernel, 4, sizeof n, &n)) != CL_SUCCESS ||
      (status = clSetKernelArg(kernel, 5, sizeof c, &c)) != CL_SUCCESS ||
      (status = clSetKernelArg(kernel, 6, sizeof sampler, &sampler)) != CL_SUCCESS ||
      (status = clSetKernelArg(kernel, 7, sizeof r, &r)) != CL_SUCCESS ||
      (status = clSetKernelArg(kernel, 8, sizeof p, &p)) != CL_SUCCESS)
    return fail("clSetKernelArg", status);
  if (!askGroupInfo(kernel, device)) return fail("clGetKernelWorkGroupInfo", CL_INVALID_VALUE);
  // What it was made of, as PyOpenCL asks it of every kernel it makes.
  if (!answers(clGetKernelInfo, kernel, CL_KERNEL_NUM_ARGS, cl_uint{9}) ||
      !answers(clGetKernelInfo, kernel, CL_KERNEL_CONTEXT, context) ||
      !answers(clGetKernelInfo, kernel, CL_KERNEL_PROGRAM, program))
    return fail("a kernel's information", CL_INVALID_VALUE);
  // The application built the program without -cl-kernel-arg-info: the
  // information the client checks with is not the application's to see.
  char type[64];
  if ((status = clGetKernelArgInfo(kernel, 2, CL_KERNEL_ARG_TYPE_NAME, sizeof type, type, nullptr)) !=
      CL_KERNEL_ARG_INFO_NOT_AVAILABLE)
    return fail("clGetKernelArgInfo (CL_KERNEL_ARG_INFO_NOT_AVAILABLE expected)", status);
  const size_t one = 1;
  cl_float4 result = {};
  if ((status = clEnqueueNDRangeKernel(queue, kernel, 1, nullptr, &one, &one, 0, nullptr, nullptr)) != CL_SUCCESS ||
      (status = clEnqueueReadBuffer(queue, out, CL_TRUE, 0, sizeof result, &result, 0, nullptr, nullptr)) !=
          CL_SUCCESS)
    return fail("the kernel's launch", status);
  const float add = static_cast<float>(round + 3) + 1.0f + static_cast<float>(round);
  const float expected[4] = {11.0f + add, 22.0f + add, 33.0f + add, 4.0f + add};
  for (int i = 0; i < 4; ++i)
    if (result.s[i] != expected[i]) return fail("the kernel's result", CL_INVALID_VALUE);
  clReleaseSampler(sampler);
  clReleaseMemObject(out);
  clReleaseKernel(kernel);
  return 0;
}

// A 4 x 4 RGBA8 image made from host memory: read back, the same bytes.
int checkImage(cl_context context, cl_command_queue queue, int round) {
  unsigned char pixels[4 * 4 * 4];
  for (unsigned i = 0; i < sizeof pixels; ++i) pixels[i] = static_cast<unsigned char>(i * 7 + round);
  const cl_image_format format{CL_RGBA, CL_UNORM_INT8};
  cl_image_desc desc{};
  desc.image_type = CL_MEM_OBJECT_IMAGE2D;
  desc.image_width = 4;
  desc.image_height = 4;
  cl_int status = CL_SUCCESS;
  cl_mem image = clCreateImage(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, &format, &desc, pixels, &status);
  if (status != CL_SUCCESS) return fail("clCreateImage", status);
  unsigned char back[sizeof pixels] = {};
  const size_t origin[3] = {0, 0, 0}, region[3] = {4, 4, 1};
  status = clEnqueueReadImage(queue, image, CL_TRUE, origin, region, 0, 0, back, 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("clEnqueueReadImage", status);
  for (unsigned i = 0; i < sizeof pixels; ++i)
    if (back[i] != pixels[i]) return fail("the image's bytes", CL_INVALID_VALUE);
  return clReleaseMemObject(image) == CL_SUCCESS ? 0 : fail("the image's release", CL_INVALID_VALUE);
}

// Buffers of 256 KiB (on the same host: shared buffers, protocol/shm.h),
// two with initial bytes, two without, all made without waiting: written,
// read back, the same bytes.
int checkSharedBuffers(cl_context context, cl_command_queue queue, int round) {
  constexpr size_t kBytes = size_t{256} << 10;
  std::vector<unsigned char> initial(kBytes), back(kBytes);
  for (size_t i = 0; i < kBytes; ++i) initial[i] = static_cast<unsigned char>(i * 5 + i / 251 + round);
  cl_mem buffers[4] = {};
  cl_int status = CL_SUCCESS;
  for (int i = 0; i < 4; ++i) {
    const bool copies = i % 2 == 0;
    buffers[i] = clCreateBuffer(context, CL_MEM_READ_WRITE | (copies ? CL_MEM_COPY_HOST_PTR : 0), kBytes,
                                copies ? initial.data() : nullptr, &status);
    if (status != CL_SUCCESS) return fail("a 256 KiB clCreateBuffer", status);
  }
  for (int i = 1; i < 4; i += 2)
    if ((status = clEnqueueWriteBuffer(queue, buffers[i], CL_TRUE, 0, kBytes, initial.data(), 0, nullptr, nullptr)) !=
        CL_SUCCESS)
      return fail("a 256 KiB buffer's write", status);
  for (cl_mem buffer : buffers) {
    if ((status = clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, kBytes, back.data(), 0, nullptr, nullptr)) !=
        CL_SUCCESS)
      return fail("a 256 KiB buffer's read", status);
    if (back != initial) return fail("a 256 KiB buffer's bytes", CL_INVALID_VALUE);
    clReleaseMemObject(buffer);
  }
  return 0;
}

// Small writes, each finished (CLBlast's pattern: a write then clFinish),
// then read back through another queue of the context: the finish made them
// visible to it.
int checkFinishedWrites(cl_context context, cl_command_queue queue, cl_device_id device, int round) {
  constexpr size_t kSmall = 4096;
  constexpr int kWrites = 4;
  cl_int status = CL_SUCCESS;
  cl_mem buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, kSmall * kWrites, nullptr, &status);
  if (status != CL_SUCCESS) return fail("a small buffer", status);
  cl_command_queue other = clCreateCommandQueue(context, device, 0, &status);
  if (status != CL_SUCCESS) return fail("a second queue", status);
  std::vector<unsigned char> bytes(kSmall * kWrites), back(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 3 + round);
  for (int i = 0; i < kWrites && status == CL_SUCCESS; ++i) {
    status = clEnqueueWriteBuffer(queue, buffer, CL_FALSE, i * kSmall, kSmall, bytes.data() + i * kSmall, 0, nullptr,
                                  nullptr);
    if (status == CL_SUCCESS) status = clFinish(queue);
  }
  if (status != CL_SUCCESS) return fail("a small write and its clFinish", status);
  if ((status = clEnqueueReadBuffer(other, buffer, CL_TRUE, 0, back.size(), back.data(), 0, nullptr, nullptr)) !=
      CL_SUCCESS)
    return fail("reading the finished writes on another queue", status);
  if (back != bytes) return fail("the finished writes' bytes, read on another queue", CL_INVALID_VALUE);
  clReleaseCommandQueue(other);
  clReleaseMemObject(buffer);
  return 0;
}

}  // namespace

int main() {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  cl_int status = clGetPlatformIDs(1, &platform, nullptr);
  if (status != CL_SUCCESS) return fail("clGetPlatformIDs", status);
  if ((status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr)) != CL_SUCCESS)
    return fail("clGetDeviceIDs", status);
  // The platform's device list again, as applications ask it (count, then
  // list): the client answers from the first.
  cl_uint count = 0;
  cl_device_id again = nullptr;
  if ((status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &count)) != CL_SUCCESS || count == 0)
    return fail("clGetDeviceIDs' count, asked again", status);
  if ((status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &again, nullptr)) != CL_SUCCESS || again != device)
    return fail("clGetDeviceIDs' first device, asked again", status == CL_SUCCESS ? CL_INVALID_DEVICE : status);
  cl_context context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &status);
  if (status != CL_SUCCESS) return fail("clCreateContext", status);
  cl_command_queue queue = clCreateCommandQueueWithProperties(context, device, nullptr, &status);
  if (status != CL_SUCCESS) return fail("the kernels' queue", status);
  const char* source = kSource;
  cl_program program = clCreateProgramWithSource(context, 1, &source, nullptr, &status);
  // (Without -cl-kernel-arg-info: PoCL then gives no argument information,
  // yet the client has it to check clSetKernelArg with, as the server adds the option.)
  if (status != CL_SUCCESS) return fail("clCreateProgramWithSource", status);
  // What they were made of: answered by the client (both were sent without waiting).
  if (!answers(clGetContextInfo, context, CL_CONTEXT_NUM_DEVICES, cl_uint{1}) ||
      !answers(clGetContextInfo, context, CL_CONTEXT_DEVICES, device) ||
      !answers(clGetProgramInfo, program, CL_PROGRAM_CONTEXT, context) ||
      !answers(clGetProgramInfo, program, CL_PROGRAM_NUM_DEVICES, cl_uint{1}) ||
      !answers(clGetProgramInfo, program, CL_PROGRAM_DEVICES, device))
    return fail("a context's or a program's information", CL_INVALID_VALUE);
  status = clBuildProgram(program, 1, &device, "-D RCL_PIPELINED=1", nullptr, nullptr);
  if (status != CL_SUCCESS) return fail("the program's build", status);
  // The size of its binary, as applications that keep binaries ask it (the
  // size of the answer, then the answer): it came with the build's reply.
  size_t sizesBytes = 0, binarySize = 0;
  if ((status = clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, 0, nullptr, &sizesBytes)) != CL_SUCCESS ||
      sizesBytes != sizeof binarySize ||
      (status = clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof binarySize, &binarySize, nullptr)) !=
          CL_SUCCESS ||
      binarySize == 0)
    return fail("CL_PROGRAM_BINARY_SIZES after the build", status == CL_SUCCESS ? CL_INVALID_VALUE : status);
  // Its build log and options, as PyOpenCL asks them after each build (the
  // size, then the value), twice: asked once each, then kept.
  for (int twice = 0; twice < 2; ++twice) {
    for (cl_program_build_info name : {CL_PROGRAM_BUILD_LOG, CL_PROGRAM_BUILD_OPTIONS}) {
      size_t size = 0;
      if ((status = clGetProgramBuildInfo(program, device, name, 0, nullptr, &size)) != CL_SUCCESS || size == 0)
        return fail("the size of the build's log or options", status == CL_SUCCESS ? CL_INVALID_VALUE : status);
      std::string value(size, '\0');
      if ((status = clGetProgramBuildInfo(program, device, name, size, value.data(), nullptr)) != CL_SUCCESS)
        return fail("the build's log or options", status);
      if (name == CL_PROGRAM_BUILD_OPTIONS && value.c_str() != std::string("-D RCL_PIPELINED=1"))
        return fail("the build's options, not the ones given", CL_INVALID_VALUE);
    }
  }
  for (int round = 0; round < kRounds; ++round) {
    if (int failed = checkKernel(program, context, queue, device, round)) return failed;
    if (int failed = checkImage(context, queue, round)) return failed;
    if (int failed = checkSharedBuffers(context, queue, round)) return failed;
    if (int failed = checkFinishedWrites(context, queue, device, round)) return failed;
    cl_command_queue q = clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, &status);
    if (status != CL_SUCCESS) return fail("clCreateCommandQueue", status);
    if (int failed = checkQueue(q, context, device, CL_QUEUE_PROFILING_ENABLE)) return failed;
    const cl_queue_properties list[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, 0};
    q = clCreateCommandQueueWithProperties(context, device, list, &status);
    if (status != CL_SUCCESS) return fail("clCreateCommandQueueWithProperties", status);
    if (int failed = checkQueue(q, context, device, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE)) return failed;

    cl_sampler s = clCreateSampler(context, CL_TRUE, CL_ADDRESS_REPEAT, CL_FILTER_LINEAR, &status);
    if (status != CL_SUCCESS) return fail("clCreateSampler", status);
    if (int failed = checkSampler(s, context, CL_TRUE, CL_ADDRESS_REPEAT, CL_FILTER_LINEAR)) return failed;
    const cl_sampler_properties settings[] = {CL_SAMPLER_NORMALIZED_COORDS, CL_FALSE, 0};
    s = clCreateSamplerWithProperties(context, settings, &status);
    if (status != CL_SUCCESS) return fail("clCreateSamplerWithProperties", status);
    if (int failed = checkSampler(s, context, CL_FALSE, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST)) return failed;

    cl_event user = clCreateUserEvent(context, &status);
    if (status != CL_SUCCESS) return fail("clCreateUserEvent", status);
    if (!answers(clGetEventInfo, user, CL_EVENT_CONTEXT, context) ||
        !answers(clGetEventInfo, user, CL_EVENT_COMMAND_TYPE, static_cast<cl_command_type>(CL_COMMAND_USER)) ||
        !answers(clGetEventInfo, user, CL_EVENT_COMMAND_EXECUTION_STATUS, static_cast<cl_int>(CL_SUBMITTED)))
      return fail("a user event's information", CL_INVALID_VALUE);
    if ((status = clSetUserEventStatus(user, CL_COMPLETE)) != CL_SUCCESS) return fail("clSetUserEventStatus", status);
    if ((status = clWaitForEvents(1, &user)) != CL_SUCCESS) return fail("clWaitForEvents", status);
    clReleaseEvent(user);
  }
  clReleaseProgram(program);
  clReleaseCommandQueue(queue);
  clReleaseContext(context);
  std::printf("pipelined_app: OK\n");
  return 0;
}
