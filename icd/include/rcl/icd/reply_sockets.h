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
  std::uint32_t slot;
};

class ReplySockets : public std::enable_shared_from_this<ReplySockets> {
 public:
  static constexpr std::uint32_t kMaxSockets = 64;

  ReplySockets(zmq::context_t& zmq, std::uint64_t session, std::string endpoint,
               std::chrono::milliseconds attachTimeout, protocol::CurveClientKeys curve);
  ~ReplySockets();

  // This thread's socket, made (and attached to the session) on first use;
  // nullptr when none can be had.
  ReplySocket* forThisThread();
  // A thread that ends gives its socket back for the next thread.
  void giveBackFromThread(ReplySocket* socket);

 private:
  ReplySocket* lend();
  bool attach(ReplySocket& socket);

  zmq::context_t& zmq_;
  const std::uint64_t session_;
  const std::string endpoint_;
  const std::chrono::milliseconds attachTimeout_;
  const protocol::CurveClientKeys curve_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<ReplySocket>> all_;
  std::vector<ReplySocket*> free_;
};

}  // namespace rcl::icd
