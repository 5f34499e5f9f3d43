// The worker's end of a session's bulk socket (protocol/bulk_socket.h): it
// listens for the client for a few seconds, then a receiver thread reads
// write bytes straight into the mapped buffer regions they belong to (or
// holds them until the region is mapped, if they came first), and a sender
// thread sends read bytes straight from the mapped regions.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rcl/protocol/bulk_socket.h"

namespace rcl::server {

class CallContext;

class BulkChannel {
 public:
  using Token = std::array<unsigned char, protocol::bulk::kTokenBytes>;

  // Listens on `host` at a free port (of `ports`, first and last, if given)
  // with a fresh random token; the connection is awaited in the background.
  // nullptr (and `error`) on failure. Bytes it moves are added to `bytesIn`
  // and `bytesOut` (which outlive it).
  static std::shared_ptr<BulkChannel> open(const std::string& host,
                                           std::optional<std::pair<unsigned, unsigned>> ports,
                                           std::size_t maxTransferBytes,
                                           std::atomic<std::uint64_t>& bytesIn, std::atomic<std::uint64_t>& bytesOut,
                                           std::string& error);
  // Takes over `listener` (bound at `port`) and starts waiting for the client.
  BulkChannel(protocol::UniqueFd listener, std::uint16_t port, std::size_t maxTransferBytes,
              std::atomic<std::uint64_t>& bytesIn, std::atomic<std::uint64_t>& bytesOut);
  ~BulkChannel();  // close(), then joins its threads
  BulkChannel(const BulkChannel&) = delete;
  BulkChannel& operator=(const BulkChannel&) = delete;

  std::uint16_t port() const { return port_; }
  const Token& token() const { return token_; }

  // A write piece's region is mapped: `id`'s `length` bytes go into `host`
  // (straight from the socket, or from where they waited if they came
  // first); `finished` runs once they are there, or the channel closed.
  void receiveWrite(std::uint64_t id, unsigned char* host, std::size_t length, std::function<void()> finished);
  // A read piece: sends `id`'s bytes from `host` (sender thread), then `finished`.
  void sendRead(std::uint64_t id, const unsigned char* host, std::size_t length, std::function<void()> finished);
  // Shuts the connection down: pending writes finish at once (their bytes
  // lost), later pieces too. Idempotent.
  void close();
  bool closed();

 private:
  struct Write {
    std::size_t length = 0;
    unsigned char* host = nullptr;      // the region, once mapped (receiveWrite)
    std::function<void()> finished;     // with `host`
    bool receiving = false;             // the receiver reads into `host` or `early` now
    bool arrived = false;               // every byte came
    std::vector<unsigned char> early;   // bytes that came before the map
  };
  struct Send {
    std::uint64_t id;
    const unsigned char* host;
    std::size_t length;
    std::function<void()> finished;
  };

  void acceptThenReceive();
  bool accept();
  void receive();
  void sendLoop();
  // Under mutex_: if `id` has its region and its bytes, forgets it and
  // returns its `finished` (after copying early bytes into place).
  std::function<void()> takeIfDone(std::uint64_t id);

  protocol::UniqueFd listener_;
  const std::uint16_t port_;
  const std::size_t maxTransferBytes_;
  std::atomic<std::uint64_t>& bytesIn_;
  std::atomic<std::uint64_t>& bytesOut_;
  Token token_{};
  protocol::UniqueFd socket_;
  std::mutex mutex_;
  bool closed_ = false;
  std::unordered_map<std::uint64_t, Write> writes_;
  std::size_t earlyBytes_ = 0;  // held in writes_ for maps to come (at most maxTransferBytes_)
  std::condition_variable earlyFreed_;
  std::condition_variable mappedCv_;  // a region was mapped (receiveWrite)
  std::condition_variable sendReady_;
  std::deque<Send> sends_;
  bool stopping_ = false;
  std::thread receiver_;
  std::thread sender_;
};

// [BulkWrite], [BulkRead]: a piece whose bytes travel on the bulk socket.
void bulkPiece(CallContext& ctx, bool write);

}  // namespace rcl::server
