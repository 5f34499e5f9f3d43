// The worker's end of a session's bulk socket (protocol/bulk_socket.h): it
// listens for the client's lanes for a few seconds, then a receiver thread a
// lane reads write pieces straight into the mapped buffer regions they
// belong to (or holds them until the region is mapped, if they came first),
// and a sender thread a lane sends read pieces straight from the mapped
// regions. With lane keys (a CURVE session, bulk_crypt.h) every piece
// travels as AES-256-GCM records: a receiver opens each into its lane's
// staging buffer and copies it into place only once it is authentic; a
// sender seals from the mapped region into its lane's buffer.
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

#include "rcl/protocol/bulk_crypt.h"
#include "rcl/protocol/bulk_socket.h"

namespace rcl::protocol::calls {
struct Piece;  // [requests.Piece] (rcl/protocol/control_messages.h)
}  // namespace rcl::protocol::calls

namespace rcl::server {

class CallContext;

class BulkSocket {
 public:
  using Token = std::array<unsigned char, protocol::bulk::kTokenBytes>;

  // Listens on `host` at a free port (of `ports`, first and last, if given)
  // with a fresh random token for `lanes` connections (1..kMaxLanes), awaited
  // in the background. nullptr (and `error`) on failure. Bytes it moves are
  // added to `bytesIn` and `bytesOut` (which outlive it). `keys`: the lanes
  // are encrypted with them (bulk_crypt.h).
  static std::shared_ptr<BulkSocket> open(const std::string& host,
                                           std::optional<std::pair<unsigned, unsigned>> ports, unsigned lanes,
                                           std::size_t maxTransferBytes,
                                           std::atomic<std::uint64_t>& bytesIn, std::atomic<std::uint64_t>& bytesOut,
                                           std::string& error, const protocol::bulk::LaneKeys* keys = nullptr);
  // Takes over `listener` (bound at `port`) and starts waiting for the client.
  BulkSocket(protocol::UniqueFd listener, std::uint16_t port, unsigned lanes, std::size_t maxTransferBytes,
              std::atomic<std::uint64_t>& bytesIn, std::atomic<std::uint64_t>& bytesOut,
              const protocol::bulk::LaneKeys* keys = nullptr);
  ~BulkSocket();  // close(), then joins its threads
  BulkSocket(const BulkSocket&) = delete;
  BulkSocket& operator=(const BulkSocket&) = delete;

  std::uint16_t port() const { return port_; }
  const Token& token() const { return token_; }
  unsigned lanes() const { return static_cast<unsigned>(lanes_.size()); }
  bool encrypted() const { return encrypted_; }

  // A write piece's region is mapped: `id`'s `length` bytes go into `host`
  // (straight from the lanes, or from where they waited if they came first);
  // `finished(true)` runs once they are all there, `finished(false)` if the
  // channel closed first (bytes missing, or a record not authentic).
  void receiveWrite(std::uint64_t id, unsigned char* host, std::size_t length, std::function<void(bool)> finished);
  // A read piece: sends `id`'s bytes from `host`, a piece a lane (sender
  // threads), then `finished` once every piece is sent (or failed).
  void sendRead(std::uint64_t id, const unsigned char* host, std::size_t length, std::function<void()> finished);
  // Shuts the lanes down: pending writes finish at once (their bytes lost),
  // later pieces too. Idempotent.
  void close();
  bool closed();

 private:
  struct Write {
    std::size_t length = 0;             // the whole transfer's
    std::size_t unclaimed = 0;          // bytes no piece received so far brings
    unsigned char* host = nullptr;      // the region, once mapped (receiveWrite)
    std::function<void(bool)> finished; // with `host`
    int receiving = 0;                  // lanes reading into `host` or `early` now
    std::vector<unsigned char> early;   // the whole transfer, once a piece came before the map
    std::vector<protocol::bulk::Piece> earlyPieces;  // the parts of `early` that hold bytes
  };
  struct ReadOut {
    std::atomic<std::size_t> piecesLeft;
    std::function<void()> finished;  // run by the last piece sent
  };
  struct Send {
    protocol::bulk::Header header;
    const unsigned char* bytes;  // the whole transfer's
    std::shared_ptr<ReadOut> out;
  };
  struct Lane {
    protocol::UniqueFd socket;
    std::deque<Send> sends;
    std::thread receiver;
    std::thread sender;
    std::unique_ptr<protocol::bulk::SealedSender> sealer;    // encrypted lanes
    std::unique_ptr<protocol::bulk::SealedReceiver> opener;  // encrypted lanes
  };

  // Lane 0's receiver accepts every lane first; the others wait for it.
  bool accept();
  void receive(std::size_t lane);
  void sendLoop(std::size_t lane);
  // Under mutex_: where a piece goes (nullptr: it cannot be taken, close the channel).
  unsigned char* placePiece(std::unique_lock<std::mutex>& lock, const protocol::bulk::Header& header);
  // Under mutex_: if `id` has its region and all its bytes, forgets it and
  // returns its `finished` (after copying early bytes into place).
  std::function<void(bool)> takeIfDone(std::uint64_t id);
  // After a piece's bytes went into place (ok) or did not: runs its
  // transfer's `finished` if that was the last piece, or the transfer failed.
  void pieceIn(std::uint64_t id, bool ok);

  protocol::UniqueFd listener_;
  const std::uint16_t port_;
  const bool encrypted_;
  const std::size_t maxTransferBytes_;
  std::atomic<std::uint64_t>& bytesIn_;
  std::atomic<std::uint64_t>& bytesOut_;
  Token token_{};
  std::mutex mutex_;
  bool connected_ = false;  // every lane's socket is set
  bool closed_ = false;
  bool stopping_ = false;
  std::unordered_map<std::uint64_t, Write> writes_;
  std::size_t earlyBytes_ = 0;  // held in writes_ for maps to come (at most maxTransferBytes_)
  std::condition_variable earlyFreed_;
  std::condition_variable mappedCv_;  // a region was mapped (receiveWrite), or the lanes connected
  std::condition_variable sendReady_;
  std::vector<Lane> lanes_;  // sized once, in the constructor
};

// [BulkWrite], [BulkRead]: a piece whose bytes travel on the bulk socket.
void bulkPiece(CallContext& ctx, const protocol::calls::Piece& piece, bool write);

}  // namespace rcl::server
