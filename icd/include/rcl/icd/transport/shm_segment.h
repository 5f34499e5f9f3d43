// The client's side of the shared memory path (protocol/shm.h): the segment
// it creates (random name, O_EXCL, mode 0600; the name unlinked as soon as
// the server answered), its slots, which the client lends to the server one
// piece of a transfer at a time, and the read pieces whose bytes are due.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <CL/cl.h>

namespace rcl::icd {

// A read whose first bytes come in shared memory pieces: its event completes
// once every piece and the read's own message are in.
struct ReadJoin {
  std::mutex mutex;
  cl_event event = nullptr;     // the read's (set before the read is sent)
  int piecesLeft = 0;
  bool commandArrived = false;  // the read's own bytes (or its failure) came
  bool done = false;            // the event has its final status
  cl_int status = CL_COMPLETE;  // CL_COMPLETE, or the first failure
  // If the read fails, forgets its pieces whose bytes would never come (the
  // bulk socket's: the server sends nothing for a region it did not map).
  std::function<void()> cancel;
};

// One piece of `join` is over (its bytes in place, or `status` a failure):
// completes the read's event if it was the last and the read's own message came.
void finishPiece(ReadJoin& join, cl_int status);

// One read piece on the way: where its bytes go.
struct ReadPiece {
  std::function<void(const void* bytes, std::size_t size)> deliver;
  std::shared_ptr<ReadJoin> join;
};

class ShmSegment {
 public:
  // A segment of about `megabytes` in slots of at most protocol::kBulkPiece;
  // nullptr if it cannot be made.
  static std::unique_ptr<ShmSegment> create(std::size_t megabytes);
  ~ShmSegment();  // unmaps, and unlinks the name if that was not done yet
  ShmSegment(const ShmSegment&) = delete;
  ShmSegment& operator=(const ShmSegment&) = delete;

  const std::string& name() const { return name_; }
  std::uint64_t cookie() const { return cookie_; }
  std::uint32_t slots() const { return slots_; }
  std::size_t slotBytes() const { return slotBytes_; }
  // Removes the name from /dev/shm (the mappings stay). Idempotent.
  void unlink();

  unsigned char* slot(std::uint32_t s) const;
  // The segment's header (protocol::shm::Header) in this process.
  const void* header() const { return base_; }
  // A free slot, waiting up to `patience` for one (a slot comes back when the
  // server is done with it, which a command the queue holds back may delay):
  // nullopt if none came, and the caller sends through the socket instead.
  std::optional<std::uint32_t> acquire(std::chrono::milliseconds patience);
  void release(std::uint32_t s);

  void expectPiece(std::uint32_t slot, ReadPiece piece);
  std::optional<ReadPiece> takePiece(std::uint32_t slot);

 private:
  ShmSegment(std::string name, unsigned char* base, std::size_t bytes, std::uint32_t slots, std::size_t slotBytes,
             std::uint64_t cookie);

  const std::string name_;
  unsigned char* const base_;
  const std::size_t bytes_;
  const std::uint32_t slots_;
  const std::size_t slotBytes_;
  const std::uint64_t cookie_;
  bool named_ = true;

  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::uint32_t> free_;
  std::unordered_map<std::uint32_t, ReadPiece> pieces_;
};

}  // namespace rcl::icd
