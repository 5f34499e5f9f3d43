// The trace file (icd/src/support/trace.cpp) is valid Chrome trace-event JSON, one
// event a line, whatever the names hold: quotes, backslashes, control
// characters and bytes that are not UTF-8 come out escaped (or as U+FFFD),
// never as broken JSON.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "rcl/icd/support/trace.h"

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(TraceJson, NamesWithQuotesAndControlCharactersComeOutAsValidJson) {
  const std::string path = ::testing::TempDir() + "rcl_trace_" + std::to_string(getpid()) + ".json";
  const std::string weird = "kernel \"quoted\" back\\slash\nnew line\ttab\x01\x1f end";
  {
    rcl::icd::Tracer tracer(path);
    const auto now = rcl::icd::Tracer::Clock::now();
    tracer.record("clEnqueue\"Odd\"\\Call", now, now + std::chrono::microseconds(5), 10, 20, true, CL_SUCCESS);
    tracer.recordCommand(weird, 7, now + std::chrono::microseconds(9), std::chrono::microseconds(3), CL_COMPLETE);
    tracer.recordCommand("not UTF-8 \xff\xfe", 7, now + std::chrono::microseconds(12), std::chrono::microseconds(1),
                         CL_COMPLETE);
    tracer.finish();
  }
  const std::string text = readFile(path);
  std::remove(path.c_str());
  nlohmann::json trace;
  ASSERT_NO_THROW(trace = nlohmann::json::parse(text)) << text;
  const auto& events = trace.at("traceEvents");
  ASSERT_EQ(events.size(), 4u) << text;  // the call, the queue's row, two commands

  EXPECT_EQ(events[0].at("name"), "clEnqueue\"Odd\"\\Call");
  EXPECT_EQ(events[0].at("ph"), "X");
  EXPECT_EQ(events[0].at("args").at("bytes_sent"), 10);
  EXPECT_EQ(events[0].at("args").at("round_trip"), true);

  EXPECT_EQ(events[1].at("ph"), "M");
  EXPECT_EQ(events[1].at("args").at("name"), "queue 7 (device)");

  EXPECT_EQ(events[2].at("name"), weird);
  EXPECT_EQ(events[2].at("cat"), "kernel");
  EXPECT_EQ(events[2].at("tid"), events[1].at("tid"));
  EXPECT_NEAR(events[2].at("dur").get<double>(), 3.0, 1e-9);

  EXPECT_EQ(events[3].at("name"), "not UTF-8 \xef\xbf\xbd\xef\xbf\xbd");  // U+FFFD twice
  EXPECT_EQ(events[3].at("cat"), "command");

  // One event a line: a newline inside a name is escaped, not written.
  std::size_t lines = 0;
  for (char ch : text) lines += ch == '\n';
  EXPECT_EQ(lines, 1 + 4 + 1);
}

}  // namespace
