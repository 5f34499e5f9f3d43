#include "rcl/server/shared_buffers.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/message.h"
#include "rcl/protocol/unique_fd.h"
#include "rcl/server/call_context.h"
#include "rcl/server/call_error.h"
#include "rcl/server/mapped_transfer.h"
#include "rcl/server/outbox.h"

namespace rcl::server {

// What a buffer's destructor callback frees: its mapping, and its entry if the session is still there.
struct SharedBuffers::Kept {
  std::weak_ptr<SharedBuffers> owner;
  void* base;
  std::size_t bytes;
};

void* SharedBuffers::map(int fd, std::size_t bytes) {
  if (fd < 0 || bytes == 0) throw CallError(CL_INVALID_VALUE, "a shared buffer needs a descriptor and a size");
  const std::string path = fmt::format("/proc/{}/fd/{}", client_, fd);
  protocol::UniqueFd file(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!file) throw CallError(CL_INVALID_HOST_PTR, fmt::format("cannot open the client's {}", path));
  // Only the memfd remote-cl makes, of at least the buffer's size (a file of the client's would do harm).
  char target[64] = {};
  const std::string link = fmt::format("/proc/self/fd/{}", file.get());
  const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  struct stat st {};
  if (n <= 0 || std::string(target, static_cast<std::size_t>(n)).rfind("/memfd:rcl-buffer", 0) != 0 ||
      ::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) < bytes)
    throw CallError(CL_INVALID_HOST_PTR, "the client's shared buffer is not a memfd of the buffer's size");
  void* base = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, file.get(), 0);
  if (base == MAP_FAILED) throw CallError(CL_OUT_OF_HOST_MEMORY, "cannot map the client's shared buffer");
  std::lock_guard lock(mutex_);
  mappings_[reinterpret_cast<std::uintptr_t>(base)] = bytes;
  return base;
}

void SharedBuffers::unmap(void* base, std::size_t bytes) {
  forget(base);
  ::munmap(base, bytes);
}

void SharedBuffers::forget(void* base) {
  std::lock_guard lock(mutex_);
  mappings_.erase(reinterpret_cast<std::uintptr_t>(base));
}

void SharedBuffers::keepFor(cl_mem buffer, void* base, std::size_t bytes) {
  auto kept = std::make_unique<Kept>(Kept{weak_from_this(), base, bytes});
  if (::clSetMemObjectDestructorCallback(buffer, &SharedBuffers::destroyed, kept.get()) == CL_SUCCESS)
    kept.release();  // the callback owns it now
  else
    spdlog::warn("a shared buffer's mapping stays until the session ends (no destructor callback)");
}

void CL_CALLBACK SharedBuffers::destroyed(cl_mem, void* kept) {
  const std::unique_ptr<Kept> k(static_cast<Kept*>(kept));
  if (auto owner = k->owner.lock()) owner->forget(k->base);
  ::munmap(k->base, k->bytes);
}

std::optional<std::uint64_t> SharedBuffers::offsetOf(const void* host, std::size_t length) const {
  const auto at = reinterpret_cast<std::uintptr_t>(host);
  std::lock_guard lock(mutex_);
  auto it = mappings_.upper_bound(at);
  if (it == mappings_.begin()) return std::nullopt;
  --it;
  const std::uint64_t offset = at - it->first;
  if (offset > it->second || length > it->second - offset) return std::nullopt;
  return offset;
}

void SharedBuffers::expectCopy(std::uint64_t token, std::size_t bytes, std::function<void()> finished) {
  {
    std::lock_guard lock(mutex_);
    if (!finishing_) {
      copies_[token] = PendingCopy{bytes, std::move(finished)};
      return;
    }
  }
  finished();  // the session ends: no client copies any more
}

void SharedBuffers::copied(std::uint64_t token) {
  PendingCopy copy;
  {
    std::lock_guard lock(mutex_);
    const auto it = copies_.find(token);
    if (it == copies_.end()) return;  // a confused client: nothing waits for it
    copy = std::move(it->second);
    copies_.erase(it);
    copiedBytes_ += copy.bytes;
  }
  copy.finished();
}

void SharedBuffers::finishAll() {
  std::unordered_map<std::uint64_t, PendingCopy> copies;
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
    copies.swap(copies_);
  }
  for (auto& [token, copy] : copies) copy.finished();
}

std::uint64_t SharedBuffers::copiedBytes() const {
  std::lock_guard lock(mutex_);
  return copiedBytes_;
}

namespace {
// [CopyNow, 0, token, offset or nil]
void pushCopyNow(Outbox& outbox, std::uint64_t token, std::optional<std::uint64_t> offset) {
  protocol::Writer w;
  w.integer(protocol::Kind::CopyNow);
  w.u64(0);
  w.u64(token);
  if (offset) w.u64(*offset);
  else w.nil();
  outbox.post(w.finish());
}
}  // namespace

void sharedPiece(CallContext& ctx, bool write) {
  Session& session = ctx.session();
  MappedStep step;
  if (auto shared = session.sharedBuffers()) {
    step = [shared, copier = session.direct(), outbox = session.outbox(), write](
               unsigned char* host, std::uint64_t token, std::uint64_t address, std::size_t length,
               std::function<void()> finished) {
      if (const auto offset = shared->offsetOf(host, length)) {
        shared->expectCopy(token, length, std::move(finished));
        return pushCopyNow(*outbox, token, offset);
      }
      // Not in the memfd (an implementation that copies USE_HOST_PTR memory): a direct copy.
      pushCopyNow(*outbox, token, std::nullopt);
      copier->copy(write, host, address, length, [finished = std::move(finished)](bool) { finished(); });
    };
  }
  mappedPiece(ctx, write, "shared buffers", std::move(step));
}

}  // namespace rcl::server
