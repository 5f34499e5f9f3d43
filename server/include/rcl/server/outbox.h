// Messages on their way to clients. Any thread may post (session workers,
// and the OpenCL implementation's callback threads); the router thread,
// which owns the socket, drains it when woken through an eventfd.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <utility>

#include "rcl/protocol/transport.h"

namespace rcl::server {

struct Outgoing {
  std::uint64_t session;  // delivered to that session's control channel
  protocol::Frames frames;
};

class Outbox {
 public:
  Outbox();
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  void post(std::uint64_t session, protocol::Frames frames);
  // Everything posted so far, oldest first; clears the wake-up signal.
  std::deque<Outgoing> drain();
  int wakeFd() const { return wakeFd_; }

 private:
  std::mutex mutex_;
  std::deque<Outgoing> queue_;
  int wakeFd_ = -1;
};

}  // namespace rcl::server
