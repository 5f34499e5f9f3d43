// Without CURVE keys the server listens on loopback only, unless told --insecure; its session
// workers follow the same rule.

#include <gtest/gtest.h>

#include <chrono>

#include "child_process.h"
#include "security_fixture.h"
#include "small_compute.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;

class ListenRuleTest : public SecurityTest {};

// tcp://0.0.0.0:PORT -> tcp://127.0.0.1:PORT
std::string viaLoopback(const std::string& endpoint) {
  return "tcp://127.0.0.1" + endpoint.substr(endpoint.rfind(':'));
}

TEST_F(ListenRuleTest, RefusesEveryInterfaceWithoutKeys) {
  std::string output;
  EXPECT_NE(runServerToEnd({"--listen", "tcp://0.0.0.0:*"}, &output), 0) << output;
  EXPECT_NE(output.find("refusing to listen on tcp://0.0.0.0:*"), std::string::npos) << output;
  EXPECT_NE(output.find("--insecure"), std::string::npos) << output;
  EXPECT_EQ(output.find("listening on"), std::string::npos) << output;
}

TEST_F(ListenRuleTest, RefusesAHostAddressWithoutKeys) {
  std::string output;
  EXPECT_NE(runServerToEnd({"--listen", "tcp://192.0.2.1:5555"}, &output), 0) << output;
  EXPECT_NE(output.find("refusing to listen"), std::string::npos) << output;
}

TEST_F(ListenRuleTest, AWorkerRefusesEveryInterfaceWithoutKeys) {
  std::string output;
  EXPECT_NE(runServerToEnd({"--worker", "1234", "--bind", "tcp://0.0.0.0:*", "--client", "test"}, &output), 0)
      << output;
  EXPECT_NE(output.find("refusing to listen on tcp://0.0.0.0:*"), std::string::npos) << output;
}

TEST_F(ListenRuleTest, ServesEveryInterfaceWhenToldInsecure) {
  auto server = startServer({"--listen", "tcp://0.0.0.0:*", "--insecure"});
  EXPECT_EQ(server->endpoint().rfind("tcp://0.0.0.0:", 0), 0u) << server->endpoint();
  ChildProcess child([&]() -> Outcome {
    useServer(viaLoopback(server->endpoint()));
    return addVectorsOnFirstDevice();
  });
  EXPECT_EQ(child.waitForOutcome(60s), "") << "server log:\n" << readTextFile(server->logPath());
}

TEST_F(ListenRuleTest, ServesEveryInterfaceWithKeys) {
  const std::string serverKeys = makeKeys("server");
  const std::string clientKeys = makeKeys("client");
  auto server = startServer({"--listen", "tcp://0.0.0.0:*", "--curve-secret-key-file", serverKeys + ".key",
                             "--allowed-clients", clientKeys + ".pub"});
  ChildProcess child([&]() -> Outcome {
    useServer(viaLoopback(server->endpoint()), clientKeys, serverKeys + ".pub");
    return addVectorsOnFirstDevice();
  });
  EXPECT_EQ(child.waitForOutcome(60s), "") << "server log:\n" << readTextFile(server->logPath());
}

TEST_F(ListenRuleTest, KeysWithoutAnAllowedListAreRefused) {
  const std::string serverKeys = makeKeys("server");
  std::string output;
  EXPECT_NE(runServerToEnd({"--listen", "tcp://127.0.0.1:*", "--curve-secret-key-file", serverKeys + ".key"}, &output),
            0)
      << output;
  EXPECT_NE(output.find("--allowed-clients"), std::string::npos) << output;
}

}  // namespace
}  // namespace rcl::test
