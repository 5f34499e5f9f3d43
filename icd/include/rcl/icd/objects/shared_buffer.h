// The client's side of shared buffers (protocol/shm.h): a buffer's bytes in
// a memfd that this process and the session's worker both map. The worker
// creates the buffer on it with CL_MEM_USE_HOST_PTR; a read or a write is
// then one memcpy here, between the application's memory and the mapping,
// while the worker holds the region mapped in the queue's order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

#include "rcl/protocol/unique_fd.h"

namespace rcl::icd {

class SharedBuffer {
 public:
  // A memfd of `bytes`, mapped here; nullptr if the system refuses.
  static std::shared_ptr<SharedBuffer> create(std::size_t bytes);
  ~SharedBuffer();  // unmaps (the worker keeps its own mapping while it needs one)
  SharedBuffer(const SharedBuffer&) = delete;
  SharedBuffer& operator=(const SharedBuffer&) = delete;

  int fd() const { return fd_.get(); }
  // The worker has its own mapping now (or declined): the descriptor can go.
  void closeFd() { fd_.reset(); }
  unsigned char* bytes() const { return bytes_; }
  std::size_t size() const { return size_; }

 private:
  struct Made {};  // only create() makes one

 public:
  SharedBuffer(Made, protocol::UniqueFd fd, unsigned char* bytes, std::size_t size)
      : fd_(std::move(fd)), bytes_(bytes), size_(size) {}

 private:

  protocol::UniqueFd fd_;
  unsigned char* const bytes_;
  const std::size_t size_;
};

// Shared buffers whose creation was posted (issue 16): the worker opens
// each one's memfd through /proc/<pid>/fd while it runs the creation, so the
// descriptor stays open until then. The worker runs a session's calls in the
// order they were sent, so the reply to any call sent after the creation
// says it ran: Call::sync takes a mark() before it sends and settles it when
// the reply comes, and so does a shared piece with the worker's CopyNow. At
// most kMost wait; a creation beyond waits for its own reply (and settles the others).
class SharedFdsInFlight {
 public:
  static constexpr std::size_t kMost = 32;
  // Everything added so far (a sync call takes it before it is sent).
  std::uint64_t mark() const;
  // `buffer`'s creation has been sent: its descriptor waits.
  void add(std::shared_ptr<SharedBuffer> buffer);
  // A reply to a call sent after `mark` came: the descriptors added before it go.
  void settled(std::uint64_t mark);
  bool full() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_ = 0;
  std::deque<std::pair<std::uint64_t, std::shared_ptr<SharedBuffer>>> waiting_;
};

// A shared piece on its way: what the server's CopyNow will copy.
struct SharedCopy {
  std::shared_ptr<SharedBuffer> buffer;  // the root buffer's memory (kept while the piece is out)
  void* app = nullptr;                   // the application's memory
  std::size_t length = 0;
  bool write = false;                    // application -> buffer
  std::uint64_t inFlightMark = 0;        // SharedFdsInFlight::mark() before the piece was sent
};

// Copies `copy` at `offset` of its buffer; false if the range is not inside it.
bool runSharedCopy(const SharedCopy& copy, std::uint64_t offset);

}  // namespace rcl::icd
