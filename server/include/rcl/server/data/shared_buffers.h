// The worker's side of shared buffers (protocol/shm.h): buffers whose bytes
// live in a memfd of the client, mapped by both processes. The worker builds
// the buffer on its mapping with CL_MEM_USE_HOST_PTR; a transfer maps the
// region in the queue's order and the client copies with memcpy, one copy
// at memory speed instead of a direct copy through the kernel.
//
// Offered only with direct copies: the attach proved that the worker may
// read the client process, so it may open /proc/<pid>/fd/<fd> as well.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <CL/cl.h>

namespace rcl::protocol::calls {
struct Piece;  // [requests.Piece] (rcl/protocol/control_messages.h)
struct SharedMap;
struct SharedUnmap;
}  // namespace rcl::protocol::calls

namespace rcl::server {

class CallContext;

class SharedBuffers : public std::enable_shared_from_this<SharedBuffers> {
 public:
  explicit SharedBuffers(pid_t client) : client_(client) {}

  // Maps the client's memfd `fd` of `bytes` (CallError if it is not one).
  // The mapping goes with unmap(), or with the buffer given to keepFor().
  void* map(int fd, std::size_t bytes);
  void unmap(void* base, std::size_t bytes);
  // `buffer` uses the mapping at `base` now: it goes when the buffer is destroyed.
  void keepFor(cl_mem buffer, void* base, std::size_t bytes);

  // Where [host, host + length) lies in a mapping: the offset there.
  std::optional<std::uint64_t> offsetOf(const void* host, std::size_t length) const;

  // A mapped region waits for the client's copy: `finished` runs when the
  // client says it copied (copied()), or when the session ends (finishAll(),
  // after which a region runs its `finished` at once).
  void expectCopy(std::uint64_t token, std::size_t bytes, std::function<void()> finished);
  void copied(std::uint64_t token);
  void finishAll();
  // Bytes the client copied so far, and of those, the ones it wrote before
  // their turn (SharedWritten: nothing was pending).
  std::uint64_t copiedBytes() const;
  std::uint64_t writtenAheadBytes() const;
  void wroteAhead(std::size_t bytes);

  // A map the client holds: the region at `offset` of the memfd, mapped at
  // `host` in `queue` (the buffer is retained until the unmap).
  struct Mapped {
    cl_command_queue queue;
    cl_mem buffer;
    std::uint64_t offset;
    void* host;
  };
  void mapped(Mapped region);
  // The map of `buffer` at `offset` the client unmaps (nullopt: none).
  std::optional<Mapped> takeMapped(cl_mem buffer, std::uint64_t offset);
  // The session ends: every map still held is unmapped.
  void unmapAll();

 private:
  struct Kept;
  static void CL_CALLBACK destroyed(cl_mem buffer, void* kept);
  void forget(void* base);

  const pid_t client_;
  mutable std::mutex mutex_;
  std::map<std::uintptr_t, std::size_t> mappings_;  // start -> bytes
  struct PendingCopy {
    std::size_t bytes;
    std::function<void()> finished;
  };
  std::unordered_map<std::uint64_t, PendingCopy> copies_;
  std::uint64_t copiedBytes_ = 0;
  std::uint64_t writtenAheadBytes_ = 0;
  bool finishing_ = false;
  std::vector<Mapped> maps_;
};

// [SharedWrite], [SharedRead]: a transfer of a shared buffer (map, the
// client's copy, unmap), or a direct copy where the region is not shared.
void sharedPiece(CallContext& ctx, const protocol::calls::Piece& piece, bool write);
// [SharedWritten]: a write the client already copied into the memfd (map and
// unmap in the queue's order; a direct copy where the region is not shared).
void sharedWritten(CallContext& ctx, const protocol::calls::Piece& piece);
// [SharedMap]: the real map of a shared buffer's region, held until [SharedUnmap].
void sharedMap(CallContext& ctx, const protocol::calls::SharedMap& request);
void sharedUnmap(CallContext& ctx, const protocol::calls::SharedUnmap& request);

}  // namespace rcl::server
