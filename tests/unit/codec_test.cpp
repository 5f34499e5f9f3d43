#include <gtest/gtest.h>

#include "rcl/protocol/codec.h"

namespace rcl::protocol {
namespace {

TEST(Codec, RoundTripsValuesArraysAndBulkFrames) {
  Writer w;
  w.integer(Kind::Request);
  const auto seqAt = w.reserveU64();
  w.i64(-42);
  w.str("kernel");
  w.array(2);
  w.u64(7);
  w.nil();
  const char data[] = "bulk bytes";
  w.bulkCopy(data, sizeof data);
  w.bin("ab", 2);
  w.patchU64(seqAt, 0x1122334455667788ULL);
  Reader r(w.finish());
  EXPECT_EQ(r.integer<Kind>(), Kind::Request);
  EXPECT_EQ(r.u64(), 0x1122334455667788ULL);
  EXPECT_EQ(r.i64(), -42);
  EXPECT_EQ(r.str(), "kernel");
  EXPECT_EQ(r.array(), 2u);
  EXPECT_EQ(r.u64(), 7u);
  EXPECT_TRUE(r.isNil());
  auto& frame = r.bulk();
  EXPECT_EQ(std::string(static_cast<const char*>(frame.data()), frame.size() - 1), "bulk bytes");
  EXPECT_EQ(r.bin(), "ab");
  EXPECT_TRUE(r.atEnd());
}

TEST(Codec, RejectsGarbageAndWrongTypes) {
  std::vector<zmq::message_t> garbage;
  garbage.emplace_back("\xc1\xc1\xc1", 3);
  EXPECT_THROW(Reader(std::move(garbage)), DecodeError);

  Writer w;
  w.str("not a number");
  Reader r(w.finish());
  EXPECT_THROW(r.u64(), DecodeError);
}

TEST(Codec, AnArrayClaimingMoreThanTheFrameHoldsIsRefusedWithoutAllocating) {
  // array32 header claiming 2^30 elements: msgpack would allocate 16 GiB first.
  std::vector<zmq::message_t> bomb;
  bomb.emplace_back("\xdd\x40\x00\x00\x00", 5);
  EXPECT_THROW(Reader(std::move(bomb)), DecodeError);
}

TEST(Codec, RejectsBulkIndexOutOfRange) {
  Writer w;
  w.u64(5);  // names a frame that does not exist
  Reader r(w.finish());
  EXPECT_THROW(r.bulk(), DecodeError);
}

TEST(Codec, ReadingPastTheEndIsAnError) {
  Writer w;
  w.u64(1);
  Reader r(w.finish());
  r.u64();
  EXPECT_THROW(r.u64(), DecodeError);
}

}  // namespace
}  // namespace rcl::protocol
