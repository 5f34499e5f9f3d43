#include "rcl/icd/objects/shared_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

namespace rcl::icd {

std::shared_ptr<SharedBuffer> SharedBuffer::create(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  protocol::UniqueFd fd(::memfd_create("rcl-buffer", MFD_CLOEXEC));
  if (!fd || ::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0) return nullptr;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) return nullptr;
  return std::make_shared<SharedBuffer>(Made{}, std::move(fd), static_cast<unsigned char*>(p), bytes);
}

SharedBuffer::~SharedBuffer() { ::munmap(bytes_, size_); }

std::uint64_t SharedFdsInFlight::mark() const {
  std::lock_guard lock(mutex_);
  return next_;
}

void SharedFdsInFlight::add(std::shared_ptr<SharedBuffer> buffer) {
  std::lock_guard lock(mutex_);
  waiting_.emplace_back(next_++, std::move(buffer));
}

void SharedFdsInFlight::settled(std::uint64_t mark) {
  std::lock_guard lock(mutex_);
  while (!waiting_.empty() && waiting_.front().first < mark) {
    waiting_.front().second->closeFd();
    waiting_.pop_front();
  }
}

bool SharedFdsInFlight::full() const {
  std::lock_guard lock(mutex_);
  return waiting_.size() >= kMost;
}

bool runSharedCopy(const SharedCopy& copy, std::uint64_t offset) {
  if (!copy.buffer || offset > copy.buffer->size() || copy.length > copy.buffer->size() - offset) return false;
  unsigned char* shared = copy.buffer->bytes() + offset;
  if (copy.write) std::memcpy(shared, copy.app, copy.length);
  else std::memcpy(copy.app, shared, copy.length);
  return true;
}

}  // namespace rcl::icd
