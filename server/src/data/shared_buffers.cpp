#include "rcl/server/data/shared_buffers.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/message.h"
#include "rcl/protocol/pushes.h"
#include "rcl/protocol/unique_fd.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/support/call_error.h"
#include "rcl/server/support/checked_sizes.h"
#include "rcl/server/data/direct_copy.h"
#include "rcl/server/data/mapped_transfer.h"
#include "rcl/server/session/outbox.h"
#include "rcl/protocol/control_messages.h"

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

std::uint64_t SharedBuffers::writtenAheadBytes() const {
  std::lock_guard lock(mutex_);
  return writtenAheadBytes_;
}

void SharedBuffers::wroteAhead(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  copiedBytes_ += bytes;
  writtenAheadBytes_ += bytes;
}

void SharedBuffers::mapped(Mapped region) {
  ::clRetainMemObject(region.buffer);
  std::lock_guard lock(mutex_);
  maps_.push_back(region);
}

std::optional<SharedBuffers::Mapped> SharedBuffers::takeMapped(cl_mem buffer, std::uint64_t offset) {
  std::lock_guard lock(mutex_);
  for (auto it = maps_.begin(); it != maps_.end(); ++it) {
    if (it->buffer != buffer || it->offset != offset) continue;
    const Mapped region = *it;
    maps_.erase(it);
    return region;
  }
  return std::nullopt;
}

void SharedBuffers::unmapAll() {
  std::vector<Mapped> maps;
  {
    std::lock_guard lock(mutex_);
    maps.swap(maps_);
  }
  for (const Mapped& m : maps) {
    ::clEnqueueUnmapMemObject(m.queue, m.buffer, m.host, 0, nullptr, nullptr);
    ::clReleaseMemObject(m.buffer);
  }
}

namespace {
void pushCopyNow(Outbox& outbox, std::uint64_t token, std::optional<std::uint64_t> offset) {
  outbox.post(protocol::push::CopyNow{.token = token, .offset = offset}.frames());
}
}  // namespace

void sharedPiece(CallContext& ctx, const protocol::calls::Piece& piece, bool write) {
  Session& session = ctx.session();
  MappedStep step;
  if (auto shared = session.sharedBuffers()) {
    step = [shared, copier = session.direct(), outbox = session.outbox(), write](
               unsigned char* host, std::uint64_t token, std::uint64_t address, std::size_t length,
               std::function<void(bool)> finished) {
      if (const auto offset = shared->offsetOf(host, length)) {
        shared->expectCopy(token, length, [finished = std::move(finished)] { finished(true); });
        return pushCopyNow(*outbox, token, offset);
      }
      // Not in the memfd (an implementation that copies USE_HOST_PTR memory): a direct copy.
      pushCopyNow(*outbox, token, std::nullopt);
      copier->copy(write, host, address, length, [finished = std::move(finished)](bool) { finished(true); });
    };
  }
  mappedPiece(ctx, piece, write, "shared buffers", std::move(step));
}

void sharedWritten(CallContext& ctx, const protocol::calls::Piece& piece) {
  Session& session = ctx.session();
  MappedStep step;
  if (auto shared = session.sharedBuffers()) {
    step = [shared, copier = session.direct()](unsigned char* host, std::uint64_t, std::uint64_t address,
                                               std::size_t length, std::function<void(bool)> finished) {
      if (shared->offsetOf(host, length)) {  // the client's bytes are where the device reads
        shared->wroteAhead(length);
        return finished(true);
      }
      // An implementation that copies USE_HOST_PTR memory: a direct copy.
      copier->copy(true, host, address, length, [finished = std::move(finished)](bool) { finished(true); });
    };
  }
  mappedPiece(ctx, piece, true, "shared buffers", std::move(step));
}

namespace {
const std::shared_ptr<SharedBuffers>& sharedBuffersOf(CallContext& ctx) {
  const auto& shared = ctx.session().sharedBuffers();
  if (!shared) throw CallError(CL_INVALID_OPERATION, "this session takes no shared buffers");
  return shared;
}
}  // namespace

// [SharedMap] ([requests.SharedMap] in codegen/messages.toml).
void sharedMap(CallContext& ctx, const protocol::calls::SharedMap& request) {
  const auto& shared = sharedBuffersOf(ctx);
  auto queue = ctx.handleOf<cl_command_queue>(request.queue);
  auto buffer = ctx.handleOf<cl_mem>(request.buffer);
  const cl_map_flags flags = request.flags;
  const auto offset = static_cast<std::size_t>(request.offset);
  const auto size = static_cast<std::size_t>(request.size);
  auto waits = ctx.handlesOf<cl_event>(request.waits);
  auto event = ctx.eventOf(request.event);
  const std::uint64_t expected = request.shared_at;
  // The client uses its own mapping of the region: it must lie in the buffer
  // (an offset that wraps must not slip past the map's own check).
  expectInBuffer(buffer, offset, size);
  cl_int status = CL_SUCCESS;
  void* host = ::clEnqueueMapBuffer(queue, buffer, CL_FALSE, flags, offset, size, static_cast<cl_uint>(waits.size()),
                                    waits.data(), event.ptr(), &status);
  if (status == CL_SUCCESS) {
    const auto at = shared->offsetOf(host, size);
    if (at && *at == expected) {
      shared->mapped({queue, buffer, expected, host});
    } else {
      // Not where the client's pointer shows: no mapping the application could use.
      ::clEnqueueUnmapMemObject(queue, buffer, host, 0, nullptr, nullptr);
      if (event.event != nullptr) ::clReleaseEvent(event.event);
      event.event = nullptr;
      status = CL_MAP_FAILURE;
    }
  }
  ctx.adoptEvent(event, status);
  ctx.reply(status);
  ::clFlush(queue);
}

// [SharedUnmap] ([requests.SharedUnmap] in codegen/messages.toml).
void sharedUnmap(CallContext& ctx, const protocol::calls::SharedUnmap& request) {
  const auto& shared = sharedBuffersOf(ctx);
  auto queue = ctx.handleOf<cl_command_queue>(request.queue);
  auto buffer = ctx.handleOf<cl_mem>(request.buffer);
  const std::uint64_t offset = request.shared_at;
  auto waits = ctx.handlesOf<cl_event>(request.waits);
  auto event = ctx.eventOf(request.event);
  const auto region = shared->takeMapped(buffer, offset);
  if (!region) throw CallError(CL_INVALID_VALUE, "no such map of a shared buffer");
  const cl_int status = ::clEnqueueUnmapMemObject(queue, buffer, region->host, static_cast<cl_uint>(waits.size()),
                                                  waits.data(), event.ptr());
  ::clReleaseMemObject(region->buffer);
  ctx.adoptEvent(event, status);
  ctx.reply(status);
  ::clFlush(queue);
}

}  // namespace rcl::server
