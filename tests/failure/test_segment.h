#pragma once
// A shared memory segment made as a client makes it (protocol/shm.h), and
// offering it on a raw client's session: for tests of the same-host data
// paths that speak the protocol by hand.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "raw_client.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/shm.h"

namespace rcl::test {

// 2 slots of 1 MiB.
class TestSegment {
 public:
  TestSegment() : name_("/rcl-test-" + std::to_string(::getpid())) {
    const int fd = ::shm_open(name_.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(protocol::shm::segmentBytes(2, kSlot))), 0);
    const protocol::shm::Header header{protocol::shm::kMagic, 0xc00c1e, 2, kSlot};
    EXPECT_EQ(::pwrite(fd, &header, sizeof header, 0), static_cast<ssize_t>(sizeof header));
    header_ = ::mmap(nullptr, protocol::shm::kHeaderBytes, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
  }
  ~TestSegment() {
    ::shm_unlink(name_.c_str());
    ::munmap(header_, protocol::shm::kHeaderBytes);
  }
  // Where this process sees the segment's header (what a client names to prove the worker can read it).
  std::uint64_t headerAddress() const { return reinterpret_cast<std::uintptr_t>(header_); }
  TestSegment(const TestSegment&) = delete;
  TestSegment& operator=(const TestSegment&) = delete;
  const std::string& name() const { return name_; }
  static constexpr std::uint64_t kSlot = 1 << 20;

 private:
  std::string name_;
  void* header_ = nullptr;
};

// Offers `segment` on the raw client's session, with `proof` (pid, address) if given; the answer.
inline std::optional<RawReply> attach(RawClient& client, const TestSegment& segment,
                                      std::optional<std::pair<pid_t, std::uint64_t>> proof) {
  protocol::control::ShmAttach offer{.seq = 90, .name = segment.name(), .slots = 2, .slot_bytes = TestSegment::kSlot};
  if (proof) {
    offer.pid = proof->first;
    offer.header = proof->second;
  }
  client.sendControl(offer.frames());
  return client.receive();
}

}  // namespace rcl::test
