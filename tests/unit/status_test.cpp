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
  s.sessions.push_back({0x11, "laptop/clinfo/42", "alice", 3, 10, 4096, 100, 200, 1, 0});
  s.sessions.push_back({0x22, "vm/app/7", "", 4, 6, 1 << 20, 300, 400, 2, 0});
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

// The version 2 parts of sample(): workers, two ended sessions, counters.
ServerStatus sampleVersion2() {
  ServerStatus s = sample();
  s.sessions[0].workerPid = 4242;
  EndedSessionStatus silent;
  silent.id = 0x33;
  silent.client = "laptop:99 (app)";
  silent.keyName = "bob";
  silent.workerPid = 77;
  silent.reason = "client silent";
  silent.detail = "client silent for more than 15000 ms";
  silent.secondsAgo = 12;
  silent.durationSeconds = 60;
  silent.bytesIn = 5;
  silent.bytesOut = 6;
  silent.memoryBytesFreed = 1 << 20;
  silent.freed = {{"context", 1}, {"memory object", 3}};
  silent.releasesFailed = 1;
  EndedSessionStatus crashed;
  crashed.id = 0x44;
  crashed.reason = "worker failed";
  crashed.detail = "worker killed by signal Segmentation fault";
  s.recentlyEnded = {silent, crashed};
  s.endedByReason = {{"client silent", 1}, {"worker failed", 1}};
  s.refusedByReason = {{"draining", 2}};
  return s;
}

TEST(Status, Version2CarriesWorkersEndedSessionsAndCounters) {
  const ServerStatus in = sampleVersion2();
  Writer w;
  encodeStatus(w, in, kStatusVersion);
  Reader r(w.finish());
  const ServerStatus out = decodeStatus(r);
  EXPECT_EQ(out.statusVersion, 2u);
  ASSERT_EQ(out.sessions.size(), 2u);
  EXPECT_EQ(out.sessions[0].workerPid, 4242u);
  EXPECT_EQ(out.sessions[1].workerPid, 0u);
  ASSERT_EQ(out.recentlyEnded.size(), 2u);
  const auto& e = out.recentlyEnded[0];
  EXPECT_EQ(e.id, 0x33u);
  EXPECT_EQ(e.client, "laptop:99 (app)");
  EXPECT_EQ(e.keyName, "bob");
  EXPECT_EQ(e.workerPid, 77u);
  EXPECT_EQ(e.reason, "client silent");
  EXPECT_EQ(e.detail, "client silent for more than 15000 ms");
  EXPECT_EQ(e.secondsAgo, 12u);
  EXPECT_EQ(e.durationSeconds, 60u);
  EXPECT_EQ(e.bytesIn, 5u);
  EXPECT_EQ(e.bytesOut, 6u);
  EXPECT_EQ(e.memoryBytesFreed, 1u << 20);
  EXPECT_EQ(e.freed, in.recentlyEnded[0].freed);
  EXPECT_EQ(e.objectsFreed(), 4u);
  EXPECT_EQ(e.releasesFailed, 1u);
  EXPECT_EQ(out.recentlyEnded[1].detail, "worker killed by signal Segmentation fault");
  EXPECT_EQ(countOf(out.endedByReason, "client silent"), 1u);
  EXPECT_EQ(countOf(out.endedByReason, "the client's connection closed"), 0u);
  EXPECT_EQ(countOf(out.refusedByReason, "draining"), 2u);
}

// Compatibility: a version 1 query gets exactly the answer of before (an
// older `remote-cl status` or driver, whose decoder refuses trailing values,
// reads it), and an older server's answer decodes as version 1.
TEST(Status, AVersion1AnswerIsTheAnswerOfBefore) {
  ServerStatus withoutVersion2 = sample();
  Writer before;
  encodeStatus(before, withoutVersion2);
  Writer now;
  encodeStatus(now, sampleVersion2(), 1);
  const auto a = before.finish(), b = now.finish();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i].to_string(), b[i].to_string()) << "frame " << i << " differs from a version 1 answer";
  Writer again;
  encodeStatus(again, sampleVersion2(), 1);
  Reader old(again.finish());
  const ServerStatus out = decodeStatus(old);
  EXPECT_EQ(out.statusVersion, 1u);
  EXPECT_TRUE(out.recentlyEnded.empty());
  EXPECT_TRUE(out.endedByReason.empty());
  EXPECT_EQ(out.sessions[0].workerPid, 0u);
}

// The status messages are extensible (codegen/messages.toml): a newer
// server's values after the version 2 answer are skipped, not refused; a
// value of a wrong type in a known place still is.
TEST(Status, SkipsANewerServersValuesAfterAVersion2Answer) {
  const ServerStatus in = sampleVersion2();
  Writer w;
  encodeStatus(w, in, kStatusVersion);
  w.u64(1);
  w.str("a newer server's field");
  Reader r(w.finish());
  const ServerStatus out = decodeStatus(r);
  EXPECT_EQ(out.serverName, in.serverName) << "the answer with newer values";
  EXPECT_EQ(out.recentlyEnded.size(), in.recentlyEnded.size()) << "the version 2 part before the newer values";
}

}  // namespace
}  // namespace rcl::protocol
