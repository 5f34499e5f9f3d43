// The client's side of shared buffers (protocol/shm.h): a buffer's bytes in
// a memfd that this process and the session's worker both map. The worker
// creates the buffer on it with CL_MEM_USE_HOST_PTR; a read or a write is
// then one memcpy here, between the application's memory and the mapping,
// while the worker holds the region mapped in the queue's order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

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

// A shared piece on its way: what the server's CopyNow will copy.
struct SharedCopy {
  std::shared_ptr<SharedBuffer> buffer;  // the root buffer's memory (kept while the piece is out)
  void* app = nullptr;                   // the application's memory
  std::size_t length = 0;
  bool write = false;                    // application -> buffer
};

// Copies `copy` at `offset` of its buffer; false if the range is not inside it.
bool runSharedCopy(const SharedCopy& copy, std::uint64_t offset);

}  // namespace rcl::icd
