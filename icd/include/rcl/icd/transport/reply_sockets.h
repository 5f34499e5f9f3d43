// Sockets on which a client thread receives the replies of its own sync
// calls, so a reply wakes the thread that waits for it directly (no hand-off
// from the receiver thread). One per thread, lent for the thread's lifetime
// and given back when it ends; a bounded number per connection (threads
// beyond that use the control channel).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "rcl/protocol/curve.h"

namespace rcl::icd {

struct ReplySocket {
  zmq::socket_t socket;
  std::uint32_t index;
};

class ReplySockets : public std::enable_shared_from_this<ReplySockets> {
 public:
  static constexpr std::uint32_t kMaxSockets = 64;
  static constexpr std::uint32_t kMaxIndex = 4 * kMaxSockets;  // attaches tried, failed ones included

  ReplySockets(zmq::context_t& zmq, std::uint64_t session, std::string endpoint,
               std::chrono::milliseconds attachTimeout, protocol::CurveClientKeys curve);
  ~ReplySockets();

  // This thread's socket, made (and attached to the session) on first use;
  // nullptr when none can be had (one that did not attach is not tried again
  // by this thread: it waits through the control channel).
  ReplySocket* forThisThread();
  // A thread that ends gives its socket back for the next thread.
  void giveBackFromThread(ReplySocket* socket);

 private:
  // A free socket or a new one; nullptr (`attachFailed` set if a new one did
  // not attach in time).
  ReplySocket* lend(bool& attachFailed);
  bool attach(ReplySocket& socket);

  zmq::context_t& zmq_;
  const std::uint64_t session_;
  const std::string endpoint_;
  const std::chrono::milliseconds attachTimeout_;
  const protocol::CurveClientKeys curve_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<ReplySocket>> all_;
  std::vector<ReplySocket*> free_;
  std::uint32_t nextIndex_ = 1;  // 0 is the control channel's
  std::uint32_t attaching_ = 0;  // sockets being attached (counted against kMaxSockets)
};

}  // namespace rcl::icd
