// The SVM allocations of the process, by the application's pointer (the
// client's shadow). Every SVM pointer the application passes, possibly an
// offset into an allocation, is found here by range and translated to the
// server's address; a pointer in no allocation is host memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/objects/objects.h"
#include "rcl/icd/data/svm_shadow.h"

namespace rcl::icd {

// One clSVMAlloc: the server's memory, the client's shadow of it, and the
// regions the application mapped (coarse grain: the host may touch SVM only
// between clEnqueueSVMMap and clEnqueueSVMUnmap).
struct SvmAllocation {
  SvmAllocation(std::unique_ptr<Shadow> memory, std::size_t bytes, std::uint64_t address, cl_context owner);
  ~SvmAllocation();  // unmaps the shadow, lets the context proxy go
  SvmAllocation(const SvmAllocation&) = delete;
  SvmAllocation& operator=(const SvmAllocation&) = delete;

  unsigned char* base() const { return shadow->base(); }
  // Whether `size` bytes at `p` lie in the allocation (size 0: the byte at p).
  bool holds(const void* p, std::size_t size) const;
  std::uint64_t serverAddress(const void* p) const {
    return server + static_cast<std::uint64_t>(static_cast<const unsigned char*>(p) - base());
  }

  const std::unique_ptr<Shadow> shadow;
  const std::size_t size;
  const std::uint64_t server;   // the allocation's address on the server
  const cl_context context;     // held (the proxy stays) while the allocation lives
  Connection* const connection;

  struct Mapping {
    void* pointer;
    std::size_t size;
    cl_map_flags flags;
  };
  // Records a mapping; takes back the last one made at `pointer`.
  void addMapping(const Mapping& mapping);
  std::optional<Mapping> takeMapping(const void* pointer);

 private:
  std::mutex mapMutex_;
  std::vector<Mapping> mappings_;
};

using SvmRef = std::shared_ptr<SvmAllocation>;

class SvmRanges {
 public:
  static SvmRanges& instance();

  void add(SvmRef allocation);
  // The allocation holding the byte at `p`; nullptr for host memory.
  SvmRef find(const void* p) const;
  // The allocation starting at `p`; nullptr if none does.
  SvmRef startingAt(const void* p) const;
  // Forgets the allocation starting at `p` and returns it (nullptr if none does).
  SvmRef take(const void* p);

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::uintptr_t, SvmRef> byBase_;
};

}  // namespace rcl::icd
