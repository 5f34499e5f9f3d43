// The shape of a kernel argument as set (custom_kernels.cpp): its kind, its
// size, the kind of object it names. The server's verdict on a shape holds
// for every kernel of the function (objects.h: KernelFunction); a launch
// sums the sizes of the __local arguments from the shapes (checks.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace rcl::icd {

enum class ArgKind : std::uint64_t { Local = 1, Bytes = 2, Object = 3, SvmPointer = 4 };

// kind (8 bits) | object kind (8) | memory type (8) | size (40).
constexpr std::uint64_t argShape(ArgKind kind, std::size_t size, std::uint64_t objectKind, std::uint64_t memType) {
  return (static_cast<std::uint64_t>(kind) << 56) | (objectKind << 48) | (memType << 40) |
         (static_cast<std::uint64_t>(size) & ((std::uint64_t{1} << 40) - 1));
}

constexpr ArgKind argKindOf(std::uint64_t shape) { return static_cast<ArgKind>(shape >> 56); }
constexpr std::size_t argSizeOf(std::uint64_t shape) {
  return static_cast<std::size_t>(shape & ((std::uint64_t{1} << 40) - 1));
}

}  // namespace rcl::icd
