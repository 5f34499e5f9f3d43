// The client's end of a session's bulk socket (protocol/bulk_socket.h), a
// TCP connection a lane: write pieces go out of the application's memory
// straight into the lanes (lane 0 on the calling thread, the others on a
// sender thread each), read pieces come off them straight into the
// application's memory (on a receiver thread a lane). With lane keys (a
// CURVE session, bulk_crypt.h) every piece travels as AES-256-GCM records:
// sealed on the sending lane's thread, and opened into the lane's staging
// buffer, then copied into place, on the receiving lane's thread.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <CL/cl.h>

#include "rcl/protocol/bulk_crypt.h"
#include "rcl/protocol/bulk_socket.h"

namespace rcl::icd {

class BulkSocket {
 public:
  using Token = std::array<unsigned char, protocol::bulk::kTokenBytes>;

  // Connects `lanes` times to the worker at host:port with `token` and waits
  // for its answer on each (at most `timeoutMs`); nullptr (and `error`) on
  // failure. A send that makes no progress for `stallMs` fails (a peer gone silent).
  // `keys`: the lanes are encrypted with them.
  static std::unique_ptr<BulkSocket> connect(const std::string& host, std::uint16_t port, const Token& token,
                                             unsigned lanes, int timeoutMs, int stallMs, std::string& error,
                                             const protocol::bulk::LaneKeys* keys = nullptr);
  // Takes over connections the worker accepted, a lane each; starts the lanes' threads.
  explicit BulkSocket(std::vector<protocol::UniqueFd> lanes, const protocol::bulk::LaneKeys* keys = nullptr);
  ~BulkSocket();  // close()
  // Shuts the lanes down, joins their threads, fails the reads still expected. Idempotent.
  void close();
  // Shuts the lanes down (the receivers then fail the reads still expected), from any thread.
  void abort();
  BulkSocket(const BulkSocket&) = delete;
  BulkSocket& operator=(const BulkSocket&) = delete;

  // Sends transfer `id`'s bytes, a piece a lane; false if a lane failed (all are shut down then).
  bool send(std::uint64_t id, const void* data, std::size_t size);
  // Transfer `id`'s `size` bytes will come: received into `into`, then
  // `done(CL_COMPLETE)` on a receiver thread (or a failure, once).
  void expect(std::uint64_t id, void* into, std::size_t size, std::function<void(cl_int)> done);
  // Forgets an expected read (its piece was not sent); waits if its bytes are coming in now.
  void cancel(std::uint64_t id);
  bool alive() const;
  unsigned lanes() const { return static_cast<unsigned>(lanes_.size()); }
  bool encrypted() const { return encrypted_; }

 private:
  struct Expected {
    unsigned char* into;
    std::size_t size;
    std::size_t unclaimed;  // bytes no piece received so far brings
    int receiving = 0;      // lanes receiving into it now
    bool failed = false;
    std::function<void(cl_int)> done;
  };
  struct Piece {
    protocol::bulk::Header header;
    const unsigned char* bytes;  // the whole transfer's
  };
  struct Lane {
    protocol::UniqueFd fd;
    std::thread receiver;
    std::thread sender;                // lanes after the first
    std::optional<Piece> piece;      // for `sender` to send
    std::unique_ptr<protocol::bulk::SealedSender> sealer;    // encrypted lanes
    std::unique_ptr<protocol::bulk::SealedReceiver> opener;  // encrypted lanes
  };

  bool sendPiece(std::size_t lane, const Piece& piece);
  // An encrypted lane's receiving loop (receiveLoop's, record by record).
  void receiveSealed(std::size_t lane);
  // A piece's `length` bytes are coming for transfer `header.id`: where they
  // go (nullptr: nobody waits for them any more), counted as receiving;
  // `trusted` false: the piece is not what the read asked for.
  unsigned char* claim(const protocol::bulk::Header& header, bool& trusted);
  // The piece claim() placed is in (or failed): completes its transfer if that was the last.
  void received(std::uint64_t id, bool ok);
  // A receiver's end: fails what is left once no lane receives any more.
  void receiverGone();
  void sendLoop(std::size_t lane);
  void receiveLoop(std::size_t lane);
  // Under mutex_: the entry's `done` if it is all there (or failed), forgetting it.
  std::function<void(cl_int)> takeIfDone(std::unordered_map<std::uint64_t, Expected>::iterator it, cl_int& status);

  std::vector<Lane> lanes_;  // sized once, in the constructor
  bool encrypted_ = false;

  std::mutex sendMutex_;  // one transfer on the lanes at a time
  std::mutex piecesMutex_;
  std::condition_variable pieceReady_;
  std::condition_variable piecesSent_;
  std::size_t piecesLeft_ = 0;  // given to sender threads, not sent yet
  bool piecesFailed_ = false;
  bool stopping_ = false;

  mutable std::mutex mutex_;
  std::condition_variable received_;
  bool alive_ = true;
  std::size_t receiversRunning_ = 0;
  std::unordered_map<std::uint64_t, Expected> expected_;
};

}  // namespace rcl::icd
