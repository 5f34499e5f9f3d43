// Answering an info query from a value the client already has, with the
// spec's rules for the caller's buffer.
#pragma once

#include <cstring>
#include <string>

#include <CL/cl.h>

namespace rcl::icd {

inline cl_int copyInfo(const void* data, size_t n, size_t size, void* value, size_t* size_ret) {
  if (value != nullptr) {
    if (size < n) return CL_INVALID_VALUE;
    if (n != 0) std::memcpy(value, data, n);
  }
  if (size_ret != nullptr) *size_ret = n;
  return CL_SUCCESS;
}

template <class T>
cl_int copyInfo(const T& v, size_t size, void* value, size_t* size_ret) {
  return copyInfo(&v, sizeof v, size, value, size_ret);
}

inline cl_int copyInfo(const std::string& s, size_t size, void* value, size_t* size_ret) {
  return copyInfo(s.c_str(), s.size() + 1, size, value, size_ret);
}

}  // namespace rcl::icd
