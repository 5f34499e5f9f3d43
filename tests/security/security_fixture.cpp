#include "security_fixture.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "text_file.h"

namespace rcl::test {

void SecurityTest::SetUp() {
  const char* server = std::getenv("RCL_SERVER_BIN");
  const char* vendors = std::getenv("RCL_VENDORS_DIR");
  const char* keygen = std::getenv("RCL_KEYGEN_BIN");
  if (server == nullptr || vendors == nullptr || keygen == nullptr)
    GTEST_SKIP() << "RCL_SERVER_BIN, RCL_VENDORS_DIR or RCL_KEYGEN_BIN is not set";
  serverBinary_ = server;
  vendors_ = vendors;
  keygen_ = keygen;
}

std::string SecurityTest::makeKeys(const std::string& name) {
  const std::string prefix = temp_.file(name);
  const std::string command = keygen_ + " -o " + prefix + " > /dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("remote-cl-keygen failed: " + command);
  return prefix;
}

std::unique_ptr<ServerProcess> SecurityTest::startServer(const std::vector<std::string>& args) {
  ServerLaunch launch;
  launch.binary = serverBinary_;
  launch.args = args;
  launch.unsetVariables = {"OCL_ICD_VENDORS", "REMOTE_CL_SERVERS"};
  launch.logPath = temp_.file("server-" + std::to_string(++serversStarted_) + ".log");
  return std::make_unique<ServerProcess>(launch);
}

int SecurityTest::runServerToEnd(const std::vector<std::string>& args, std::string* output) {
  const std::string path = temp_.file("run-" + std::to_string(++serversStarted_) + ".log");
  std::string command = "env -u OCL_ICD_VENDORS -u REMOTE_CL_SERVERS timeout 30 " + serverBinary_;
  for (const auto& arg : args) command += " '" + arg + "'";
  command += " > " + path + " 2>&1";
  const int status = std::system(command.c_str());
  if (output != nullptr) *output = readTextFile(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void SecurityTest::useServer(const std::string& endpoint, const std::string& keys,
                             const std::string& serverPublicFile, bool inConfigFile) const {
  for (const char* name : {"REMOTE_CL_CURVE_SERVER_KEY", "REMOTE_CL_CURVE_SERVER_KEY_FILE",
                           "REMOTE_CL_CURVE_SECRET_KEY", "REMOTE_CL_CURVE_SECRET_KEY_FILE"})
    unsetenv(name);
  // A config file of the test's own, so that no file of the host's is read.
  const std::string config = temp_.file("client-" + std::to_string(::getpid()) + ".conf");
  std::ofstream file(config);
  setenv("REMOTE_CL_CONFIG", config.c_str(), 1);
  setenv("OCL_ICD_VENDORS", vendors_.c_str(), 1);
  setenv("REMOTE_CL_SERVERS", endpoint.c_str(), 1);
  if (keys.empty()) return;
  if (inConfigFile) {
    file << "# CURVE keys of this test's client\n"
         << "curve_secret_key_file = " << keys << ".key\n"
         << "curve_server_key_file = " << serverPublicFile << "\n";
    return;
  }
  setenv("REMOTE_CL_CURVE_SECRET_KEY_FILE", (keys + ".key").c_str(), 1);
  setenv("REMOTE_CL_CURVE_SERVER_KEY_FILE", serverPublicFile.c_str(), 1);
}

void redirectStderr(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
}

}  // namespace rcl::test
