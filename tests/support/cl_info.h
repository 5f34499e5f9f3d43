#pragma once
// Typed wrappers around the clGet*Info family. They return the cl_int of the call, for CL_CHECK:
//
//   cl_int status;
//   CL_CHECK(queryInfo(&status, clGetEventInfo, event, CL_EVENT_COMMAND_EXECUTION_STATUS));
//   std::string names;
//   CL_CHECK(queryString(&names, clGetProgramInfo, program, CL_PROGRAM_KERNEL_NAMES));
//   CL_CHECK(queryInfo(&wgSize, clGetKernelWorkGroupInfo, kernel, device, CL_KERNEL_WORK_GROUP_SIZE));

#include <CL/cl.h>

#include <string>
#include <vector>

namespace rcl::test {

// A fixed-size value. Also fails (CL_INVALID_VALUE) if the reported size differs from sizeof(T).
template <typename T, typename Fn, typename... Args>
cl_int queryInfo(T* out, Fn fn, Args... args) {
  size_t size = 0;
  const cl_int error = fn(args..., sizeof(T), out, &size);
  if (error == CL_SUCCESS && size != sizeof(T)) return CL_INVALID_VALUE;
  return error;
}

// An array value (e.g. CL_PROGRAM_DEVICES, CL_KERNEL_COMPILE_WORK_GROUP_SIZE).
template <typename T, typename Fn, typename... Args>
cl_int queryVector(std::vector<T>* out, Fn fn, Args... args) {
  size_t size = 0;
  cl_int error = fn(args..., 0, nullptr, &size);
  if (error != CL_SUCCESS) return error;
  if (size % sizeof(T) != 0) return CL_INVALID_VALUE;
  out->assign(size / sizeof(T), T{});
  return size == 0 ? CL_SUCCESS : fn(args..., size, out->data(), nullptr);
}

// A char[] value, without its terminating NUL.
template <typename Fn, typename... Args>
cl_int queryString(std::string* out, Fn fn, Args... args) {
  std::vector<char> chars;
  const cl_int error = queryVector(&chars, fn, args...);
  if (error != CL_SUCCESS) return error;
  out->assign(chars.data(), chars.size());
  while (!out->empty() && out->back() == '\0') out->pop_back();
  return CL_SUCCESS;
}

}  // namespace rcl::test
