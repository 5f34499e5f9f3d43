#include "rcl/server/data/direct_copy.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "rcl/server/calls/call_context.h"
#include "rcl/server/data/mapped_transfer.h"

namespace rcl::server {

namespace {
// Copies of a transfer run on this many threads at once (the machines this
// runs on have a few cores; one thread alone reaches about half of memcpy).
constexpr unsigned kThreads = 2;
// A transfer is cut in tasks of at most this many bytes (and at least two
// tasks from this size on, so that both threads copy).
constexpr std::size_t kMaxTask = std::size_t{2} << 20;
constexpr std::size_t kSplitFrom = std::size_t{256} << 10;

// One process_vm_readv/writev of `size` bytes, resumed after partial copies.
bool copyWithPeer(pid_t pid, bool fromPeer, unsigned char* local, std::uint64_t remote, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    iovec mine{local + done, size - done};
    iovec theirs{reinterpret_cast<void*>(static_cast<std::uintptr_t>(remote + done)), size - done};
    const ssize_t n = fromPeer ? ::process_vm_readv(pid, &mine, 1, &theirs, 1, 0)
                               : ::process_vm_writev(pid, &mine, 1, &theirs, 1, 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}
}  // namespace

bool DirectCopier::probe(pid_t pid, std::uint64_t address, const void* expected, std::size_t size) {
  // A process of this worker's own user only (as the segment is), even when the worker may read others'.
  struct stat st {};
  if (pid <= 0 || ::stat(("/proc/" + std::to_string(pid)).c_str(), &st) != 0 || st.st_uid != ::geteuid())
    return false;
  std::vector<unsigned char> seen(size);
  if (!copyWithPeer(pid, true, seen.data(), address, size)) return false;
  return std::memcmp(seen.data(), expected, size) == 0;
}

DirectCopier::DirectCopier(pid_t peer) : peer_(peer) {
  for (unsigned i = 0; i < kThreads; ++i) threads_.emplace_back([this] { work(); });
}

DirectCopier::~DirectCopier() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void DirectCopier::work() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and everything queued was copied
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task.run();
  }
}

void DirectCopier::copy(bool fromPeer, unsigned char* local, std::uint64_t remote, std::size_t size,
                        std::function<void(bool ok)> done) {
  std::size_t parts = 1;
  if (size >= kSplitFrom) parts = std::max<std::size_t>(kThreads, (size + kMaxTask - 1) / kMaxTask);
  const std::size_t step = (size + parts - 1) / parts;
  struct Progress {
    std::atomic<std::size_t> left;
    std::atomic<bool> ok{true};
    std::function<void(bool)> done;
  };
  auto progress = std::make_shared<Progress>();
  progress->left = parts;
  progress->done = std::move(done);
  {
    std::lock_guard lock(mutex_);
    for (std::size_t at = 0, i = 0; i < parts; ++i, at += step) {
      const std::size_t n = std::min(step, size - std::min(at, size));
      tasks_.push_back(Task{[this, progress, fromPeer, local, remote, at, n] {
        if (n != 0 && !copyWithPeer(peer_, fromPeer, local + at, remote + at, n)) progress->ok = false;
        if (progress->left.fetch_sub(1) == 1) progress->done(progress->ok);
      }});
    }
  }
  ready_.notify_all();
}

void directPiece(CallContext& ctx, const protocol::calls::Piece& piece, bool write) {
  MappedStep step;
  if (auto copier = ctx.session().direct()) {
    step = [copier, write](unsigned char* host, std::uint64_t, std::uint64_t address, std::size_t length,
                           std::function<void(bool)> finished) {
      copier->copy(write, host, address, length, [length, finished = std::move(finished)](bool ok) {
        if (!ok) spdlog::warn("a direct copy of {} bytes with the client failed (its memory is gone?)", length);
        finished(true);
      });
    };
  }
  mappedPiece(ctx, piece, write, "direct copies", std::move(step));
}

}  // namespace rcl::server
