// The pieces a client sends ahead of its read or write (through shared memory,
// protocol/shm.h), kept per session until their command comes: what they
// staged, by the client's token (data/shm_transfers.h makes them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include <CL/cl.h>

namespace rcl::server {

// The pieces of one transfer whose command has not come yet.
struct StagedTransfer {
  std::vector<cl_event> parts;  // one per piece enqueued, held until the command joins them
  std::size_t bytes = 0;        // bytes the pieces cover, from the transfer's start
  cl_int status = CL_SUCCESS;   // the first piece's error, reported by the command

  // Counts a piece of `length` bytes (more than size_t holds: CL_INVALID_VALUE);
  // false if the transfer failed already, and the piece is not to be enqueued.
  bool add(std::uint64_t length);
};

// A session's staged transfers, by the client's token.
class StagedTransfers {
 public:
  StagedTransfers() = default;
  ~StagedTransfers() { releaseAll(); }
  StagedTransfers(const StagedTransfers&) = delete;
  StagedTransfers& operator=(const StagedTransfers&) = delete;

  // The transfer `token` names, made if new; CallError when a client keeps too many.
  StagedTransfer& at(std::uint64_t token);
  // Hands over (and forgets) what `token` staged; empty for 0 or an unknown token.
  StagedTransfer take(std::uint64_t token);
  // Releases every part still held (the session ends).
  void releaseAll();

 private:
  std::unordered_map<std::uint64_t, StagedTransfer> staged_;
};

}  // namespace rcl::server
