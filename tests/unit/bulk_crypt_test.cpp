// The records of the encrypted lanes (protocol/bulk_crypt.h): what one lane
// seals, the same lane opens, in order, and nothing else.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <vector>

#include "rcl/protocol/bulk_crypt.h"

namespace rcl::protocol::bulk {
namespace {

LaneKeys freshKeys() {
  LaneKeys keys;
  EXPECT_TRUE(drawKeys(keys));
  return keys;
}

std::vector<unsigned char> bytes(std::size_t n) {
  std::vector<unsigned char> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<unsigned char>(i * 7 + 3);
  return v;
}

// Seals `header`'s record; returns ciphertext + tag.
std::vector<unsigned char> seal(RecordCipher& sealer, const Header& header, const unsigned char* plain) {
  std::vector<unsigned char> out(header.length + kTagBytes);
  EXPECT_TRUE(sealer.seal(header, plain, out.data()));
  return out;
}

TEST(BulkCrypt, KeysAreFreshEachTime) {
  const auto a = freshKeys(), b = freshKeys();
  EXPECT_NE(a.toServer, b.toServer);
  EXPECT_NE(a.toServer, a.toClient) << "one key a direction";
}

TEST(BulkCrypt, ARecordOpensOnlyInItsPlaceAndOrder) {
  const auto keys = freshKeys();
  const auto plain = bytes(1000);
  const Header first{7, 5000, 0, 1000}, second{7, 5000, 1000, 1000};
  RecordCipher sealer(keys.toServer, Direction::ToServer, 1, true);
  const auto one = seal(sealer, first, plain.data());
  const auto two = seal(sealer, second, plain.data());
  EXPECT_NE(std::memcmp(one.data(), plain.data(), plain.size()), 0) << "sealed bytes are not the plain ones";
  EXPECT_NE(one, two) << "the same bytes under the next nonce differ";

  {  // In order, on the same lane and direction: both open to the plain bytes.
    RecordCipher opener(keys.toServer, Direction::ToServer, 1, false);
    auto a = one, b = two;
    ASSERT_TRUE(opener.open(first, a.data()));
    EXPECT_EQ(std::memcmp(a.data(), plain.data(), plain.size()), 0);
    ASSERT_TRUE(opener.open(second, b.data()));
    EXPECT_EQ(std::memcmp(b.data(), plain.data(), plain.size()), 0);
    auto again = one;  // replayed after them
    EXPECT_FALSE(opener.open(first, again.data()));
  }
  {  // Reordered.
    RecordCipher opener(keys.toServer, Direction::ToServer, 1, false);
    auto b = two;
    EXPECT_FALSE(opener.open(second, b.data()));
  }
  {  // Replayed: the first record twice.
    RecordCipher opener(keys.toServer, Direction::ToServer, 1, false);
    auto a = one, again = one;
    EXPECT_TRUE(opener.open(first, a.data()));
    EXPECT_FALSE(opener.open(first, again.data()));
  }
  {  // Another lane, another direction, another key.
    RecordCipher lane(keys.toServer, Direction::ToServer, 2, false);
    RecordCipher direction(keys.toServer, Direction::ToClient, 1, false);
    RecordCipher key(keys.toClient, Direction::ToServer, 1, false);
    auto a = one, b = one, c = one;
    EXPECT_FALSE(lane.open(first, a.data()));
    EXPECT_FALSE(direction.open(first, b.data()));
    EXPECT_FALSE(key.open(first, c.data()));
  }
  {  // A header moved elsewhere (authenticated as AAD), a flipped byte, a flipped tag bit.
    for (int change = 0; change < 3; ++change) {
      RecordCipher opener(keys.toServer, Direction::ToServer, 1, false);
      auto a = one;
      Header h = first;
      if (change == 0) h.offset = 2000;
      if (change == 1) a[500] ^= 1;
      if (change == 2) a[1000 + kTagBytes - 1] ^= 0x80;
      EXPECT_FALSE(opener.open(h, a.data())) << "change " << change;
    }
  }
}

TEST(BulkCrypt, APieceTravelsAsRecordsAndArrivesWhole) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  const auto keys = freshKeys();
  const std::size_t total = 3 * kRecordBytes + 4093;
  const auto plain = bytes(total);
  std::thread sender([&] {
    SealedSender out(keys.toClient, Direction::ToClient, 0);
    EXPECT_TRUE(out.send(fds[0], Header{9, total, 0, total}, plain.data()));
    ::shutdown(fds[0], SHUT_WR);
  });
  SealedReceiver in(keys.toClient, Direction::ToClient, 0);
  std::vector<unsigned char> got(total, 0);
  std::size_t records = 0, received = 0;
  Header header{};
  while (in.receive(fds[1], header, total) == SealedReceiver::Result::Ok) {
    ASSERT_EQ(header.id, 9u);
    ASSERT_LE(header.length, kRecordBytes);
    std::memcpy(got.data() + header.offset, in.plain(), header.length);
    received += header.length;
    ++records;
  }
  sender.join();
  EXPECT_EQ(records, 4u);
  EXPECT_EQ(received, total);
  EXPECT_EQ(got, plain);
  ::close(fds[0]);
  ::close(fds[1]);
}

// A piece of many records (sealed while the one before is on the wire), then
// a second piece on the same lane: every record in order, the nonces going on.
TEST(BulkCrypt, PiecesOfManyRecordsArriveInOrderOneAfterAnother) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  const auto keys = freshKeys();
  const std::size_t total = 9 * kRecordBytes + 1;
  const auto plain = bytes(total);
  const std::size_t first = 5 * kRecordBytes;
  std::thread sender([&] {
    SealedSender out(keys.toServer, Direction::ToServer, 2);
    EXPECT_TRUE(out.send(fds[0], Header{4, total, 0, first}, plain.data()));
    EXPECT_TRUE(out.send(fds[0], Header{4, total, first, total - first}, plain.data() + first));
    ::shutdown(fds[0], SHUT_WR);
  });
  SealedReceiver in(keys.toServer, Direction::ToServer, 2);
  std::vector<unsigned char> got(total, 0);
  std::size_t records = 0, expectedAt = 0;
  Header header{};
  while (in.receive(fds[1], header, total) == SealedReceiver::Result::Ok) {
    EXPECT_EQ(header.offset, expectedAt);
    std::memcpy(got.data() + header.offset, in.plain(), header.length);
    expectedAt += header.length;
    ++records;
  }
  sender.join();
  EXPECT_EQ(records, 10u);
  EXPECT_EQ(got, plain);
  ::close(fds[0]);
  ::close(fds[1]);
}

// The other end gone: a piece of many records fails, and the send returns.
TEST(BulkCrypt, ASendOnAClosedConnectionFails) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ::close(fds[1]);
  const auto keys = freshKeys();
  const std::size_t total = 6 * kRecordBytes;
  const auto plain = bytes(total);
  SealedSender out(keys.toClient, Direction::ToClient, 0);
  EXPECT_FALSE(out.send(fds[0], Header{1, total, 0, total}, plain.data()));
  EXPECT_FALSE(out.send(fds[0], Header{2, kRecordBytes, 0, kRecordBytes}, plain.data()));
  ::close(fds[0]);
}

}  // namespace
}  // namespace rcl::protocol::bulk
