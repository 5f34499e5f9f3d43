#pragma once
// What the security tests share: keys made with remote-cl-keygen, servers started with
// options of the test's choosing, and clients (forked children, since the ICD loader reads its
// configuration once per process) pointed at them with or without keys.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server_process.h"
#include "temp_directory.h"

namespace rcl::test {

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // NAME.key and NAME.pub in the test's folder (remote-cl-keygen -o); returns the folder/NAME.
  std::string makeKeys(const std::string& name);
  // A server with `args` (its log in the test's folder); throws if it does not get ready.
  std::unique_ptr<ServerProcess> startServer(const std::vector<std::string>& args);
  // Runs the server binary with `args` to its end (at most 30 s); its exit code, output in *output.
  int runServerToEnd(const std::vector<std::string>& args, std::string* output);

  // In a child: use only remote-cl, on `endpoint`; with CURVE if `keys` (folder/NAME of this
  // client's key pair) is not empty, trusting the server key in `serverPublicFile`. The keys
  // are set in the environment, or with `inConfigFile` in the config file (REMOTE_CL_CONFIG).
  void useServer(const std::string& endpoint, const std::string& keys = "", const std::string& serverPublicFile = "",
                 bool inConfigFile = false) const;

  TempDirectory temp_{"rcl-security"};
  std::string serverBinary_;
  std::string vendors_;
  std::string keygen_;
  int serversStarted_ = 0;
};

// In a child: from now on its stderr (the driver's log) goes to `path`.
void redirectStderr(const std::string& path);

}  // namespace rcl::test
