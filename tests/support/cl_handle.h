#pragma once
// Move-only owner of one OpenCL object reference: releases it (clRelease*) on destruction, so tests
// leak nothing even when an ASSERT returns early.

#include <CL/cl.h>

#include <utility>

namespace rcl::test {

template <typename T>
struct ClReleaser;

#define RCL_TEST_DEFINE_RELEASER(Type, Function) \
  template <>                                    \
  struct ClReleaser<Type> {                      \
    static cl_int release(Type object) { return Function(object); } \
  }

RCL_TEST_DEFINE_RELEASER(cl_context, clReleaseContext);
RCL_TEST_DEFINE_RELEASER(cl_command_queue, clReleaseCommandQueue);
RCL_TEST_DEFINE_RELEASER(cl_mem, clReleaseMemObject);
RCL_TEST_DEFINE_RELEASER(cl_program, clReleaseProgram);
RCL_TEST_DEFINE_RELEASER(cl_kernel, clReleaseKernel);
RCL_TEST_DEFINE_RELEASER(cl_event, clReleaseEvent);
RCL_TEST_DEFINE_RELEASER(cl_sampler, clReleaseSampler);

#undef RCL_TEST_DEFINE_RELEASER

template <typename T>
class ClHandle {
 public:
  ClHandle() = default;
  explicit ClHandle(T object) : object_(object) {}
  ~ClHandle() { reset(); }

  ClHandle(const ClHandle&) = delete;
  ClHandle& operator=(const ClHandle&) = delete;
  ClHandle(ClHandle&& other) noexcept : object_(other.release()) {}
  ClHandle& operator=(ClHandle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }

  T get() const { return object_; }
  operator T() const { return object_; }  // NOLINT(google-explicit-constructor): reads like the C API.
  explicit operator bool() const { return object_ != nullptr; }

  // For clSetKernelArg(kernel, i, sizeof(cl_mem), buffer.address()).
  const T* address() const { return &object_; }
  // For out-parameters such as the event of clEnqueue*: releases the current object first.
  T* out() {
    reset();
    return &object_;
  }

  T release() { return std::exchange(object_, nullptr); }
  void reset(T object = nullptr) {
    if (object_ != nullptr) ClReleaser<T>::release(object_);
    object_ = object;
  }

 private:
  T object_ = nullptr;
};

using Context = ClHandle<cl_context>;
using CommandQueue = ClHandle<cl_command_queue>;
using Mem = ClHandle<cl_mem>;
using Program = ClHandle<cl_program>;
using Kernel = ClHandle<cl_kernel>;
using Event = ClHandle<cl_event>;

}  // namespace rcl::test
