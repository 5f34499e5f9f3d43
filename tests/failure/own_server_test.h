#pragma once
// The fixtures of the tests that start servers of their own: the server from
// RCL_SERVER_BIN (the test is skipped without it; also without
// RCL_VENDORS_DIR if it runs remote-cl's ICD), its logs in the test's
// temporary directory. RawServerTest, for the tests that speak the protocol
// by hand (raw_client.h), starts the usual server at once and holds the
// ZeroMQ context the test's RawClients share.

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "server_process.h"
#include "temp_directory.h"

namespace rcl::test {

class OwnServerTest : public ::testing::Test {
 protected:
  // `prefix`: the name of the temporary directory; `icd`: the test runs remote-cl's ICD (vendors_).
  OwnServerTest(const std::string& prefix, bool icd) : temp_(prefix), icd_(icd) {}

  void SetUp() override {
    const char* server = std::getenv("RCL_SERVER_BIN");
    const char* vendors = std::getenv("RCL_VENDORS_DIR");
    if (server == nullptr || (icd_ && vendors == nullptr))
      GTEST_SKIP() << (icd_ ? "RCL_SERVER_BIN or RCL_VENDORS_DIR is not set" : "RCL_SERVER_BIN is not set");
    binary_ = server;
    if (vendors != nullptr) vendors_ = vendors;
  }

  // (Re)starts the usual loopback server with `args`, logging into `log` in the temporary directory.
  void startServer(std::vector<std::string> args = {}, const std::string& log = "server.log") {
    server_ = std::make_unique<ServerProcess>(ServerLaunch::loopback(binary_, temp_.file(log), std::move(args)));
  }

  TempDirectory temp_;
  std::string binary_, vendors_;
  std::unique_ptr<ServerProcess> server_;

 private:
  bool icd_;
};

class RawServerTest : public OwnServerTest {
 protected:
  explicit RawServerTest(const std::string& prefix) : OwnServerTest(prefix, false) {}

  void SetUp() override {
    OwnServerTest::SetUp();
    if (!IsSkipped()) startServer();
  }

  zmq::context_t zmq_{1};
};

}  // namespace rcl::test
