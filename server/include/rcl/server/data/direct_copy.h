// Same-host transfers with one copy (protocol/shm.h, "direct pieces"): the
// session's worker maps the region of the device buffer and copies straight
// between it and the client process's memory with process_vm_readv/writev,
// on a few threads of its own. No slot, no second copy: a write is the
// application's bytes copied once into the buffer, a read the buffer's bytes
// copied once into the application's memory.
//
// Offered only when the client proved, at shared memory attach time, that
// the worker can read its memory: the worker read the segment's header at
// the address the client named in the client's pid and found its cookie
// (another pid namespace, another user, Yama or a seccomp filter: no proof,
// no direct copies, the slots stay).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rcl::protocol::calls {
struct Piece;  // [requests.Piece] (rcl/protocol/control_messages.h)
}  // namespace rcl::protocol::calls

namespace rcl::server {

class CallContext;

class DirectCopier {
 public:
  // Whether `expected` is what the process `pid` holds at `address`.
  static bool probe(pid_t pid, std::uint64_t address, const void* expected, std::size_t size);

  explicit DirectCopier(pid_t peer);
  ~DirectCopier();  // copies what is queued (fast once the peer is gone), then joins
  DirectCopier(const DirectCopier&) = delete;
  DirectCopier& operator=(const DirectCopier&) = delete;

  // Copies `size` bytes between `local` (this process) and the peer's
  // `remote` address: into `local` when `fromPeer`, else out of it. The copy
  // is split among the threads; `done(ok)` runs once on the thread that
  // finished last (ok: every byte was copied).
  void copy(bool fromPeer, unsigned char* local, std::uint64_t remote, std::size_t size,
            std::function<void(bool ok)> done);

 private:
  struct Task {
    std::function<void()> run;
  };
  void work();

  const pid_t peer_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Task> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// [DirectWrite], [DirectRead]: a whole transfer copied straight between the
// client's memory and the buffer (map, copy, unmap; the unmap's event is the
// staged part the command joins).
void directPiece(CallContext& ctx, const protocol::calls::Piece& piece, bool write);

}  // namespace rcl::server
