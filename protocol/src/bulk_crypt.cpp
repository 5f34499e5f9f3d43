#include "rcl/protocol/bulk_crypt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "record_wire.h"

namespace rcl::protocol::bulk {

namespace {

constexpr int kNonceBytes = 12;

EVP_CIPHER_CTX* context(void* ctx) { return static_cast<EVP_CIPHER_CTX*>(ctx); }

// Tests only (REMOTE_CL_TEST_BULK_TAMPER=flip:N or replay:N): the Nth record
// this process sends on lane 0 (from 1) has a byte of its ciphertext flipped,
// or is sent twice. Read once; nothing else in the program looks at it.
struct Tamper {
  enum Kind { None, Flip, Replay } kind = None;
  std::uint64_t record = 0;
  std::atomic<std::uint64_t> sent{0};
};
Tamper& tamper() {
  static Tamper t;
  static const bool read = [] {
    const char* v = std::getenv("REMOTE_CL_TEST_BULK_TAMPER");
    const std::string s(v == nullptr ? "" : v);
    const auto colon = s.find(':');
    if (colon == std::string::npos) return true;
    const std::string kind = s.substr(0, colon);
    t.record = std::strtoull(s.c_str() + colon + 1, nullptr, 10);
    t.kind = kind == "flip" ? Tamper::Flip : kind == "replay" ? Tamper::Replay : Tamper::None;
    return true;
  }();
  (void)read;
  return t;
}

}  // namespace

bool drawKeys(LaneKeys& keys) {
  return RAND_bytes(keys.toServer.data(), static_cast<int>(keys.toServer.size())) == 1 &&
         RAND_bytes(keys.toClient.data(), static_cast<int>(keys.toClient.size())) == 1;
}

void wipe(LaneKeys& keys) { OPENSSL_cleanse(&keys, sizeof keys); }

void wipe(std::string& key) { OPENSSL_cleanse(key.data(), key.size()); }

RecordCipher::RecordCipher(const Key& key, Direction direction, unsigned lane, bool sealing)
    : ctx_(EVP_CIPHER_CTX_new()), prefix_((static_cast<std::uint32_t>(direction) << 31) | (lane & 0x7fffffffU)) {
  auto* c = context(ctx_);
  const int ok = c != nullptr &&
                 (sealing ? EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), nullptr, nullptr, nullptr)
                          : EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), nullptr, nullptr, nullptr)) == 1 &&
                 EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
                 (sealing ? EVP_EncryptInit_ex(c, nullptr, nullptr, key.data(), nullptr)
                          : EVP_DecryptInit_ex(c, nullptr, nullptr, key.data(), nullptr)) == 1;
  if (!ok) {
    EVP_CIPHER_CTX_free(c);
    throw std::runtime_error("cannot set up AES-256-GCM");
  }
}

RecordCipher::~RecordCipher() { EVP_CIPHER_CTX_free(context(ctx_)); }

void RecordCipher::nonce(unsigned char out[kNonceBytes]) const {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<unsigned char>(prefix_ >> (8 * (3 - i)));
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<unsigned char>(counter_ >> (8 * (7 - i)));
}

bool RecordCipher::seal(const Header& header, const unsigned char* plain, unsigned char* out) {
  auto* c = context(ctx_);
  unsigned char iv[kNonceBytes];
  nonce(iv);
  ++counter_;  // used or not, a nonce is never offered twice
  int n = 0;
  if (header.length > kRecordBytes || EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv) != 1 ||
      EVP_EncryptUpdate(c, nullptr, &n, reinterpret_cast<const unsigned char*>(&header), sizeof header) != 1 ||
      EVP_EncryptUpdate(c, out, &n, plain, static_cast<int>(header.length)) != 1 ||
      EVP_EncryptFinal_ex(c, out + n, &n) != 1)
    return false;
  return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kTagBytes, out + header.length) == 1;
}

bool RecordCipher::open(const Header& header, unsigned char* record) {
  auto* c = context(ctx_);
  unsigned char iv[kNonceBytes];
  nonce(iv);
  ++counter_;
  int n = 0;
  return header.length <= kRecordBytes && EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, iv) == 1 &&
         EVP_DecryptUpdate(c, nullptr, &n, reinterpret_cast<const unsigned char*>(&header), sizeof header) == 1 &&
         EVP_DecryptUpdate(c, record, &n, record, static_cast<int>(header.length)) == 1 &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kTagBytes, record + header.length) == 1 &&
         EVP_DecryptFinal_ex(c, record + n, &n) == 1;
}

namespace {

// A sender's buffer for one record in flight: its Header, ciphertext and tag.
constexpr std::size_t kSealedBytes = sizeof(Header) + kRecordBytes + kTagBytes;

// Seals the record of `piece` (header: the piece's) at `at` into `out` with
// its header in front; its size on the wire (0: OpenSSL failed), and in
// `copies` how many times it goes out (a test's replay: 2).
std::size_t sealRecord(RecordCipher& cipher, unsigned lane, const Header& header, std::uint64_t at,
                       const unsigned char* piece, unsigned char* out, int& copies) {
  const Header record{header.id, header.total, header.offset + at,
                      std::min<std::uint64_t>(kRecordBytes, header.length - at)};
  std::memcpy(out, &record, sizeof record);
  unsigned char* const sealed = out + sizeof record;
  if (!cipher.seal(record, piece + at, sealed)) return 0;
  copies = 1;
  if (auto& t = tamper(); t.kind != Tamper::None && lane == 0 && ++t.sent == t.record) {
    if (t.kind == Tamper::Flip) sealed[record.length / 2] ^= 0x20;
    if (t.kind == Tamper::Replay) copies = 2;
  }
  return sizeof record + record.length + kTagBytes;
}

}  // namespace

SealedSender::SealedSender(const Key& key, Direction direction, unsigned lane)
    : cipher_(key, direction, lane, true), lane_(lane), out_(RecordWire::kSlots * kSealedBytes) {}

bool SealedSender::send(int fd, const Header& header, const unsigned char* piece) {
  int copies = 1;
  if (header.length <= kRecordBytes) {  // one record: nothing to overlap
    const std::size_t bytes = sealRecord(cipher_, lane_, header, 0, piece, out_.data(), copies);
    for (int i = 0; bytes > 0 && i < copies; ++i)
      if (!sendAll(fd, out_.data(), bytes)) return false;
    return bytes > 0;
  }
  // Record k is sealed into slot k % 2 while the wire sends record k - 1 from the other.
  std::optional<RecordWire> wire;
  try {
    wire.emplace(fd);
  } catch (const std::system_error&) {
    return false;  // no thread to be had: the lane fails like a lost connection
  }
  std::size_t slot = 0;
  for (std::uint64_t at = 0; at < header.length; at += kRecordBytes, slot = (slot + 1) % RecordWire::kSlots) {
    if (!wire->acquire(slot)) return false;
    unsigned char* const out = out_.data() + slot * kSealedBytes;
    const std::size_t bytes = sealRecord(cipher_, lane_, header, at, piece, out, copies);
    if (bytes == 0) return false;  // ~RecordWire sends what is posted, then ends
    wire->post(slot, out, bytes, copies);
  }
  return wire->finish();
}

SealedReceiver::SealedReceiver(const Key& key, Direction direction, unsigned lane)
    : cipher_(key, direction, lane, false), in_(kRecordBytes + kTagBytes) {}

SealedReceiver::Result SealedReceiver::receive(int fd, Header& header, std::uint64_t maxTotal) {
  if (!recvAll(fd, &header, sizeof header)) return Result::Closed;
  if (!plausible(header, maxTotal) || header.length > kRecordBytes) return Result::Forged;
  if (!recvAll(fd, in_.data(), header.length + kTagBytes)) return Result::Closed;
  return cipher_.open(header, in_.data()) ? Result::Ok : Result::Forged;
}

}  // namespace rcl::protocol::bulk
