#pragma once
// The fixture of the tests that speak the protocol by hand (raw_client.h): a
// loopback server of the test's own, started from RCL_SERVER_BIN (the test is
// skipped without it) and logging into the test's temporary directory, and
// the ZeroMQ context the test's RawClients share.

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "server_process.h"
#include "temp_directory.h"

namespace rcl::test {

class RawServerTest : public ::testing::Test {
 protected:
  // `prefix`: the name of the test's temporary directory.
  explicit RawServerTest(const std::string& prefix) : temp_(prefix) {}

  void SetUp() override {
    if (std::getenv("RCL_SERVER_BIN") == nullptr) GTEST_SKIP() << "RCL_SERVER_BIN is not set";
    startServer("server.log");
  }

  // (Re)starts the server with `args`, logging into `log` in the temporary directory.
  void startServer(const std::string& log, std::vector<std::string> args = {}) {
    server_ = std::make_unique<ServerProcess>(
        ServerLaunch::loopback(std::getenv("RCL_SERVER_BIN"), temp_.path() + "/" + log, std::move(args)));
  }

  TempDirectory temp_;
  std::unique_ptr<ServerProcess> server_;
  zmq::context_t zmq_{1};
};

}  // namespace rcl::test
