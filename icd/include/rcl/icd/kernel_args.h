// What the client knows of a kernel's arguments: each argument set is kept
// as its shape (objects.h: _cl_kernel::acceptedArgs), a 64-bit word of its
// kind (top byte), object kind, memory type and size (low 40 bits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/objects.h"

namespace rcl::icd {

enum class ArgKind : std::uint64_t { Local = 1, Bytes = 2, Object = 3, SvmPointer = 4 };
inline constexpr int kShapeKindShift = 56;
inline constexpr std::uint64_t kShapeSizeMask = (std::uint64_t{1} << 40) - 1;

// The __local arguments set on `k` (index, size), by index.
inline std::vector<std::pair<cl_uint, std::size_t>> localArgSizes(cl_kernel k) {
  std::vector<std::pair<cl_uint, std::size_t>> sizes;
  std::lock_guard lock(k->infoMutex);
  for (const auto& [index, shape] : k->acceptedArgs)
    if (shape >> kShapeKindShift == static_cast<std::uint64_t>(ArgKind::Local))
      sizes.emplace_back(index, static_cast<std::size_t>(shape & kShapeSizeMask));
  return sizes;
}

}  // namespace rcl::icd
