// The status answer (protocol/status.h): what the router encodes, `remote-cl
// status` and the driver's placement decode, field for field; a malformed
// answer is refused, not half read.
#include <gtest/gtest.h>

#include "rcl/protocol/status.h"

namespace rcl::protocol {
namespace {

ServerStatus sample() {
  ServerStatus s;
  s.version = "1.2.3";
  s.protocolVersion = 7;
  s.serverName = "gpu-host";
  s.uptimeSeconds = 99;
  s.activeSessions = 2;
  s.endedSessions = 5;
  s.bytesIn = 1000;
  s.bytesOut = 2000;
  s.platforms.push_back({"Portable Computing Language", "OpenCL 3.0 PoCL", {"cpu-a", "cpu-b"}});
  s.sessions.push_back({0x11, "laptop/clinfo/42", "alice", 3, 10, 4096, 100, 200, 1});
  s.sessions.push_back({0x22, "vm/app/7", "", 4, 6, 1 << 20, 300, 400, 2});
  s.draining = true;
  return s;
}

Reader encoded(const ServerStatus& s) {
  Writer w;
  encodeStatus(w, s);
  return Reader(w.finish());
}

TEST(Status, RoundTripsEveryField) {
  const ServerStatus in = sample();
  Reader r = encoded(in);
  const ServerStatus out = decodeStatus(r);
  EXPECT_EQ(out.version, in.version);
  EXPECT_EQ(out.protocolVersion, in.protocolVersion);
  EXPECT_EQ(out.serverName, in.serverName);
  EXPECT_EQ(out.uptimeSeconds, in.uptimeSeconds);
  EXPECT_EQ(out.activeSessions, in.activeSessions);
  EXPECT_EQ(out.endedSessions, in.endedSessions);
  EXPECT_EQ(out.bytesIn, in.bytesIn);
  EXPECT_EQ(out.bytesOut, in.bytesOut);
  ASSERT_EQ(out.platforms.size(), 1u);
  EXPECT_EQ(out.platforms[0].name, in.platforms[0].name);
  EXPECT_EQ(out.platforms[0].version, in.platforms[0].version);
  EXPECT_EQ(out.platforms[0].devices, in.platforms[0].devices);
  ASSERT_EQ(out.sessions.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto &a = in.sessions[i], &b = out.sessions[i];
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.client, a.client);
    EXPECT_EQ(b.keyName, a.keyName);
    EXPECT_EQ(b.ageSeconds, a.ageSeconds);
    EXPECT_EQ(b.objects, a.objects);
    EXPECT_EQ(b.memoryBytes, a.memoryBytes);
    EXPECT_EQ(b.bytesIn, a.bytesIn);
    EXPECT_EQ(b.bytesOut, a.bytesOut);
    EXPECT_EQ(b.busyQueues, a.busyQueues);
  }
  EXPECT_TRUE(out.draining);
  EXPECT_EQ(out.memoryBytes(), 4096u + (1u << 20));
  EXPECT_EQ(out.busyQueues(), 3u);
}

TEST(Status, RefusesAnAnswerCutShortOrWithExtraValues) {
  Writer shortWriter;
  shortWriter.str("1.2.3");
  shortWriter.u64(7);
  Reader cut(shortWriter.finish());
  EXPECT_THROW(decodeStatus(cut), DecodeError);

  Writer longWriter;
  encodeStatus(longWriter, sample());
  longWriter.u64(1);
  Reader extra(longWriter.finish());
  EXPECT_THROW(decodeStatus(extra), DecodeError);
}

TEST(Status, RefusesASessionRowOfAnotherShape) {
  Writer w;
  ServerStatus s = sample();
  s.sessions.clear();
  s.platforms.clear();
  encodeStatus(w, s);
  Reader ok(w.finish());
  EXPECT_NO_THROW(decodeStatus(ok));

  Writer bad;
  bad.str("v");
  for (int i = 0; i < 1; ++i) bad.u64(1);
  bad.str("name");
  for (int i = 0; i < 5; ++i) bad.u64(1);
  bad.array(0);  // platforms
  bad.array(1);  // one session row of 7 fields (an older server's)
  bad.array(7);
  bad.u64(1);
  bad.str("client");
  for (int i = 0; i < 5; ++i) bad.u64(1);
  bad.boolean(false);
  Reader r(bad.finish());
  EXPECT_THROW(decodeStatus(r), DecodeError);
}

}  // namespace
}  // namespace rcl::protocol
