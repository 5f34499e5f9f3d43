// The children of the failure tests report what failed in words: what the
// parent reads back is the child's own sentence, or how it ended.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "child_process.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;

TEST(ChildProcessTest, ASuccessIsAnEmptyOutcome) {
  ChildProcess child([]() -> Outcome { return {}; });
  EXPECT_EQ(child.waitForOutcome(10s), "");
}

TEST(ChildProcessTest, AFailureComesBackInTheChildsWords) {
  ChildProcess child([]() -> Outcome { return "the read brought back other bytes"; });
  EXPECT_EQ(child.waitForOutcome(10s), "the read brought back other bytes");
}

TEST(ChildProcessTest, AChildThatExitsOnItsOwnWithACodeIsNamedAsSuch) {
  ChildProcess exited([]() -> Outcome { std::_Exit(3); });
  EXPECT_EQ(exited.waitForOutcome(10s), "the child exited with code 3 and said nothing (a sanitizer's report?)");
}

TEST(ChildProcessTest, AKilledOrHungChildIsNamedAsSuch) {
  ChildProcess killed([]() -> Outcome {
    ChildProcess::signalParent();
    for (;;) std::this_thread::sleep_for(1s);
  });
  ASSERT_TRUE(killed.waitForSignal(10s));
  killed.kill(SIGKILL);
  EXPECT_EQ(killed.waitForOutcome(10s).rfind("the child was killed by signal 9", 0), 0u);

  ChildProcess hung([]() -> Outcome {
    for (;;) std::this_thread::sleep_for(1s);
  });
  EXPECT_EQ(hung.waitForOutcome(100ms), "the child was still running after 100 ms");
}

}  // namespace
}  // namespace rcl::test
