// The client's shared memory segment, as the session's worker maps it
// (protocol/shm.h): opened by name, checked, mapped, its name unlinked at
// once, unmapped when the last user lets go (pieces still on the device hold
// it). Every slot and length a client names is checked here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace rcl::server {

class ShmSegment {
 public:
  // Maps segment `name` laid out as `slots` x `slotBytes`; throws CallError
  // (CL_INVALID_VALUE) if it is not there, not the caller's, or not that size.
  ShmSegment(const std::string& name, std::uint64_t slots, std::uint64_t slotBytes);
  ~ShmSegment();
  ShmSegment(const ShmSegment&) = delete;
  ShmSegment& operator=(const ShmSegment&) = delete;

  std::uint64_t cookie() const;
  // The segment's first bytes (protocol::shm::Header), as the client wrote them.
  const void* header() const { return base_; }
  // The start of `length` bytes in `slot`; CallError(CL_INVALID_VALUE) if
  // the slot does not exist or the length does not fit in it.
  unsigned char* slot(std::uint64_t slot, std::uint64_t length) const;

 private:
  unsigned char* base_ = nullptr;
  std::size_t bytes_ = 0;
  std::uint64_t slots_ = 0;
  std::uint64_t slotBytes_ = 0;
};

}  // namespace rcl::server
