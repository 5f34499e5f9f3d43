#include "rcl/server/data/shm_segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "rcl/protocol/shm.h"
#include "rcl/protocol/unique_fd.h"
#include "rcl/server/support/call_error.h"

namespace rcl::server {

using Fd = protocol::UniqueFd;

ShmSegment::ShmSegment(const std::string& name, std::uint64_t slots, std::uint64_t slotBytes)
    : slots_(slots), slotBytes_(slotBytes) {
  bytes_ = protocol::shm::segmentBytes(slots, slotBytes);
  if (bytes_ == 0) throw CallError(CL_INVALID_VALUE, "shared memory layout out of bounds");
  if (name.size() < 2 || name.size() > 200 || name[0] != '/' || name.find('/', 1) != std::string::npos)
    throw CallError(CL_INVALID_VALUE, "bad shared memory name");
  const Fd fd(::shm_open(name.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0));
  if (fd.get() < 0) throw CallError(CL_INVALID_VALUE, std::string("cannot open the shared memory: ") + std::strerror(errno));
  // The name has served its purpose: nothing may be left in /dev/shm.
  ::shm_unlink(name.c_str());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      static_cast<std::size_t>(st.st_size) != bytes_)
    throw CallError(CL_INVALID_VALUE, "the shared memory is not the size or the owner it should be");
  void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) throw CallError(CL_OUT_OF_RESOURCES, "cannot map the shared memory");
  base_ = static_cast<unsigned char*>(p);
  protocol::shm::Header header{};
  std::memcpy(&header, base_, sizeof header);
  if (header.magic != protocol::shm::kMagic || header.slots != slots || header.slotBytes != slotBytes) {
    ::munmap(base_, bytes_);
    throw CallError(CL_INVALID_VALUE, "the shared memory's header does not match");
  }
}

ShmSegment::~ShmSegment() { ::munmap(base_, bytes_); }

std::uint64_t ShmSegment::cookie() const {
  protocol::shm::Header header{};
  std::memcpy(&header, base_, sizeof header);
  return header.cookie;
}

unsigned char* ShmSegment::slot(std::uint64_t slot, std::uint64_t length) const {
  if (slot >= slots_ || length == 0 || length > slotBytes_)
    throw CallError(CL_INVALID_VALUE, "shared memory slot or length out of bounds");
  return base_ + protocol::shm::kHeaderBytes + slot * slotBytes_;
}

}  // namespace rcl::server
