// Messages on their way to one session's client. Any thread may post (the
// OpenCL implementation's callback threads, helper threads); the session's
// worker, which owns the socket, drains it when woken through an eventfd.
// Shared by everything that may still post, so a late callback never finds
// it gone.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <utility>

#include "rcl/protocol/transport.h"

namespace rcl::server {

class Outbox {
 public:
  Outbox();
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // `replyTo`: the sequence number of the request this answers (its reply
  // reply index picks the socket), or 0 for pushes to the control channel.
  void post(protocol::Frames frames, std::uint64_t replyTo = 0);
  struct Message {
    protocol::Frames frames;
    std::uint64_t replyTo;
  };
  // Everything posted so far, oldest first; clears the wake-up signal.
  std::deque<Message> drain();
  // Wakes the worker without a message (to make it look at its state).
  void wake();
  int wakeFd() const { return wakeFd_; }

 private:
  std::mutex mutex_;
  std::deque<Message> queue_;
  int wakeFd_ = -1;
};

}  // namespace rcl::server
