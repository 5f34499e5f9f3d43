#include "test_environment.h"

#include <stdexcept>

#include "server_environment.h"
#include "text_file.h"

namespace rcl::test {

namespace {

ServerEnvironment& environment() {
  ServerEnvironment* current = ServerEnvironment::current();
  if (current == nullptr) throw std::logic_error("rcl::test environment used outside the rcl_test_support main()");
  return *current;
}

const ServerProcess* mainServer() { return environment().mainServer(); }

}  // namespace

bool isRemote() { return environment().mode() == TestMode::Remote; }

const std::string& serverEndpoint() {
  static const std::string none;
  const ServerProcess* server = mainServer();
  return server != nullptr ? server->endpoint() : none;
}

pid_t serverPid() {
  const ServerProcess* server = mainServer();
  return server != nullptr ? server->pid() : -1;
}

std::string serverLogPath() {
  const ServerProcess* server = mainServer();
  return server != nullptr ? server->logPath() : std::string();
}

std::string readServerLog() {
  const std::string path = serverLogPath();
  return path.empty() ? std::string() : readTextFile(path);
}

pid_t spawnServer(const std::vector<std::string>& extraArgs, std::string* endpoint) {
  return environment().spawnExtraServer(extraArgs, endpoint);
}

std::string stopServer(pid_t pid) { return environment().stopExtraServer(pid); }

}  // namespace rcl::test
