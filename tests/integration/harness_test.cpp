// The remote-mode harness itself: the main server is alive, extra servers can be spawned and killed.
// Skipped in native mode.

#include <signal.h>

#include <cstdlib>

#include <stdexcept>
#include <string>

#include "rcl_test.h"

namespace rcl::test {
namespace {

class HarnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!isRemote()) GTEST_SKIP() << "only meaningful with RCL_TEST_MODE=remote";
  }
};

TEST_F(HarnessTest, MainServerIsRunningAndAdvertised) {
  EXPECT_EQ(serverEndpoint().rfind("tcp://127.0.0.1:", 0), 0u) << serverEndpoint();
  ASSERT_GT(serverPid(), 0);
  EXPECT_EQ(::kill(serverPid(), 0), 0) << "server process not alive";
  EXPECT_FALSE(serverLogPath().empty());
  const char* servers = std::getenv("REMOTE_CL_SERVERS");
  ASSERT_NE(servers, nullptr);
  EXPECT_EQ(std::string(servers), serverEndpoint());
}

TEST_F(HarnessTest, ExtraServerCanBeSpawnedKilledAndReaped) {
  std::string endpoint;
  const pid_t pid = spawnServer({}, &endpoint);
  ASSERT_GT(pid, 0);
  EXPECT_NE(pid, serverPid());
  EXPECT_NE(endpoint, serverEndpoint());
  EXPECT_EQ(endpoint.rfind("tcp://127.0.0.1:", 0), 0u) << endpoint;
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  EXPECT_EQ(stopServer(pid), "killed by signal 9 (Killed)");
  EXPECT_THROW(stopServer(pid), std::runtime_error);
}

TEST_F(HarnessTest, ExtraServerStopsOnSigterm) {
  const pid_t pid = spawnServer();
  ASSERT_GT(pid, 0);
  const std::string ending = stopServer(pid);
  EXPECT_TRUE(ending == "exited with code 0" || ending == "killed by signal 15 (Terminated)") << ending;
}

}  // namespace
}  // namespace rcl::test
