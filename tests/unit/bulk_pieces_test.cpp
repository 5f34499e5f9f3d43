// How the bulk socket cuts a transfer over its lanes, and which piece
// headers a receiver takes (protocol/bulk_socket.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "rcl/protocol/bulk_crypt.h"
#include "rcl/protocol/bulk_socket.h"

namespace rcl::protocol::bulk {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

// The pieces cover [0, total) in order, without gaps or overlaps.
void expectCover(const std::vector<Piece>& pieces, std::size_t total) {
  std::size_t at = 0;
  for (const auto& piece : pieces) {
    EXPECT_EQ(piece.offset, at);
    EXPECT_GT(piece.length, 0u);
    at += piece.length;
  }
  EXPECT_EQ(at, total);
}

TEST(BulkPieces, AreEvenAPageApartAndCoverTheTransfer) {
  const auto pieces = piecesOf(16 * kMiB, 2);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].length, 8 * kMiB);
  expectCover(pieces, 16 * kMiB);

  const std::size_t odd = 64 * kMiB + 4093;
  const auto three = piecesOf(odd, 3);
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(three[0].length % 4096, 0u) << "pieces start on page boundaries";
  EXPECT_EQ(three[1].offset % 4096, 0u);
  expectCover(three, odd);
}

TEST(BulkPieces, SmallTransfersTakeFewerLanes) {
  EXPECT_EQ(piecesOf(256 * 1024, 4).size(), 1u) << "under a piece's least size: one lane";
  EXPECT_EQ(piecesOf(kMiB + 1, 4).size(), 1u);
  EXPECT_EQ(piecesOf(3 * kMiB, 8).size(), 3u);
  expectCover(piecesOf(3 * kMiB + 17, 8), 3 * kMiB + 17);
  EXPECT_EQ(piecesOf(16 * kMiB, 1).size(), 1u);
  EXPECT_EQ(piecesOf(16 * kMiB, 0).size(), 1u) << "no lanes counts as one";
  // A share that is a whole number of pages but for a few bytes: still a piece a lane at most.
  EXPECT_EQ(piecesOf(4 * kMiB + 1, 4).size(), 4u);
  expectCover(piecesOf(4 * kMiB + 3, 4), 4 * kMiB + 3);
  EXPECT_EQ(piecesOf(8 * kMiB + 2, 2).size(), 2u);
}

TEST(BulkPieces, EncryptedLanesSpreadARecordALaneAlready) {
  // A 1 MiB transfer: one plain piece, but a record a lane when sealed.
  EXPECT_EQ(piecesOf(kMiB, 4).size(), 1u);
  const auto sealed = piecesOf(kMiB, 4, kMinSealedPieceBytes);
  ASSERT_EQ(sealed.size(), 4u);
  EXPECT_EQ(sealed[0].length, kRecordBytes);
  expectCover(sealed, kMiB);
  EXPECT_EQ(piecesOf(kRecordBytes, 4, kMinSealedPieceBytes).size(), 1u);
  EXPECT_EQ(piecesOf(2 * kRecordBytes + 1, 4, kMinSealedPieceBytes).size(), 2u);
  expectCover(piecesOf(kMiB + 4093, 4, kMinSealedPieceBytes), kMiB + 4093);
}

TEST(BulkPieces, AReceiverTakesOnlyPiecesInsideTheirTransfer) {
  EXPECT_TRUE(plausible(Header{1, 100, 0, 100}, 100));
  EXPECT_TRUE(plausible(Header{1, 100, 90, 10}, 100));
  EXPECT_FALSE(plausible(Header{1, 100, 90, 11}, 100)) << "past the end";
  EXPECT_FALSE(plausible(Header{1, 100, 101, 0}, 100)) << "starts past the end";
  EXPECT_FALSE(plausible(Header{1, 100, 10, 0}, 100)) << "an empty piece";
  EXPECT_FALSE(plausible(Header{1, 101, 0, 1}, 100)) << "a transfer over the limit";
  constexpr auto kHuge = std::numeric_limits<std::uint64_t>::max();
  EXPECT_FALSE(plausible(Header{1, kHuge, kHuge - 1, 2}, kHuge)) << "an end that wraps around";
}

}  // namespace
}  // namespace rcl::protocol::bulk
