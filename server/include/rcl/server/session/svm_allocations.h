// One session's shared virtual memory: the SVM allocations the client made,
// by the server's address. Every SVM address a client sends is checked here
// before the server (or the real platform) touches it: an address outside the
// session's allocations is CL_INVALID_VALUE, never a dereference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <CL/cl.h>

#include "rcl/server/support/call_error.h"

namespace rcl::server {

class SvmAllocations {
 public:
  struct Allocation {
    void* base = nullptr;
    std::size_t size = 0;
    cl_context context = nullptr;  // retained by the session while the allocation lives
  };

  // Records an allocation the session made.
  void add(const Allocation& allocation);
  // The allocation holding the `size` bytes at `address` (size 0: the byte at
  // `address`), or CallError(error).
  const Allocation& holding(std::uint64_t address, std::size_t size, cl_int error = CL_INVALID_VALUE) const;
  // The allocation that starts at `address`, or CallError(CL_INVALID_VALUE).
  const Allocation& startingAt(std::uint64_t address) const;
  // Forgets the allocation that starts at `address` and returns it; nullopt if none does.
  std::optional<Allocation> take(std::uint64_t address);
  // Forgets every allocation and returns them (at the end of the session).
  std::vector<Allocation> takeAll();

  std::size_t bytes() const { return bytes_; }
  std::size_t count() const { return byBase_.size(); }

 private:
  std::map<std::uintptr_t, Allocation> byBase_;
  std::size_t bytes_ = 0;
};

// Frees an allocation on the real platform and drops the session's hold on its context.
void freeSvm(const SvmAllocations::Allocation& allocation);

}  // namespace rcl::server
