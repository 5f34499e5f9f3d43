// Encrypted lanes (bulk_socket.h) for sessions whose control channel runs
// over CURVE: every record on a lane is sealed with AES-256-GCM (OpenSSL EVP,
// AES-NI where the CPU has it) under a key of the session's own.
//
// Keys: the worker draws two fresh 32-byte keys for each session with
// OpenSSL's RAND_bytes, one a direction (client -> worker, worker -> client),
// and sends them in its answer to BulkAttach, which travels on the session's
// CURVE-encrypted control socket; they never touch a disk or a command line.
//
// Records: a piece is cut in records of at most kRecordBytes. On the lane a
// record is its Header (32 bytes, in the clear, authenticated as AAD), then
// its ciphertext (header.length bytes), then the 16-byte GCM tag. Nonces (96
// bits): 4 bytes of direction (top bit) and lane index, 8 bytes of the
// lane's record counter in that direction, starting at 0. The receiver
// computes the nonce it expects itself, so a record replayed, dropped,
// reordered or moved to another lane or direction fails authentication, as
// does a changed header or byte. A key never sees 2^64 records, so no nonce
// is ever used twice under one key. The receiver decrypts into a staging
// buffer of its own and checks the tag before a byte of the record goes where
// the header says; any failure closes the session's lanes and fails the
// transfers on them (the session goes on over its CURVE sockets).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rcl/protocol/bulk_socket.h"

namespace rcl::protocol::bulk {

inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kTagBytes = 16;
// The most plaintext one record carries (the receiver's staging buffer a lane).
inline constexpr std::size_t kRecordBytes = std::size_t{256} << 10;

// Encrypted lanes cut a transfer in pieces of at least this many bytes (a
// plain lane's least, kMinPieceBytes, is 1 MiB): sealing and opening cost
// several times the CPU time of the copies alone, so a record's worth is
// worth another lane's thread (and another core) already.
inline constexpr std::size_t kMinSealedPieceBytes = kRecordBytes;

using Key = std::array<unsigned char, kKeyBytes>;

// The two keys of a session's encrypted lanes.
struct LaneKeys {
  Key toServer{};  // client -> worker
  Key toClient{};  // worker -> client
};
// Fresh keys from OpenSSL's CSPRNG; false if it has no entropy.
bool drawKeys(LaneKeys& keys);
// Overwrites keys no longer needed (OPENSSL_cleanse: not optimized away).
void wipe(LaneKeys& keys);
// Overwrites a key's copy in a message's field (control::BulkAttachReply) before it is freed.
void wipe(std::string& key);

enum class Direction : std::uint32_t { ToServer = 0, ToClient = 1 };

// One direction of one lane: the sender's sealing or the receiver's opening
// state (AES-256-GCM context, the lane's nonce prefix, the record counter).
class RecordCipher {
 public:
  RecordCipher(const Key& key, Direction direction, unsigned lane, bool sealing);
  ~RecordCipher();
  RecordCipher(const RecordCipher&) = delete;
  RecordCipher& operator=(const RecordCipher&) = delete;

  // Sender: encrypts header.length (<= kRecordBytes) bytes at `plain` into
  // `out` (header.length + kTagBytes bytes), with `header` as AAD, under the
  // next nonce. false: OpenSSL failed (never expected).
  bool seal(const Header& header, const unsigned char* plain, unsigned char* out);
  // Receiver: decrypts header.length bytes of ciphertext plus tag at `record`
  // in place and checks the tag against `header` and the nonce it expects.
  // false: the record is not authentic (its bytes must not be used).
  bool open(const Header& header, unsigned char* record);
  std::uint64_t records() const { return counter_; }

 private:
  void nonce(unsigned char out[12]) const;
  void* ctx_;  // EVP_CIPHER_CTX
  const std::uint32_t prefix_;
  std::uint64_t counter_ = 0;
};

// One lane's sending end: cuts a piece in records (header, ciphertext, tag:
// one send each), sealed on the calling thread while a second one sends the last.
class SealedSender {
 public:
  SealedSender(const Key& key, Direction direction, unsigned lane);
  // Sends `header`'s piece (bytes at piece + 0 .. header.length) as records;
  // false: the connection failed.
  bool send(int fd, const Header& header, const unsigned char* piece);

 private:
  RecordCipher cipher_;
  const unsigned lane_;
  std::vector<unsigned char> out_;  // two records in flight: one sealed, one sent
};

// One lane's receiving end.
class SealedReceiver {
 public:
  SealedReceiver(const Key& key, Direction direction, unsigned lane);
  enum class Result { Ok, Closed, Forged };
  // Receives one record: on Ok, `header` is authentic and its bytes are at
  // plain(); Closed: the connection ended; Forged: a header no sender makes
  // (longer than a record, outside `maxTotal`) or a record that fails
  // authentication.
  Result receive(int fd, Header& header, std::uint64_t maxTotal);
  const unsigned char* plain() const { return in_.data(); }

 private:
  RecordCipher cipher_;
  std::vector<unsigned char> in_;
};

}  // namespace rcl::protocol::bulk
