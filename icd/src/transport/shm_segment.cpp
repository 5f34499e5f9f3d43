#include "rcl/icd/transport/shm_segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "rcl/icd/objects/events.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/protocol/message.h"
#include "rcl/protocol/shm.h"
#include "rcl/protocol/unique_fd.h"

namespace rcl::icd {

namespace {

using Fd = protocol::UniqueFd;

std::uint64_t random64() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

std::unique_ptr<ShmSegment> ShmSegment::create(std::size_t megabytes) {
  const std::size_t total = std::clamp<std::size_t>(megabytes, 1, 4096) << 20;
  const std::size_t slotBytes = std::min(protocol::kBulkPiece, total / 2);
  const auto slots = static_cast<std::uint32_t>(
      std::clamp<std::size_t>(total / slotBytes, 2, protocol::shm::kMaxSlots));
  const std::size_t bytes = protocol::shm::segmentBytes(slots, slotBytes);
  if (bytes == 0) return nullptr;
  const std::string name = fmt::format("/rcl-{}-{:016x}", ::getpid(), random64());
  const Fd fd(::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return nullptr;
  void* p = MAP_FAILED;
  if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) == 0)
    p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) {
    ::shm_unlink(name.c_str());
    return nullptr;
  }
  const protocol::shm::Header header{protocol::shm::kMagic, random64(), slots, slotBytes};
  std::memcpy(p, &header, sizeof header);
  return std::unique_ptr<ShmSegment>(
      new ShmSegment(name, static_cast<unsigned char*>(p), bytes, slots, slotBytes, header.cookie));
}

ShmSegment::ShmSegment(std::string name, unsigned char* base, std::size_t bytes, std::uint32_t slots,
                       std::size_t slotBytes, std::uint64_t cookie)
    : name_(std::move(name)), base_(base), bytes_(bytes), slots_(slots), slotBytes_(slotBytes), cookie_(cookie) {
  for (std::uint32_t s = slots_; s > 0; --s) free_.push_back(s - 1);
}

ShmSegment::~ShmSegment() {
  unlink();
  ::munmap(base_, bytes_);
}

void ShmSegment::unlink() {
  std::lock_guard lock(mutex_);
  if (!std::exchange(named_, false)) return;
  ::shm_unlink(name_.c_str());
}

void finishPiece(ReadJoin& join, cl_int status) {
  cl_int final;
  {
    std::lock_guard lock(join.mutex);
    --join.piecesLeft;
    if (status != CL_COMPLETE && join.status == CL_COMPLETE) join.status = status < 0 ? status : CL_OUT_OF_RESOURCES;
    if (join.piecesLeft > 0 || !join.commandArrived || join.done) return;
    join.done = true;
    final = join.status;
  }
  setEventStatus(join.event, final);
  unhold(join.event);
}

unsigned char* ShmSegment::slot(std::uint32_t s) const { return base_ + protocol::shm::kHeaderBytes + s * slotBytes_; }

std::optional<std::uint32_t> ShmSegment::acquire(std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  if (!freed_.wait_for(lock, patience, [this] { return !free_.empty(); })) return std::nullopt;
  const std::uint32_t s = free_.back();
  free_.pop_back();
  return s;
}

void ShmSegment::release(std::uint32_t s) {
  {
    std::lock_guard lock(mutex_);
    if (s >= slots_ || std::find(free_.begin(), free_.end(), s) != free_.end()) return;  // not lent
    free_.push_back(s);
  }
  freed_.notify_one();
}

void ShmSegment::expectPiece(std::uint32_t slot, ReadPiece piece) {
  std::lock_guard lock(mutex_);
  pieces_[slot] = std::move(piece);
}

std::optional<ReadPiece> ShmSegment::takePiece(std::uint32_t slot) {
  std::lock_guard lock(mutex_);
  const auto it = pieces_.find(slot);
  if (it == pieces_.end()) return std::nullopt;
  ReadPiece piece = std::move(it->second);
  pieces_.erase(it);
  return piece;
}

}  // namespace rcl::icd
