// Each async call (enqueues, releases, and the few others an application
// calls without waiting) with each error the specification gives for it that
// PoCL can be made to return: one row per (call, bad input), the code the
// native platform returns at the call. The same table runs natively (where it
// checks the expected codes are PoCL's) and through remote-cl (where it checks
// remote-cl returns them too, at the call). A row that differs is reported by
// its name with both codes.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

constexpr size_t kBufferBytes = 256;
constexpr size_t kWidth = 16, kHeight = 8;  // the images: RGBA8, 16 x 8

// Everything the rows need, made once per test.
struct Env {
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
  cl_device_id device = nullptr;
  cl_mem buffer = nullptr;         // kBufferBytes, read-write
  cl_mem second = nullptr;         // kBufferBytes, read-write
  cl_mem foreign = nullptr;        // kBufferBytes, of the other context
  cl_mem hostWriteOnly = nullptr;  // kBufferBytes, CL_MEM_HOST_WRITE_ONLY
  cl_mem hostReadOnly = nullptr;   // kBufferBytes, CL_MEM_HOST_READ_ONLY
  cl_mem hostNoAccess = nullptr;   // kBufferBytes, CL_MEM_HOST_NO_ACCESS
  cl_mem image = nullptr;          // RGBA8 16 x 8
  cl_mem image2 = nullptr;         // RGBA8 16 x 8
  cl_mem imageR = nullptr;         // R8 16 x 8 (another format)
  cl_mem imageWriteOnly = nullptr; // RGBA8 16 x 8, CL_MEM_HOST_WRITE_ONLY
  cl_mem imageReadOnly = nullptr;  // RGBA8 16 x 8, CL_MEM_HOST_READ_ONLY
  cl_mem imageNoAccess = nullptr;  // RGBA8 16 x 8, CL_MEM_HOST_NO_ACCESS
  cl_kernel kernel = nullptr;      // k(global int*), argument set
  cl_kernel unset = nullptr;       // k(global int*), argument not set
  cl_kernel required = nullptr;    // reqd_work_group_size(2,1,1), argument set
  cl_kernel localOver = nullptr;   // w(global int*, local int*): its __local argument 16 bytes beyond the device's
  cl_kernel staticOver = nullptr;  // s: 16 KiB of __local variables, and an argument 64 bytes beyond the rest
  cl_kernel staticFit = nullptr;   // s: 16 KiB of __local variables, and an argument of exactly the rest
  cl_kernel foreignKernel = nullptr;  // of the other context, argument set
  cl_event foreignEvent = nullptr;    // a user event of the other context (complete)
  cl_event userEvent = nullptr;       // a user event of this context (complete)
  void* svm = nullptr;                // kBufferBytes of coarse-grained SVM
  size_t maxGroup = 0;                // CL_DEVICE_MAX_WORK_GROUP_SIZE
  size_t maxItems[3] = {0, 0, 0};     // CL_DEVICE_MAX_WORK_ITEM_SIZES
  size_t kernelGroup = 0;             // CL_KERNEL_WORK_GROUP_SIZE of `kernel` on the device
  unsigned char host[4096] = {};      // host memory for reads and writes
};

struct Row {
  const char* name;
  cl_int expected;  // the native code
  std::function<cl_int(Env&)> run;
  // Where PoCL 3.1 departs from the specification and remote-cl keeps to it
  // (the code remote-cl returns; CL_SUCCESS: as natively).
  cl_int remote = CL_SUCCESS;
};

// The error a map returns through errcode_ret (an unexpected mapping is undone).
cl_int mapBuffer(Env& e, cl_mem m, cl_map_flags flags, size_t offset, size_t size, cl_uint n = 0,
                 const cl_event* list = nullptr) {
  cl_int error = CL_SUCCESS;
  void* p = clEnqueueMapBuffer(e.queue, m, CL_TRUE, flags, offset, size, n, list, nullptr, &error);
  if (p != nullptr) clEnqueueUnmapMemObject(e.queue, m, p, 0, nullptr, nullptr);
  return error;
}

cl_int mapImage(Env& e, cl_mem m, cl_map_flags flags, const size_t* origin, const size_t* region,
                bool rowPitch = true) {
  cl_int error = CL_SUCCESS;
  size_t row = 0, slice = 0;
  void* p = clEnqueueMapImage(e.queue, m, CL_TRUE, flags, origin, region, rowPitch ? &row : nullptr, &slice, 0,
                              nullptr, nullptr, &error);
  if (p != nullptr) clEnqueueUnmapMemObject(e.queue, m, p, 0, nullptr, nullptr);
  return error;
}

// The error a creation returns through errcode_ret (an object made is released). `error` by
// reference: read after the creation ran (arguments are evaluated in no set order).
template <class Handle>
cl_int created(Handle h, const cl_int& error, cl_int (*release)(Handle)) {
  if (h != nullptr) release(h);
  return error;
}

cl_int sampler(Env& e, cl_bool normalized, cl_addressing_mode addressing, cl_filter_mode filter) {
  cl_int error = CL_SUCCESS;
  cl_sampler s = clCreateSampler(e.context, normalized, addressing, filter, &error);
  return created(s, error, clReleaseSampler);
}

cl_int samplerWith(cl_context context, const cl_sampler_properties* properties) {
  cl_int error = CL_SUCCESS;
  return created(clCreateSamplerWithProperties(context, properties, &error), error, clReleaseSampler);
}

cl_int queue(cl_context context, cl_device_id device, cl_command_queue_properties properties) {
  cl_int error = CL_SUCCESS;
  return created(clCreateCommandQueue(context, device, properties, &error), error, clReleaseCommandQueue);
}

cl_int queueWith(cl_context context, cl_device_id device, const cl_queue_properties* properties) {
  cl_int error = CL_SUCCESS;
  return created(clCreateCommandQueueWithProperties(context, device, properties, &error), error,
                 clReleaseCommandQueue);
}

const size_t kOrigin[3] = {0, 0, 0};
const size_t kWhole[3] = {kWidth, kHeight, 1};
const size_t kWide[3] = {kWidth + 1, kHeight, 1};
const size_t kTall[3] = {kWidth, kHeight + 1, 1};
const size_t kDeep[3] = {kWidth, kHeight, 2};
const size_t kZeroRegion[3] = {0, kHeight, 1};
const size_t kSliceOne[3] = {0, 0, 1};
const size_t kShifted[3] = {1, 0, 0};
const size_t kRect[3] = {16, 4, 1};    // rects: 16 bytes x 4 rows of a 32-byte pitch
const size_t kRectBig[3] = {16, 9, 1}; // 9 rows of 32 bytes: past the 256 bytes
const float kColor[4] = {1, 1, 1, 1};
const cl_int kPattern = 7;
void (*const kNativeFunction)(void*) = [](void*) {};

// One row per (call, bad input). The names say which call and which input.
// (Not here: a blocking command after an event set to an error, which the
// specification gives CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST: PoCL 3.1
// never returns from it natively; a NULL kernel, and a launch with a NULL
// wait list of one event, an SVM fill with a NULL pattern, on which it
// crashes; clEnqueueWaitForEvents, which
// it aborts on, unimplemented.)
std::vector<Row> rows() {
  const cl_event nullEvent = nullptr;
  return {
      // ---------------------------------------------------------------- clEnqueueReadBuffer
      {"ReadBuffer: fine", CL_SUCCESS,
       [](Env& e) { return clEnqueueReadBuffer(e.queue, e.buffer, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr); }},
      {"ReadBuffer: NULL queue", CL_INVALID_COMMAND_QUEUE,
       [](Env& e) { return clEnqueueReadBuffer(nullptr, e.buffer, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr); }},
      {"ReadBuffer: NULL buffer", CL_INVALID_MEM_OBJECT,
       [](Env& e) { return clEnqueueReadBuffer(e.queue, nullptr, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr); }},
      // PoCL reads an image as if it were a buffer; remote-cl refuses it, as the specification says.
      {"ReadBuffer: an image", CL_SUCCESS,
       [](Env& e) { return clEnqueueReadBuffer(e.queue, e.image, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr); },
       CL_INVALID_MEM_OBJECT},
      {"ReadBuffer: buffer of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return clEnqueueReadBuffer(e.queue, e.foreign, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr); }},
      {"ReadBuffer: past the end", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadBuffer(e.queue, e.buffer, CL_TRUE, kBufferBytes - 8, 16, e.host, 0, nullptr, nullptr);
       }},
      {"ReadBuffer: offset past the end", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadBuffer(e.queue, e.buffer, CL_TRUE, kBufferBytes + 1, 1, e.host, 0, nullptr, nullptr);
       }},
      {"ReadBuffer: NULL ptr", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueReadBuffer(e.queue, e.buffer, CL_TRUE, 0, 64, nullptr, 0, nullptr, nullptr); }},
      {"ReadBuffer: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return clEnqueueReadBuffer(e.queue, e.buffer, CL_TRUE, 0, 64, e.host, 1, nullptr, nullptr); }},
      {"ReadBuffer: wait list given, count 0", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) {
         return clEnqueueReadBuffer(e.queue, e.buffer, CL_TRUE, 0, 64, e.host, 0, &e.userEvent, nullptr);
       }},
      {"ReadBuffer: a NULL event in the wait list", CL_INVALID_EVENT_WAIT_LIST,
       [nullEvent](Env& e) {
         return clEnqueueReadBuffer(e.queue, e.buffer, CL_TRUE, 0, 64, e.host, 1, &nullEvent, nullptr);
       }},
      {"ReadBuffer: event of another context", CL_INVALID_CONTEXT,
       [](Env& e) {
         return clEnqueueReadBuffer(e.queue, e.buffer, CL_TRUE, 0, 64, e.host, 1, &e.foreignEvent, nullptr);
       }},
      {"ReadBuffer: CL_MEM_HOST_WRITE_ONLY", CL_INVALID_OPERATION,
       [](Env& e) {
         return clEnqueueReadBuffer(e.queue, e.hostWriteOnly, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr);
       }},
      {"ReadBuffer: CL_MEM_HOST_NO_ACCESS", CL_INVALID_OPERATION,
       [](Env& e) {
         return clEnqueueReadBuffer(e.queue, e.hostNoAccess, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr);
       }},
      // ---------------------------------------------------------------- clEnqueueWriteBuffer
      {"WriteBuffer: fine", CL_SUCCESS,
       [](Env& e) { return clEnqueueWriteBuffer(e.queue, e.buffer, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr); }},
      {"WriteBuffer: NULL buffer", CL_INVALID_MEM_OBJECT,
       [](Env& e) { return clEnqueueWriteBuffer(e.queue, nullptr, CL_FALSE, 0, 64, e.host, 0, nullptr, nullptr); }},
      {"WriteBuffer: buffer of another context", CL_INVALID_CONTEXT,
       [](Env& e) {
         return clEnqueueWriteBuffer(e.queue, e.foreign, CL_FALSE, 0, 64, e.host, 0, nullptr, nullptr);
       }},
      {"WriteBuffer: past the end", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueWriteBuffer(e.queue, e.buffer, CL_FALSE, kBufferBytes - 8, 16, e.host, 0, nullptr, nullptr);
       }},
      {"WriteBuffer: NULL ptr", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueWriteBuffer(e.queue, e.buffer, CL_FALSE, 0, 64, nullptr, 0, nullptr, nullptr); }},
      {"WriteBuffer: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return clEnqueueWriteBuffer(e.queue, e.buffer, CL_FALSE, 0, 64, e.host, 1, nullptr, nullptr); }},
      {"WriteBuffer: event of another context", CL_INVALID_CONTEXT,
       [](Env& e) {
         return clEnqueueWriteBuffer(e.queue, e.buffer, CL_FALSE, 0, 64, e.host, 1, &e.foreignEvent, nullptr);
       }},
      {"WriteBuffer: CL_MEM_HOST_READ_ONLY", CL_INVALID_OPERATION,
       [](Env& e) {
         return clEnqueueWriteBuffer(e.queue, e.hostReadOnly, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr);
       }},
      {"WriteBuffer: CL_MEM_HOST_NO_ACCESS", CL_INVALID_OPERATION,
       [](Env& e) {
         return clEnqueueWriteBuffer(e.queue, e.hostNoAccess, CL_TRUE, 0, 64, e.host, 0, nullptr, nullptr);
       }},
      // ---------------------------------------------------------------- rect reads and writes
      {"ReadBufferRect: fine", CL_SUCCESS,
       [](Env& e) {
         return clEnqueueReadBufferRect(e.queue, e.buffer, CL_TRUE, kOrigin, kOrigin, kRect, 32, 0, 16, 0, e.host, 0,
                                        nullptr, nullptr);
       }},
      {"ReadBufferRect: past the end", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadBufferRect(e.queue, e.buffer, CL_TRUE, kOrigin, kOrigin, kRectBig, 32, 0, 16, 0, e.host,
                                        0, nullptr, nullptr);
       }},
      {"ReadBufferRect: a zero region", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadBufferRect(e.queue, e.buffer, CL_TRUE, kOrigin, kOrigin, kZeroRegion, 32, 0, 16, 0,
                                        e.host, 0, nullptr, nullptr);
       }},
      {"ReadBufferRect: buffer row pitch below the region", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadBufferRect(e.queue, e.buffer, CL_TRUE, kOrigin, kOrigin, kRect, 8, 0, 16, 0, e.host, 0,
                                        nullptr, nullptr);
       }},
      {"ReadBufferRect: host row pitch below the region", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadBufferRect(e.queue, e.buffer, CL_TRUE, kOrigin, kOrigin, kRect, 32, 0, 8, 0, e.host, 0,
                                        nullptr, nullptr);
       }},
      {"ReadBufferRect: NULL ptr", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadBufferRect(e.queue, e.buffer, CL_TRUE, kOrigin, kOrigin, kRect, 32, 0, 16, 0, nullptr, 0,
                                        nullptr, nullptr);
       }},
      {"ReadBufferRect: buffer of another context", CL_INVALID_CONTEXT,
       [](Env& e) {
         return clEnqueueReadBufferRect(e.queue, e.foreign, CL_TRUE, kOrigin, kOrigin, kRect, 32, 0, 16, 0, e.host, 0,
                                        nullptr, nullptr);
       }},
      {"ReadBufferRect: CL_MEM_HOST_WRITE_ONLY", CL_INVALID_OPERATION,
       [](Env& e) {
         return clEnqueueReadBufferRect(e.queue, e.hostWriteOnly, CL_TRUE, kOrigin, kOrigin, kRect, 32, 0, 16, 0,
                                        e.host, 0, nullptr, nullptr);
       }},
      {"WriteBufferRect: past the end", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueWriteBufferRect(e.queue, e.buffer, CL_TRUE, kOrigin, kOrigin, kRectBig, 32, 0, 16, 0, e.host,
                                         0, nullptr, nullptr);
       }},
      {"WriteBufferRect: NULL ptr", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueWriteBufferRect(e.queue, e.buffer, CL_TRUE, kOrigin, kOrigin, kRect, 32, 0, 16, 0, nullptr,
                                         0, nullptr, nullptr);
       }},
      {"WriteBufferRect: CL_MEM_HOST_READ_ONLY", CL_INVALID_OPERATION,
       [](Env& e) {
         return clEnqueueWriteBufferRect(e.queue, e.hostReadOnly, CL_TRUE, kOrigin, kOrigin, kRect, 32, 0, 16, 0,
                                         e.host, 0, nullptr, nullptr);
       }},
      {"WriteBufferRect: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) {
         return clEnqueueWriteBufferRect(e.queue, e.buffer, CL_TRUE, kOrigin, kOrigin, kRect, 32, 0, 16, 0, e.host, 1,
                                         nullptr, nullptr);
       }},
      // ---------------------------------------------------------------- clEnqueueCopyBuffer[Rect]
      {"CopyBuffer: fine", CL_SUCCESS,
       [](Env& e) { return clEnqueueCopyBuffer(e.queue, e.buffer, e.second, 0, 0, 64, 0, nullptr, nullptr); }},
      {"CopyBuffer: NULL source", CL_INVALID_MEM_OBJECT,
       [](Env& e) { return clEnqueueCopyBuffer(e.queue, nullptr, e.second, 0, 0, 64, 0, nullptr, nullptr); }},
      {"CopyBuffer: destination of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return clEnqueueCopyBuffer(e.queue, e.buffer, e.foreign, 0, 0, 64, 0, nullptr, nullptr); }},
      {"CopyBuffer: source past the end", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueCopyBuffer(e.queue, e.buffer, e.second, kBufferBytes - 8, 0, 16, 0, nullptr, nullptr);
       }},
      {"CopyBuffer: destination past the end", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueCopyBuffer(e.queue, e.buffer, e.second, 0, kBufferBytes - 8, 16, 0, nullptr, nullptr);
       }},
      {"CopyBuffer: size 0", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueCopyBuffer(e.queue, e.buffer, e.second, 0, 0, 0, 0, nullptr, nullptr); }},
      {"CopyBuffer: overlapping", CL_MEM_COPY_OVERLAP,
       [](Env& e) { return clEnqueueCopyBuffer(e.queue, e.buffer, e.buffer, 0, 32, 64, 0, nullptr, nullptr); }},
      {"CopyBuffer: a NULL event in the wait list", CL_INVALID_EVENT_WAIT_LIST,
       [nullEvent](Env& e) {
         return clEnqueueCopyBuffer(e.queue, e.buffer, e.second, 0, 0, 64, 1, &nullEvent, nullptr);
       }},
      {"CopyBufferRect: fine", CL_SUCCESS,
       [](Env& e) {
         return clEnqueueCopyBufferRect(e.queue, e.buffer, e.second, kOrigin, kOrigin, kRect, 32, 0, 32, 0, 0,
                                        nullptr, nullptr);
       }},
      {"CopyBufferRect: past the end", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueCopyBufferRect(e.queue, e.buffer, e.second, kOrigin, kOrigin, kRectBig, 32, 0, 32, 0, 0,
                                        nullptr, nullptr);
       }},
      {"CopyBufferRect: row pitch below the region", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueCopyBufferRect(e.queue, e.buffer, e.second, kOrigin, kOrigin, kRect, 8, 0, 32, 0, 0, nullptr,
                                        nullptr);
       }},
      {"CopyBufferRect: overlapping", CL_MEM_COPY_OVERLAP,
       [](Env& e) {
         const size_t dst[3] = {8, 0, 0};
         return clEnqueueCopyBufferRect(e.queue, e.buffer, e.buffer, kOrigin, dst, kRect, 32, 0, 32, 0, 0, nullptr,
                                        nullptr);
       }},
      {"CopyBufferRect: of another context", CL_INVALID_CONTEXT,
       [](Env& e) {
         return clEnqueueCopyBufferRect(e.queue, e.foreign, e.second, kOrigin, kOrigin, kRect, 32, 0, 32, 0, 0,
                                        nullptr, nullptr);
       }},
      // ---------------------------------------------------------------- clEnqueueFillBuffer
      {"FillBuffer: fine", CL_SUCCESS,
       [](Env& e) {
         return clEnqueueFillBuffer(e.queue, e.buffer, &kPattern, sizeof kPattern, 0, 64, 0, nullptr, nullptr);
       }},
      {"FillBuffer: NULL pattern", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueFillBuffer(e.queue, e.buffer, nullptr, 4, 0, 64, 0, nullptr, nullptr); }},
      {"FillBuffer: pattern size 3", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueFillBuffer(e.queue, e.buffer, &kPattern, 3, 0, 63, 0, nullptr, nullptr); }},
      {"FillBuffer: pattern size 256", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueFillBuffer(e.queue, e.buffer, e.host, 256, 0, 256, 0, nullptr, nullptr); }},
      {"FillBuffer: offset not a multiple of the pattern", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueFillBuffer(e.queue, e.buffer, &kPattern, 4, 2, 64, 0, nullptr, nullptr); }},
      {"FillBuffer: size not a multiple of the pattern", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueFillBuffer(e.queue, e.buffer, &kPattern, 4, 0, 62, 0, nullptr, nullptr); }},
      {"FillBuffer: past the end", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueFillBuffer(e.queue, e.buffer, &kPattern, 4, kBufferBytes - 4, 8, 0, nullptr, nullptr);
       }},
      {"FillBuffer: of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return clEnqueueFillBuffer(e.queue, e.foreign, &kPattern, 4, 0, 64, 0, nullptr, nullptr); }},
      {"FillBuffer: wait list given, count 0", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) {
         return clEnqueueFillBuffer(e.queue, e.buffer, &kPattern, 4, 0, 64, 0, &e.userEvent, nullptr);
       }},
      // ---------------------------------------------------------------- images
      {"ReadImage: fine", CL_SUCCESS,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.image, CL_TRUE, kOrigin, kWhole, 0, 0, e.host, 0, nullptr, nullptr);
       }},
      {"ReadImage: a buffer", CL_INVALID_MEM_OBJECT,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.buffer, CL_TRUE, kOrigin, kWhole, 0, 0, e.host, 0, nullptr, nullptr);
       }},
      {"ReadImage: too wide", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.image, CL_TRUE, kOrigin, kWide, 0, 0, e.host, 0, nullptr, nullptr);
       }},
      {"ReadImage: too tall", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.image, CL_TRUE, kOrigin, kTall, 0, 0, e.host, 0, nullptr, nullptr);
       }},
      {"ReadImage: depth 2 of a 2D image", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.image, CL_TRUE, kOrigin, kDeep, 0, 0, e.host, 0, nullptr, nullptr);
       }},
      {"ReadImage: origin z 1 of a 2D image", CL_INVALID_VALUE,
       [](Env& e) {
         const size_t one[3] = {1, 1, 1};
         return clEnqueueReadImage(e.queue, e.image, CL_TRUE, kSliceOne, one, 0, 0, e.host, 0, nullptr, nullptr);
       }},
      {"ReadImage: NULL origin", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.image, CL_TRUE, nullptr, kWhole, 0, 0, e.host, 0, nullptr, nullptr);
       }},
      {"ReadImage: NULL ptr", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.image, CL_TRUE, kOrigin, kWhole, 0, 0, nullptr, 0, nullptr, nullptr);
       }},
      {"ReadImage: row pitch below a row (PoCL takes it)", CL_SUCCESS,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.image, CL_TRUE, kOrigin, kWhole, 4, 0, e.host, 0, nullptr, nullptr);
       }},
      {"ReadImage: CL_MEM_HOST_WRITE_ONLY", CL_INVALID_OPERATION,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.imageWriteOnly, CL_TRUE, kOrigin, kWhole, 0, 0, e.host, 0, nullptr,
                                   nullptr);
       }},
      {"ReadImage: event of another context", CL_INVALID_CONTEXT,
       [](Env& e) {
         return clEnqueueReadImage(e.queue, e.image, CL_TRUE, kOrigin, kWhole, 0, 0, e.host, 1, &e.foreignEvent,
                                   nullptr);
       }},
      {"WriteImage: too wide", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueWriteImage(e.queue, e.image, CL_TRUE, kOrigin, kWide, 0, 0, e.host, 0, nullptr, nullptr);
       }},
      {"WriteImage: NULL ptr", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueWriteImage(e.queue, e.image, CL_TRUE, kOrigin, kWhole, 0, 0, nullptr, 0, nullptr, nullptr);
       }},
      {"WriteImage: CL_MEM_HOST_READ_ONLY", CL_INVALID_OPERATION,
       [](Env& e) {
         return clEnqueueWriteImage(e.queue, e.imageReadOnly, CL_TRUE, kOrigin, kWhole, 0, 0, e.host, 0, nullptr,
                                    nullptr);
       }},
      {"WriteImage: CL_MEM_HOST_NO_ACCESS", CL_INVALID_OPERATION,
       [](Env& e) {
         return clEnqueueWriteImage(e.queue, e.imageNoAccess, CL_TRUE, kOrigin, kWhole, 0, 0, e.host, 0, nullptr,
                                    nullptr);
       }},
      {"CopyImage: fine", CL_SUCCESS,
       [](Env& e) { return clEnqueueCopyImage(e.queue, e.image, e.image2, kOrigin, kOrigin, kWhole, 0, nullptr, nullptr); }},
      {"CopyImage: another format", CL_IMAGE_FORMAT_MISMATCH,
       [](Env& e) { return clEnqueueCopyImage(e.queue, e.image, e.imageR, kOrigin, kOrigin, kWhole, 0, nullptr, nullptr); }},
      {"CopyImage: destination out of range", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueCopyImage(e.queue, e.image, e.image2, kOrigin, kShifted, kWhole, 0, nullptr, nullptr);
       }},
      {"CopyImage: overlapping", CL_MEM_COPY_OVERLAP,
       [](Env& e) {
         const size_t region[3] = {8, 8, 1};
         return clEnqueueCopyImage(e.queue, e.image, e.image, kOrigin, kShifted, region, 0, nullptr, nullptr);
       }},
      {"CopyImage: a buffer", CL_INVALID_MEM_OBJECT,
       [](Env& e) { return clEnqueueCopyImage(e.queue, e.buffer, e.image2, kOrigin, kOrigin, kWhole, 0, nullptr, nullptr); }},
      {"FillImage: fine", CL_SUCCESS,
       [](Env& e) { return clEnqueueFillImage(e.queue, e.image, kColor, kOrigin, kWhole, 0, nullptr, nullptr); }},
      {"FillImage: NULL color", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueFillImage(e.queue, e.image, nullptr, kOrigin, kWhole, 0, nullptr, nullptr); }},
      {"FillImage: too wide", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueFillImage(e.queue, e.image, kColor, kOrigin, kWide, 0, nullptr, nullptr); }},
      {"FillImage: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return clEnqueueFillImage(e.queue, e.image, kColor, kOrigin, kWhole, 1, nullptr, nullptr); }},
      {"CopyImageToBuffer: buffer too small", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueCopyImageToBuffer(e.queue, e.image, e.buffer, kOrigin, kWhole, 0, 0, nullptr, nullptr);
       }},
      {"CopyImageToBuffer: image too small", CL_INVALID_VALUE,
       [](Env& e) {
         const size_t region[3] = {4, 4, 1};
         return clEnqueueCopyImageToBuffer(e.queue, e.image, e.buffer, kWide, region, 0, 0, nullptr, nullptr);
       }},
      {"CopyImageToBuffer: a buffer as the image", CL_INVALID_MEM_OBJECT,
       [](Env& e) {
         const size_t region[3] = {4, 4, 1};
         return clEnqueueCopyImageToBuffer(e.queue, e.second, e.buffer, kOrigin, region, 0, 0, nullptr, nullptr);
       }},
      {"CopyBufferToImage: buffer too small", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueCopyBufferToImage(e.queue, e.buffer, e.image, 0, kOrigin, kWhole, 0, nullptr, nullptr);
       }},
      {"CopyBufferToImage: of another context", CL_INVALID_CONTEXT,
       [](Env& e) {
         const size_t region[3] = {4, 4, 1};
         return clEnqueueCopyBufferToImage(e.queue, e.foreign, e.image, 0, kOrigin, region, 0, nullptr, nullptr);
       }},
      // ---------------------------------------------------------------- maps
      {"MapBuffer: fine", CL_SUCCESS, [](Env& e) { return mapBuffer(e, e.buffer, CL_MAP_READ, 0, 64); }},
      {"MapBuffer: NULL buffer", CL_INVALID_MEM_OBJECT,
       [](Env& e) { return mapBuffer(e, nullptr, CL_MAP_READ, 0, 64); }},
      {"MapBuffer: an image", CL_INVALID_MEM_OBJECT, [](Env& e) { return mapBuffer(e, e.image, CL_MAP_READ, 0, 64); }},
      {"MapBuffer: of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return mapBuffer(e, e.foreign, CL_MAP_READ, 0, 64); }},
      {"MapBuffer: past the end", CL_INVALID_VALUE,
       [](Env& e) { return mapBuffer(e, e.buffer, CL_MAP_READ, kBufferBytes - 8, 16); }},
      {"MapBuffer: size 0", CL_INVALID_VALUE, [](Env& e) { return mapBuffer(e, e.buffer, CL_MAP_READ, 0, 0); }},
      {"MapBuffer: READ with WRITE_INVALIDATE_REGION (PoCL takes it)", CL_SUCCESS,
       [](Env& e) { return mapBuffer(e, e.buffer, CL_MAP_READ | CL_MAP_WRITE_INVALIDATE_REGION, 0, 64); }},
      {"MapBuffer: WRITE with WRITE_INVALIDATE_REGION (PoCL takes it)", CL_SUCCESS,
       [](Env& e) { return mapBuffer(e, e.buffer, CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION, 0, 64); }},
      {"MapBuffer: READ of CL_MEM_HOST_WRITE_ONLY", CL_INVALID_OPERATION,
       [](Env& e) { return mapBuffer(e, e.hostWriteOnly, CL_MAP_READ, 0, 64); }},
      {"MapBuffer: WRITE of CL_MEM_HOST_WRITE_ONLY", CL_SUCCESS,
       [](Env& e) { return mapBuffer(e, e.hostWriteOnly, CL_MAP_WRITE, 0, 64); }},
      {"MapBuffer: WRITE of CL_MEM_HOST_READ_ONLY", CL_INVALID_OPERATION,
       [](Env& e) { return mapBuffer(e, e.hostReadOnly, CL_MAP_WRITE, 0, 64); }},
      {"MapBuffer: WRITE_INVALIDATE_REGION of CL_MEM_HOST_READ_ONLY", CL_INVALID_OPERATION,
       [](Env& e) { return mapBuffer(e, e.hostReadOnly, CL_MAP_WRITE_INVALIDATE_REGION, 0, 64); }},
      {"MapBuffer: READ of CL_MEM_HOST_READ_ONLY", CL_SUCCESS,
       [](Env& e) { return mapBuffer(e, e.hostReadOnly, CL_MAP_READ, 0, 64); }},
      {"MapBuffer: READ of CL_MEM_HOST_NO_ACCESS", CL_INVALID_OPERATION,
       [](Env& e) { return mapBuffer(e, e.hostNoAccess, CL_MAP_READ, 0, 64); }},
      {"MapBuffer: WRITE of CL_MEM_HOST_NO_ACCESS", CL_INVALID_OPERATION,
       [](Env& e) { return mapBuffer(e, e.hostNoAccess, CL_MAP_WRITE, 0, 64); }},
      {"MapBuffer: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return mapBuffer(e, e.buffer, CL_MAP_READ, 0, 64, 1, nullptr); }},
      {"MapBuffer: event of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return mapBuffer(e, e.buffer, CL_MAP_READ, 0, 64, 1, &e.foreignEvent); }},
      {"MapImage: fine", CL_SUCCESS, [](Env& e) { return mapImage(e, e.image, CL_MAP_READ, kOrigin, kWhole); }},
      {"MapImage: a buffer", CL_INVALID_MEM_OBJECT,
       [](Env& e) { return mapImage(e, e.buffer, CL_MAP_READ, kOrigin, kWhole); }},
      {"MapImage: too wide", CL_INVALID_VALUE, [](Env& e) { return mapImage(e, e.image, CL_MAP_READ, kOrigin, kWide); }},
      {"MapImage: NULL region", CL_INVALID_VALUE,
       [](Env& e) { return mapImage(e, e.image, CL_MAP_READ, kOrigin, nullptr); }},
      {"MapImage: NULL image_row_pitch", CL_INVALID_VALUE,
       [](Env& e) { return mapImage(e, e.image, CL_MAP_READ, kOrigin, kWhole, false); }},
      {"MapImage: READ with WRITE_INVALIDATE_REGION (PoCL takes it)", CL_SUCCESS,
       [](Env& e) { return mapImage(e, e.image, CL_MAP_READ | CL_MAP_WRITE_INVALIDATE_REGION, kOrigin, kWhole); }},
      {"MapImage: READ of CL_MEM_HOST_WRITE_ONLY", CL_INVALID_OPERATION,
       [](Env& e) { return mapImage(e, e.imageWriteOnly, CL_MAP_READ, kOrigin, kWhole); }},
      {"MapImage: WRITE of CL_MEM_HOST_WRITE_ONLY", CL_SUCCESS,
       [](Env& e) { return mapImage(e, e.imageWriteOnly, CL_MAP_WRITE, kOrigin, kWhole); }},
      {"MapImage: WRITE of CL_MEM_HOST_READ_ONLY", CL_INVALID_OPERATION,
       [](Env& e) { return mapImage(e, e.imageReadOnly, CL_MAP_WRITE, kOrigin, kWhole); }},
      {"MapImage: READ of CL_MEM_HOST_NO_ACCESS", CL_INVALID_OPERATION,
       [](Env& e) { return mapImage(e, e.imageNoAccess, CL_MAP_READ, kOrigin, kWhole); }},
      {"UnmapMemObject: a pointer never mapped", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueUnmapMemObject(e.queue, e.buffer, e.host, 0, nullptr, nullptr); }},
      {"UnmapMemObject: NULL memory object", CL_INVALID_MEM_OBJECT,
       [](Env& e) { return clEnqueueUnmapMemObject(e.queue, nullptr, e.host, 0, nullptr, nullptr); }},
      {"UnmapMemObject: of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return clEnqueueUnmapMemObject(e.queue, e.foreign, e.host, 0, nullptr, nullptr); }},
      // ---------------------------------------------------------------- kernels
      {"NDRangeKernel: fine", CL_SUCCESS,
       [](Env& e) {
         const size_t global = 8, local = 2;
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 1, nullptr, &global, &local, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: kernel of another context", CL_INVALID_CONTEXT,
       [](Env& e) {
         const size_t global = 8;
         return clEnqueueNDRangeKernel(e.queue, e.foreignKernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: work_dim 0", CL_INVALID_WORK_DIMENSION,
       [](Env& e) {
         const size_t global = 8;
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 0, nullptr, &global, nullptr, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: work_dim 4", CL_INVALID_WORK_DIMENSION,
       [](Env& e) {
         const size_t global[4] = {8, 1, 1, 1};
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 4, nullptr, global, nullptr, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: NULL global size (PoCL takes it)", CL_SUCCESS,
       [](Env& e) {
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 1, nullptr, nullptr, nullptr, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: global size 0", CL_SUCCESS,
       [](Env& e) {
         const size_t global = 0;
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: arguments not set", CL_INVALID_KERNEL_ARGS,
       [](Env& e) {
         const size_t global = 8;
         return clEnqueueNDRangeKernel(e.queue, e.unset, 1, nullptr, &global, nullptr, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: local size not dividing the global size", CL_INVALID_WORK_GROUP_SIZE,
       [](Env& e) {
         const size_t global = 10, local = 3;
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 1, nullptr, &global, &local, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: local size above the device's group size", CL_INVALID_WORK_GROUP_SIZE,
       [](Env& e) {
         const size_t global[2] = {e.maxItems[0] * 2, 2}, local[2] = {e.maxItems[0], 2};
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 2, nullptr, global, local, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: local size above the device's item size (and group size)", CL_INVALID_WORK_GROUP_SIZE,
       [](Env& e) {
         const size_t global[3] = {1, 1, e.maxItems[2] + 1}, local[3] = {1, 1, e.maxItems[2] + 1};
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 3, nullptr, global, local, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: not the required group size", CL_INVALID_WORK_GROUP_SIZE,
       [](Env& e) {
         const size_t global = 8, local = 4;
         return clEnqueueNDRangeKernel(e.queue, e.required, 1, nullptr, &global, &local, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: the required group size", CL_SUCCESS,
       [](Env& e) {
         const size_t global = 8, local = 2;
         return clEnqueueNDRangeKernel(e.queue, e.required, 1, nullptr, &global, &local, 0, nullptr, nullptr);
       }},
      // The kernel's own limit (PoCL: the device's; a GPU's may be lower).
      {"NDRangeKernel: a group of the kernel's CL_KERNEL_WORK_GROUP_SIZE", CL_SUCCESS,
       [](Env& e) {
         const size_t global = e.kernelGroup, local = e.kernelGroup;
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 1, nullptr, &global, &local, 0, nullptr, nullptr);
       }},
      {"NDRangeKernel: a group above the kernel's CL_KERNEL_WORK_GROUP_SIZE", CL_INVALID_WORK_GROUP_SIZE,
       [](Env& e) {
         const size_t global[2] = {e.kernelGroup * 2, 2}, local[2] = {e.kernelGroup, 2};
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 2, nullptr, global, local, 0, nullptr, nullptr);
       }},
      // More __local memory than the device has: PoCL 3.1 takes the launch
      // and overruns its local memory (a larger excess aborts the process:
      // pthread_utils.c, setup_kernel_arg_array_with_locals); remote-cl
      // returns what the specification gives, CL_OUT_OF_RESOURCES, and the
      // server never runs it.
      {"NDRangeKernel: a __local argument beyond the device's local memory", CL_SUCCESS,
       [](Env& e) {
         const size_t global = 8, local = 2;
         return clEnqueueNDRangeKernel(e.queue, e.localOver, 1, nullptr, &global, &local, 0, nullptr, nullptr);
       },
       CL_OUT_OF_RESOURCES},
      {"NDRangeKernel: no local size, a __local argument beyond the device's local memory", CL_SUCCESS,
       [](Env& e) {
         const size_t global = 8;
         return clEnqueueNDRangeKernel(e.queue, e.localOver, 1, nullptr, &global, nullptr, 0, nullptr, nullptr);
       },
       CL_OUT_OF_RESOURCES},
      {"NDRangeKernel: __local variables and argument beyond the device's local memory", CL_SUCCESS,
       [](Env& e) {
         const size_t global = 8, local = 2;
         return clEnqueueNDRangeKernel(e.queue, e.staticOver, 1, nullptr, &global, &local, 0, nullptr, nullptr);
       },
       CL_OUT_OF_RESOURCES},
      {"NDRangeKernel: __local variables and argument filling the device's local memory", CL_SUCCESS,
       [](Env& e) {
         const size_t global = 8, local = 2;
         return clEnqueueNDRangeKernel(e.queue, e.staticFit, 1, nullptr, &global, &local, 0, nullptr, nullptr);
       }},
      // PoCL checks the wait list's context of every enqueue but this one;
      // remote-cl checks it for all, as the specification says.
      {"NDRangeKernel: event of another context", CL_SUCCESS,
       [](Env& e) {
         const size_t global = 8;
         return clEnqueueNDRangeKernel(e.queue, e.kernel, 1, nullptr, &global, nullptr, 1, &e.foreignEvent, nullptr);
       },
       CL_INVALID_CONTEXT},
      {"Task: fine", CL_SUCCESS, [](Env& e) { return clEnqueueTask(e.queue, e.kernel, 0, nullptr, nullptr); }},
      {"Task: arguments not set", CL_INVALID_KERNEL_ARGS,
       [](Env& e) { return clEnqueueTask(e.queue, e.unset, 0, nullptr, nullptr); }},
      {"Task: a required group size other than 1", CL_INVALID_WORK_GROUP_SIZE,
       [](Env& e) { return clEnqueueTask(e.queue, e.required, 0, nullptr, nullptr); }},
      {"Task: kernel of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return clEnqueueTask(e.queue, e.foreignKernel, 0, nullptr, nullptr); }},
      {"Task: a __local argument beyond the device's local memory", CL_SUCCESS,
       [](Env& e) { return clEnqueueTask(e.queue, e.localOver, 0, nullptr, nullptr); }, CL_OUT_OF_RESOURCES},
      // Native kernels cannot run remotely (a function of the client's
      // process): remote devices do not list CL_EXEC_NATIVE_KERNEL, and
      // clEnqueueNativeKernel returns what the specification gives for such a device.
      {"NativeKernel: NULL function", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueNativeKernel(e.queue, nullptr, nullptr, 0, 0, nullptr, nullptr, 0, nullptr, nullptr); },
       CL_INVALID_OPERATION},
      {"NativeKernel: args NULL with a size", CL_INVALID_VALUE,
       [](Env& e) {
         return clEnqueueNativeKernel(e.queue, kNativeFunction, nullptr, 8, 0, nullptr, nullptr, 0, nullptr, nullptr);
       },
       CL_INVALID_OPERATION},
      // ---------------------------------------------------------------- markers, barriers, waits
      {"MarkerWithWaitList: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return clEnqueueMarkerWithWaitList(e.queue, 1, nullptr, nullptr); }},
      {"MarkerWithWaitList: wait list given, count 0", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return clEnqueueMarkerWithWaitList(e.queue, 0, &e.userEvent, nullptr); }},
      {"MarkerWithWaitList: a NULL event", CL_INVALID_EVENT_WAIT_LIST,
       [nullEvent](Env& e) { return clEnqueueMarkerWithWaitList(e.queue, 1, &nullEvent, nullptr); }},
      {"MarkerWithWaitList: event of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return clEnqueueMarkerWithWaitList(e.queue, 1, &e.foreignEvent, nullptr); }},
      {"MarkerWithWaitList: NULL queue", CL_INVALID_COMMAND_QUEUE,
       [](Env&) { return clEnqueueMarkerWithWaitList(nullptr, 0, nullptr, nullptr); }},
      {"BarrierWithWaitList: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return clEnqueueBarrierWithWaitList(e.queue, 1, nullptr, nullptr); }},
      {"BarrierWithWaitList: a NULL event", CL_INVALID_EVENT_WAIT_LIST,
       [nullEvent](Env& e) { return clEnqueueBarrierWithWaitList(e.queue, 1, &nullEvent, nullptr); }},
      {"BarrierWithWaitList: event of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return clEnqueueBarrierWithWaitList(e.queue, 1, &e.foreignEvent, nullptr); }},
      {"Marker: NULL event", CL_INVALID_VALUE, [](Env& e) { return clEnqueueMarker(e.queue, nullptr); }},
      {"Barrier: NULL queue", CL_INVALID_COMMAND_QUEUE, [](Env&) { return clEnqueueBarrier(nullptr); }},
      // ---------------------------------------------------------------- migrations
      {"MigrateMemObjects: fine", CL_SUCCESS,
       [](Env& e) { return clEnqueueMigrateMemObjects(e.queue, 1, &e.buffer, 0, 0, nullptr, nullptr); }},
      {"MigrateMemObjects: no objects", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueMigrateMemObjects(e.queue, 0, &e.buffer, 0, 0, nullptr, nullptr); }},
      {"MigrateMemObjects: NULL list", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueMigrateMemObjects(e.queue, 1, nullptr, 0, 0, nullptr, nullptr); }},
      {"MigrateMemObjects: unknown flags", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueMigrateMemObjects(e.queue, 1, &e.buffer, 1 << 7, 0, nullptr, nullptr); }},
      {"MigrateMemObjects: a NULL object", CL_INVALID_MEM_OBJECT,
       [](Env& e) {
         const cl_mem none = nullptr;
         return clEnqueueMigrateMemObjects(e.queue, 1, &none, 0, 0, nullptr, nullptr);
       }},
      {"MigrateMemObjects: of another context", CL_INVALID_CONTEXT,
       [](Env& e) { return clEnqueueMigrateMemObjects(e.queue, 1, &e.foreign, 0, 0, nullptr, nullptr); }},
      {"MigrateMemObjects: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return clEnqueueMigrateMemObjects(e.queue, 1, &e.buffer, 0, 1, nullptr, nullptr); }},
      // ---------------------------------------------------------------- SVM
      {"SVMMemcpy: fine", CL_SUCCESS,
       [](Env& e) { return clEnqueueSVMMemcpy(e.queue, CL_TRUE, e.host, e.svm, 64, 0, nullptr, nullptr); }},
      {"SVMMemcpy: NULL destination", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMMemcpy(e.queue, CL_TRUE, nullptr, e.svm, 64, 0, nullptr, nullptr); }},
      {"SVMMemcpy: NULL source", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMMemcpy(e.queue, CL_TRUE, e.svm, nullptr, 64, 0, nullptr, nullptr); }},
      {"SVMMemcpy: overlapping", CL_MEM_COPY_OVERLAP,
       [](Env& e) {
         return clEnqueueSVMMemcpy(e.queue, CL_TRUE, static_cast<char*>(e.svm) + 8, e.svm, 64, 0, nullptr, nullptr);
       }},
      {"SVMMemcpy: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return clEnqueueSVMMemcpy(e.queue, CL_TRUE, e.host, e.svm, 64, 1, nullptr, nullptr); }},
      {"SVMMemFill: NULL pointer", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMMemFill(e.queue, nullptr, &kPattern, 4, 64, 0, nullptr, nullptr); }},
      {"SVMMemFill: pattern size 3", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMMemFill(e.queue, e.svm, &kPattern, 3, 63, 0, nullptr, nullptr); }},
      {"SVMMemFill: size not a multiple of the pattern", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMMemFill(e.queue, e.svm, &kPattern, 4, 62, 0, nullptr, nullptr); }},
      {"SVMMap: NULL pointer", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMMap(e.queue, CL_TRUE, CL_MAP_READ, nullptr, 64, 0, nullptr, nullptr); }},
      {"SVMMap: size 0", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMMap(e.queue, CL_TRUE, CL_MAP_READ, e.svm, 0, 0, nullptr, nullptr); }},
      {"SVMMap: wait list NULL, count 1", CL_INVALID_EVENT_WAIT_LIST,
       [](Env& e) { return clEnqueueSVMMap(e.queue, CL_TRUE, CL_MAP_READ, e.svm, 64, 1, nullptr, nullptr); }},
      {"SVMUnmap: NULL pointer", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMUnmap(e.queue, nullptr, 0, nullptr, nullptr); }},
      {"SVMFree: no pointers, a list", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMFree(e.queue, 0, &e.svm, nullptr, nullptr, 0, nullptr, nullptr); }},
      {"SVMFree: pointers, no list", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMFree(e.queue, 1, nullptr, nullptr, nullptr, 0, nullptr, nullptr); }},
      {"SVMMigrateMem: no pointers", CL_INVALID_VALUE,
       [](Env& e) {
         const void* p = e.svm;
         return clEnqueueSVMMigrateMem(e.queue, 0, &p, nullptr, 0, 0, nullptr, nullptr);
       }},
      {"SVMMigrateMem: NULL list", CL_INVALID_VALUE,
       [](Env& e) { return clEnqueueSVMMigrateMem(e.queue, 1, nullptr, nullptr, 0, 0, nullptr, nullptr); }},
      // ---------------------------------------------------------------- others an application does not wait for
      {"SetKernelExecInfo: unsetting the SVM pointers (an empty list)", CL_SUCCESS,
       [](Env& e) { return clSetKernelExecInfo(e.kernel, CL_KERNEL_EXEC_INFO_SVM_PTRS, 0, nullptr); }},
      // PoCL takes a size with no list (as no list); remote-cl refuses it, as the specification says.
      {"SetKernelExecInfo: SVM pointers of a size, NULL", CL_SUCCESS,
       [](Env& e) { return clSetKernelExecInfo(e.kernel, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(void*), nullptr); },
       CL_INVALID_VALUE},
      // PoCL takes a name it does not know; remote-cl's server forwards only
      // the names whose values it can translate (a value may hold pointers).
      {"SetKernelExecInfo: an unknown name", CL_SUCCESS,
       [](Env& e) {
         const cl_int value = 0;
         return clSetKernelExecInfo(e.kernel, 0x7fff, sizeof value, &value);
       },
       CL_INVALID_VALUE},
      {"CreateBuffer: CL_MEM_USE_HOST_PTR larger than its SVM allocation", CL_INVALID_BUFFER_SIZE,
       [](Env& e) {
         cl_int error = CL_SUCCESS;
         cl_mem m = clCreateBuffer(e.context, CL_MEM_USE_HOST_PTR, 2 * kBufferBytes, e.svm, &error);
         if (m != nullptr) clReleaseMemObject(m);
         return error;
       }},
      {"SetDefaultDeviceCommandQueue: a device without device-side enqueue", CL_INVALID_OPERATION,
       [](Env& e) { return clSetDefaultDeviceCommandQueue(e.context, e.device, nullptr); }},
      {"SetUserEventStatus: not a user event", CL_INVALID_EVENT,
       [](Env& e) {
         cl_event marker = nullptr;
         cl_int error = clEnqueueMarkerWithWaitList(e.queue, 0, nullptr, &marker);
         if (error != CL_SUCCESS) return error;
         error = clSetUserEventStatus(marker, CL_COMPLETE);
         clReleaseEvent(marker);
         return error;
       }},
      {"SetUserEventStatus: a positive status", CL_INVALID_VALUE,
       [](Env& e) {
         cl_int error = CL_SUCCESS;
         cl_event user = clCreateUserEvent(e.context, &error);
         if (error != CL_SUCCESS) return error;
         error = clSetUserEventStatus(user, CL_SUBMITTED);
         clSetUserEventStatus(user, CL_COMPLETE);
         clReleaseEvent(user);
         return error;
       }},
      {"SetUserEventStatus: set twice", CL_INVALID_OPERATION,
       [](Env& e) { return clSetUserEventStatus(e.userEvent, CL_COMPLETE); }},
      {"Flush: NULL queue", CL_INVALID_COMMAND_QUEUE, [](Env&) { return clFlush(nullptr); }},
      {"ReleaseMemObject: NULL", CL_INVALID_MEM_OBJECT, [](Env&) { return clReleaseMemObject(nullptr); }},
      {"ReleaseEvent: NULL", CL_INVALID_EVENT, [](Env&) { return clReleaseEvent(nullptr); }},
      {"ReleaseKernel: NULL", CL_INVALID_KERNEL, [](Env&) { return clReleaseKernel(nullptr); }},
      {"ReleaseProgram: NULL", CL_INVALID_PROGRAM, [](Env&) { return clReleaseProgram(nullptr); }},
      {"ReleaseCommandQueue: NULL", CL_INVALID_COMMAND_QUEUE, [](Env&) { return clReleaseCommandQueue(nullptr); }},
      {"ReleaseContext: NULL", CL_INVALID_CONTEXT, [](Env&) { return clReleaseContext(nullptr); }},
      {"ReleaseSampler: NULL", CL_INVALID_SAMPLER, [](Env&) { return clReleaseSampler(nullptr); }},
      {"RetainMemObject: NULL", CL_INVALID_MEM_OBJECT, [](Env&) { return clRetainMemObject(nullptr); }},
      {"RetainEvent: NULL", CL_INVALID_EVENT, [](Env&) { return clRetainEvent(nullptr); }},
      // ---------------------------------------------------------------- creations the client may pipeline
      // (icd/include/rcl/icd/entry/pipelined.h: what the client is sure the platform takes is sent
      // without waiting; anything else asks the server, so its error is the platform's own)
      {"CreateSampler: fine", CL_SUCCESS,
       [](Env& e) { return sampler(e, CL_TRUE, CL_ADDRESS_REPEAT, CL_FILTER_LINEAR); }},
      {"CreateSampler: unnormalized, clamped", CL_SUCCESS,
       [](Env& e) { return sampler(e, CL_FALSE, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST); }},
      {"CreateSampler: unnormalized, no addressing", CL_SUCCESS,
       [](Env& e) { return sampler(e, CL_FALSE, CL_ADDRESS_NONE, CL_FILTER_LINEAR); }},
      {"CreateSampler: NULL context", CL_INVALID_CONTEXT,
       [](Env&) {
         cl_int error = CL_SUCCESS;
         return created(clCreateSampler(nullptr, CL_TRUE, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST, &error), error,
                        clReleaseSampler);
       }},
      {"CreateSampler: normalized_coords neither true nor false", CL_INVALID_VALUE,
       [](Env& e) { return sampler(e, 2, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST); }},
      {"CreateSampler: repeat without normalized coordinates", CL_INVALID_VALUE,
       [](Env& e) { return sampler(e, CL_FALSE, CL_ADDRESS_REPEAT, CL_FILTER_NEAREST); }},
      {"CreateSampler: mirrored repeat without normalized coordinates", CL_INVALID_VALUE,
       [](Env& e) { return sampler(e, CL_FALSE, CL_ADDRESS_MIRRORED_REPEAT, CL_FILTER_NEAREST); }},
      // PoCL 3.1 takes an addressing or filter mode the specification does not name (CL_INVALID_VALUE
      // there): the client does not send such a creation without waiting, and answers as the platform.
      {"CreateSampler: an unknown addressing mode", CL_SUCCESS,
       [](Env& e) { return sampler(e, CL_TRUE, 0x1234, CL_FILTER_NEAREST); }},
      {"CreateSampler: an unknown filter mode", CL_SUCCESS,
       [](Env& e) { return sampler(e, CL_FALSE, CL_ADDRESS_CLAMP, 0x1234); }},
      {"CreateSamplerWithProperties: an unknown filter mode", CL_SUCCESS,
       [](Env& e) {
         const cl_sampler_properties list[] = {CL_SAMPLER_FILTER_MODE, 0x1234, 0};
         return samplerWith(e.context, list);
       }},
      {"CreateSamplerWithProperties: fine", CL_SUCCESS,
       [](Env& e) {
         const cl_sampler_properties list[] = {CL_SAMPLER_NORMALIZED_COORDS, CL_FALSE, CL_SAMPLER_ADDRESSING_MODE,
                                               CL_ADDRESS_CLAMP_TO_EDGE, CL_SAMPLER_FILTER_MODE, CL_FILTER_LINEAR, 0};
         return samplerWith(e.context, list);
       }},
      {"CreateSamplerWithProperties: an empty list", CL_SUCCESS,
       [](Env& e) {
         const cl_sampler_properties list[] = {0};
         return samplerWith(e.context, list);
       }},
      // The specification takes a NULL list (the defaults); PoCL 3.1 refuses it, and so does remote-cl (the server's answer).
      {"CreateSamplerWithProperties: NULL list", CL_INVALID_VALUE,
       [](Env& e) { return samplerWith(e.context, nullptr); }},
      {"CreateSamplerWithProperties: NULL context", CL_INVALID_CONTEXT,
       [](Env&) {
         const cl_sampler_properties list[] = {CL_SAMPLER_FILTER_MODE, CL_FILTER_LINEAR, 0};
         return samplerWith(nullptr, list);
       }},
      {"CreateSamplerWithProperties: a key twice", CL_INVALID_VALUE,
       [](Env& e) {
         const cl_sampler_properties list[] = {CL_SAMPLER_FILTER_MODE, CL_FILTER_LINEAR, CL_SAMPLER_FILTER_MODE,
                                               CL_FILTER_LINEAR, 0};
         return samplerWith(e.context, list);
       }},
      {"CreateSamplerWithProperties: an unknown key", CL_INVALID_VALUE,
       [](Env& e) {
         const cl_sampler_properties list[] = {0x9999, 1, 0};
         return samplerWith(e.context, list);
       }},
      {"CreateSamplerWithProperties: normalized coordinates 7", CL_INVALID_VALUE,
       [](Env& e) {
         const cl_sampler_properties list[] = {CL_SAMPLER_NORMALIZED_COORDS, 7, 0};
         return samplerWith(e.context, list);
       }},
      {"CreateSamplerWithProperties: repeat without normalized coordinates", CL_INVALID_VALUE,
       [](Env& e) {
         const cl_sampler_properties list[] = {CL_SAMPLER_NORMALIZED_COORDS, CL_FALSE, CL_SAMPLER_ADDRESSING_MODE,
                                               CL_ADDRESS_REPEAT, 0};
         return samplerWith(e.context, list);
       }},
      {"CreateCommandQueue: fine", CL_SUCCESS,
       [](Env& e) { return queue(e.context, e.device, CL_QUEUE_PROFILING_ENABLE); }},
      {"CreateCommandQueue: out of order", CL_SUCCESS,
       [](Env& e) { return queue(e.context, e.device, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE); }},
      {"CreateCommandQueue: NULL context", CL_INVALID_CONTEXT, [](Env& e) { return queue(nullptr, e.device, 0); }},
      {"CreateCommandQueue: NULL device", CL_INVALID_DEVICE, [](Env& e) { return queue(e.context, nullptr, 0); }},
      {"CreateCommandQueue: unknown properties", CL_INVALID_VALUE,
       [](Env& e) { return queue(e.context, e.device, 0x1000); }},
      {"CreateCommandQueueWithProperties: fine", CL_SUCCESS,
       [](Env& e) {
         const cl_queue_properties list[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE, 0};
         return queueWith(e.context, e.device, list);
       }},
      {"CreateCommandQueueWithProperties: NULL list", CL_SUCCESS,
       [](Env& e) { return queueWith(e.context, e.device, nullptr); }},
      {"CreateCommandQueueWithProperties: an empty list", CL_SUCCESS,
       [](Env& e) {
         const cl_queue_properties list[] = {0};
         return queueWith(e.context, e.device, list);
       }},
      {"CreateCommandQueueWithProperties: NULL device", CL_INVALID_DEVICE,
       [](Env& e) { return queueWith(e.context, nullptr, nullptr); }},
      {"CreateCommandQueueWithProperties: a key twice", CL_INVALID_VALUE,
       [](Env& e) {
         const cl_queue_properties list[] = {CL_QUEUE_PROPERTIES, 0, CL_QUEUE_PROPERTIES, 0, 0};
         return queueWith(e.context, e.device, list);
       }},
      {"CreateCommandQueueWithProperties: an unknown key", CL_INVALID_VALUE,
       [](Env& e) {
         const cl_queue_properties list[] = {0x7777, 0, 0};
         return queueWith(e.context, e.device, list);
       }},
      {"CreateCommandQueueWithProperties: unknown properties", CL_INVALID_VALUE,
       [](Env& e) {
         const cl_queue_properties list[] = {CL_QUEUE_PROPERTIES, 0x1000, 0};
         return queueWith(e.context, e.device, list);
       }},
      {"CreateUserEvent: fine", CL_SUCCESS,
       [](Env& e) {
         cl_int error = CL_SUCCESS;
         cl_event user = clCreateUserEvent(e.context, &error);
         if (user != nullptr) clSetUserEventStatus(user, CL_COMPLETE);
         return created(user, error, clReleaseEvent);
       }},
      {"CreateUserEvent: NULL context", CL_INVALID_CONTEXT,
       [](Env&) {
         cl_int error = CL_SUCCESS;
         return created(clCreateUserEvent(nullptr, &error), error, clReleaseEvent);
       }},
  };
}

class ErrorTableTest : public ClTest {
 protected:
  void SetUp() override {
    ClTest::SetUp();
    if (HasFatalFailure()) return;
    cl_int error = CL_SUCCESS;
    other_ = createContext(platform_, device_, &error);
    CL_CHECK(error);
    auto buffer = [&](cl_context c, cl_mem_flags flags, Mem* out) {
      out->reset(clCreateBuffer(c, flags, kBufferBytes, nullptr, &error));
      CL_CHECK(error);
    };
    ASSERT_NO_FATAL_FAILURE(buffer(context_, CL_MEM_READ_WRITE, &buffer_));
    ASSERT_NO_FATAL_FAILURE(buffer(context_, CL_MEM_READ_WRITE, &second_));
    ASSERT_NO_FATAL_FAILURE(buffer(other_, CL_MEM_READ_WRITE, &foreign_));
    ASSERT_NO_FATAL_FAILURE(buffer(context_, CL_MEM_HOST_WRITE_ONLY, &hostWriteOnly_));
    ASSERT_NO_FATAL_FAILURE(buffer(context_, CL_MEM_HOST_READ_ONLY, &hostReadOnly_));
    ASSERT_NO_FATAL_FAILURE(buffer(context_, CL_MEM_HOST_NO_ACCESS, &hostNoAccess_));
    auto image = [&](cl_channel_order order, cl_mem_flags flags, Mem* out) {
      const cl_image_format format{order, CL_UNORM_INT8};
      cl_image_desc desc{};
      desc.image_type = CL_MEM_OBJECT_IMAGE2D;
      desc.image_width = kWidth;
      desc.image_height = kHeight;
      out->reset(clCreateImage(context_, flags, &format, &desc, nullptr, &error));
      CL_CHECK(error);
    };
    ASSERT_NO_FATAL_FAILURE(image(CL_RGBA, CL_MEM_READ_WRITE, &image_));
    ASSERT_NO_FATAL_FAILURE(image(CL_RGBA, CL_MEM_READ_WRITE, &image2_));
    ASSERT_NO_FATAL_FAILURE(image(CL_R, CL_MEM_READ_WRITE, &imageR_));
    ASSERT_NO_FATAL_FAILURE(image(CL_RGBA, CL_MEM_HOST_WRITE_ONLY, &imageWriteOnly_));
    ASSERT_NO_FATAL_FAILURE(image(CL_RGBA, CL_MEM_HOST_READ_ONLY, &imageReadOnly_));
    ASSERT_NO_FATAL_FAILURE(image(CL_RGBA, CL_MEM_HOST_NO_ACCESS, &imageNoAccess_));

    const char* source =
        "kernel void k(global int* p) { p[get_global_id(0) % 64] = 1; }\n"
        "__attribute__((reqd_work_group_size(2, 1, 1))) kernel void r(global int* p) { p[get_global_id(0)] = 2; }\n"
        "kernel void w(global int* p, local int* a) {\n"
        "  a[get_local_id(0)] = 3; barrier(CLK_LOCAL_MEM_FENCE); p[get_global_id(0) % 64] = a[0];\n"
        "}\n"
        "kernel void s(global int* p, local int* a) {\n"
        "  local int own[4096];\n"
        "  own[get_local_id(0)] = 4; a[get_local_id(0)] = 5; barrier(CLK_LOCAL_MEM_FENCE);\n"
        "  p[get_global_id(0) % 64] = own[0] + a[0];\n"
        "}\n";
    ASSERT_NO_FATAL_FAILURE(buildOrFail(source, &program_));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "k", &kernel_));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "k", &unset_));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "r", &required_));
    CL_CHECK(clSetKernelArg(kernel_, 0, sizeof(cl_mem), buffer_.address()));
    CL_CHECK(clSetKernelArg(required_, 0, sizeof(cl_mem), buffer_.address()));
    cl_ulong localMem = 0;
    CL_CHECK(clGetDeviceInfo(device_, CL_DEVICE_LOCAL_MEM_SIZE, sizeof localMem, &localMem, nullptr));
    ASSERT_GT(localMem, 16384u + 64u) << "the device's local memory is too small for the __local rows";
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "w", &localOver_));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "s", &staticOver_));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "s", &staticFit_));
    for (cl_kernel k : {localOver_.get(), staticOver_.get(), staticFit_.get()})
      CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), buffer_.address()));
    CL_CHECK(clSetKernelArg(localOver_, 1, localMem + 16, nullptr));
    CL_CHECK(clSetKernelArg(staticOver_, 1, localMem - 16384 + 64, nullptr));
    CL_CHECK(clSetKernelArg(staticFit_, 1, localMem - 16384, nullptr));
    const size_t length = std::strlen(source);
    foreignProgram_.reset(clCreateProgramWithSource(other_, 1, &source, &length, &error));
    CL_CHECK(error);
    CL_CHECK(clBuildProgram(foreignProgram_, 1, &device_, "", nullptr, nullptr));
    foreignKernel_.reset(clCreateKernel(foreignProgram_, "k", &error));
    CL_CHECK(error);
    CL_CHECK(clSetKernelArg(foreignKernel_, 0, sizeof(cl_mem), foreign_.address()));

    foreignEvent_.reset(clCreateUserEvent(other_, &error));
    CL_CHECK(error);
    CL_CHECK(clSetUserEventStatus(foreignEvent_, CL_COMPLETE));
    userEvent_.reset(clCreateUserEvent(context_, &error));
    CL_CHECK(error);
    CL_CHECK(clSetUserEventStatus(userEvent_, CL_COMPLETE));

    svm_ = clSVMAlloc(context_, CL_MEM_READ_WRITE, kBufferBytes, 0);
    ASSERT_NE(svm_, nullptr);

    env_.context = context_;
    env_.queue = queue_;
    env_.device = device_;
    env_.buffer = buffer_;
    env_.second = second_;
    env_.foreign = foreign_;
    env_.hostWriteOnly = hostWriteOnly_;
    env_.hostReadOnly = hostReadOnly_;
    env_.hostNoAccess = hostNoAccess_;
    env_.image = image_;
    env_.image2 = image2_;
    env_.imageR = imageR_;
    env_.imageWriteOnly = imageWriteOnly_;
    env_.imageReadOnly = imageReadOnly_;
    env_.imageNoAccess = imageNoAccess_;
    env_.kernel = kernel_;
    env_.unset = unset_;
    env_.required = required_;
    env_.localOver = localOver_;
    env_.staticOver = staticOver_;
    env_.staticFit = staticFit_;
    env_.foreignKernel = foreignKernel_;
    env_.foreignEvent = foreignEvent_;
    env_.userEvent = userEvent_;
    env_.svm = svm_;
    CL_CHECK(clGetDeviceInfo(device_, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof env_.maxGroup, &env_.maxGroup, nullptr));
    CL_CHECK(clGetDeviceInfo(device_, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof env_.maxItems, env_.maxItems, nullptr));
    CL_CHECK(clGetKernelWorkGroupInfo(kernel_, device_, CL_KERNEL_WORK_GROUP_SIZE, sizeof env_.kernelGroup,
                                      &env_.kernelGroup, nullptr));
  }

  void TearDown() override {
    if (queue_) clFinish(queue_);
    if (svm_ != nullptr) clSVMFree(context_, svm_);
  }

  Context other_;
  Mem buffer_, second_, foreign_, hostWriteOnly_, hostReadOnly_, hostNoAccess_;
  Mem image_, image2_, imageR_, imageWriteOnly_, imageReadOnly_, imageNoAccess_;
  Program program_, foreignProgram_;
  Kernel kernel_, unset_, required_, localOver_, staticOver_, staticFit_, foreignKernel_;
  Event foreignEvent_, userEvent_;
  void* svm_ = nullptr;
  Env env_;
};

TEST_F(ErrorTableTest, EveryRowReturnsTheNativeCodeAtTheCall) {
  const std::vector<Row> table = rows();
  std::vector<std::string> mismatches;
  const bool trace = std::getenv("RCL_ERROR_TABLE_TRACE") != nullptr;  // names each row before it runs
  for (const Row& row : table) {
    if (trace) std::fprintf(stderr, "row: %s\n", row.name);
    const cl_int got = row.run(env_);
    // What a row enqueued runs before the next one (an error found later is not this table's).
    clFinish(env_.queue);
    const cl_int expected = isRemote() && row.remote != CL_SUCCESS ? row.remote : row.expected;
    if (got != expected)
      mismatches.push_back(std::string(row.name) + ": expected " + clErrorName(expected) + ", got " +
                           clErrorName(got));
  }
  std::string report;
  for (const std::string& m : mismatches) report += "  " + m + "\n";
  EXPECT_TRUE(mismatches.empty()) << mismatches.size() << " of " << table.size() << " rows differ ("
                                  << (isRemote() ? "remote" : "native") << "):\n"
                                  << report;
  RecordProperty("rows", static_cast<int>(table.size()));
}

}  // namespace
}  // namespace rcl::test
