// What the client knows of a kernel's arguments: each argument set is kept
// as its shape (objects.h: _cl_kernel::acceptedArgs), a 64-bit word of its
// kind, the kind of object it names, its memory type and its size. The
// server's verdict on a shape holds for every kernel of the function
// (objects.h: KernelFunction); a launch sums the sizes of the __local
// arguments from the shapes (checks.cpp), and so does the cache of
// clGetKernelWorkGroupInfo (kernel_work_group_info.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/objects/objects.h"

namespace rcl::icd {

enum class ArgKind : std::uint64_t { Local = 1, Bytes = 2, Object = 3, SvmPointer = 4 };

// kind (8 bits) | object kind (8) | memory type (8) | size (40).
inline constexpr std::uint64_t kShapeSizeMask = (std::uint64_t{1} << 40) - 1;

constexpr std::uint64_t argShape(ArgKind kind, std::size_t size, std::uint64_t objectKind, std::uint64_t memType) {
  return (static_cast<std::uint64_t>(kind) << 56) | (objectKind << 48) | (memType << 40) |
         (static_cast<std::uint64_t>(size) & kShapeSizeMask);
}

constexpr ArgKind argKindOf(std::uint64_t shape) { return static_cast<ArgKind>(shape >> 56); }
constexpr std::size_t argSizeOf(std::uint64_t shape) { return static_cast<std::size_t>(shape & kShapeSizeMask); }

// The __local arguments set on `k` (index, size), by index.
inline std::vector<std::pair<cl_uint, std::size_t>> localArgSizes(cl_kernel k) {
  std::vector<std::pair<cl_uint, std::size_t>> sizes;
  std::lock_guard lock(k->infoMutex);
  for (const auto& [index, shape] : k->acceptedArgs)
    if (argKindOf(shape) == ArgKind::Local) sizes.emplace_back(index, argSizeOf(shape));
  return sizes;
}

}  // namespace rcl::icd
