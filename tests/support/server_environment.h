#pragma once
// The gtest global environment: in remote mode it starts the remote-cl-server before the first test,
// points the ICD loader at the remote-cl driver, and stops every server it started at the end.
// It is the harness's only piece of global state (see current()).

#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server_process.h"
#include "temp_directory.h"

namespace rcl::test {

enum class TestMode { Native, Remote };

// From RCL_TEST_MODE: unset/"" /"native" -> Native, "remote" -> Remote; anything else throws.
TestMode testModeFromEnvironment();

class ServerEnvironment : public ::testing::Environment {
 public:
  explicit ServerEnvironment(TestMode mode);
  ~ServerEnvironment() override;

  ServerEnvironment(const ServerEnvironment&) = delete;
  ServerEnvironment& operator=(const ServerEnvironment&) = delete;

  // The registered instance, or nullptr before main() created it.
  static ServerEnvironment* current();

  void SetUp() override;
  void TearDown() override;

  TestMode mode() const { return mode_; }
  // The server started in SetUp (remote mode), else nullptr.
  const ServerProcess* mainServer() const { return mainServer_.get(); }

  // Another server from $RCL_SERVER_BIN, listening on a fresh wildcard port. Throws on failure.
  pid_t spawnExtraServer(const std::vector<std::string>& extraArgs, std::string* endpoint);
  // Stops and reaps a server from spawnExtraServer. Returns how it ended; throws if pid is unknown.
  std::string stopExtraServer(pid_t pid);

 private:
  ServerLaunch launchFor(const std::vector<std::string>& extraArgs, const std::string& logPath) const;
  const TempDirectory& scratchDirectory();
  void startMainServer();
  void reportServerLogs() const;

  TestMode mode_;
  std::unique_ptr<TempDirectory> scratch_;
  std::unique_ptr<ServerProcess> mainServer_;
  std::mutex extraServersMutex_;
  std::vector<std::unique_ptr<ServerProcess>> extraServers_;
  int extraServersSpawned_ = 0;
};

}  // namespace rcl::test
