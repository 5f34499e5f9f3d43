// An open file descriptor, closed when its owner goes (the shared-memory
// segment's, on both sides).
#pragma once

#include <unistd.h>

#include <utility>

namespace rcl::protocol {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace rcl::protocol
