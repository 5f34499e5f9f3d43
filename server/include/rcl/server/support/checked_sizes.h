// Sizes, offsets and counts a message gives, checked before any memory is
// read or written with them: sums and products that would overflow size_t
// (a wrapped value can look small and valid), and ranges outside the memory
// object they name. Each failure is the call's CallError, CL_INVALID_VALUE
// unless said otherwise (what OpenCL gives for a region out of bounds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>

#include <CL/cl.h>

#include "rcl/server/support/call_error.h"

namespace rcl::server {

// a + b, or CallError(`error`) if it overflows size_t.
inline std::size_t checkedSum(std::uint64_t a, std::uint64_t b, cl_int error = CL_INVALID_VALUE) {
  std::size_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) throw CallError(error, "a sum of sizes overflows");
  return sum;
}

// The product of `factors`, or CallError(`error`) if it overflows size_t.
inline std::size_t checkedProduct(std::initializer_list<std::uint64_t> factors, cl_int error = CL_INVALID_VALUE) {
  std::size_t product = 1;
  for (const std::uint64_t f : factors)
    if (__builtin_mul_overflow(product, f, &product)) throw CallError(error, "a product of sizes overflows");
  return product;
}

// CL_MEM_SIZE of `buffer`; nullopt if it is not a buffer (NULL, another
// kind of memory object, not one at all: the call itself gives its error).
inline std::optional<std::size_t> bufferSize(cl_mem buffer) {
  cl_mem_object_type type = 0;
  std::size_t size = 0;
  if (buffer == nullptr || ::clGetMemObjectInfo(buffer, CL_MEM_TYPE, sizeof type, &type, nullptr) != CL_SUCCESS ||
      type != CL_MEM_OBJECT_BUFFER ||
      ::clGetMemObjectInfo(buffer, CL_MEM_SIZE, sizeof size, &size, nullptr) != CL_SUCCESS)
    return std::nullopt;
  return size;
}

// Whether `size` bytes at `offset` lie in `buffer` without overflowing (of
// a buffer whose size cannot be known, only the overflow is judged).
inline bool inBuffer(cl_mem buffer, std::uint64_t offset, std::uint64_t size) {
  std::size_t end = 0;
  if (__builtin_add_overflow(offset, size, &end)) return false;
  const auto bytes = bufferSize(buffer);
  return !bytes || end <= *bytes;
}

// CallError(CL_INVALID_VALUE) unless inBuffer().
inline void expectInBuffer(cl_mem buffer, std::uint64_t offset, std::uint64_t size) {
  if (!inBuffer(buffer, offset, size)) throw CallError(CL_INVALID_VALUE, "a region outside its buffer");
}

}  // namespace rcl::server
