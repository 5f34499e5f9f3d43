#include "server_environment.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include "text_file.h"

namespace rcl::test {

namespace {

constexpr const char* kModeVariable = "RCL_TEST_MODE";
constexpr const char* kServerBinaryVariable = "RCL_SERVER_BIN";
constexpr const char* kServerLogVariable = "RCL_SERVER_LOG";
constexpr const char* kVendorsDirVariable = "RCL_VENDORS_DIR";
constexpr const char* kIcdVendorsVariable = "OCL_ICD_VENDORS";
constexpr const char* kServersVariable = "REMOTE_CL_SERVERS";
constexpr const char* kListenAnyPort = "tcp://127.0.0.1:*";
constexpr const char* kIcdFileName = "remote-cl.icd";
constexpr std::size_t kLogTailOnFailure = 8192;

ServerEnvironment* g_current = nullptr;

std::string variableOrEmpty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string requiredVariable(const char* name) {
  std::string value = variableOrEmpty(name);
  if (value.empty()) throw std::runtime_error(std::string(name) + " must be set when RCL_TEST_MODE=remote");
  return value;
}

bool isRegularFile(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

void setVariable(const char* name, const std::string& value) {
  if (::setenv(name, value.c_str(), 1) != 0) throw std::runtime_error(std::string("setenv ") + name + " failed");
}

}  // namespace

TestMode testModeFromEnvironment() {
  const std::string mode = variableOrEmpty(kModeVariable);
  if (mode.empty() || mode == "native") return TestMode::Native;
  if (mode == "remote") return TestMode::Remote;
  throw std::runtime_error(std::string(kModeVariable) + "='" + mode + "' is not 'native' or 'remote'");
}

ServerEnvironment::ServerEnvironment(TestMode mode) : mode_(mode) { g_current = this; }

ServerEnvironment::~ServerEnvironment() {
  // TearDown normally did this already; this covers runs that never reached it.
  extraServers_.clear();
  mainServer_.reset();
  if (g_current == this) g_current = nullptr;
}

ServerEnvironment* ServerEnvironment::current() { return g_current; }

void ServerEnvironment::SetUp() {
  if (mode_ != TestMode::Remote) return;
  try {
    startMainServer();
  } catch (const std::exception& error) {
    if (scratch_) scratch_->keep();
    FAIL() << "remote test mode: " << error.what();
  }
}

void ServerEnvironment::startMainServer() {
  const std::string vendorsDir = requiredVariable(kVendorsDirVariable);
  if (!isRegularFile(vendorsDir + "/" + kIcdFileName)) {
    throw std::runtime_error(std::string(kVendorsDirVariable) + "='" + vendorsDir + "' has no " + kIcdFileName);
  }
  std::string logPath = variableOrEmpty(kServerLogVariable);
  if (logPath.empty()) logPath = scratchDirectory().file("server.log");

  // The server is spawned before OCL_ICD_VENDORS is changed here, and without it anyway, so it
  // loads the native platform; the ICD loader in this process initialises on the first cl* call.
  mainServer_ = std::make_unique<ServerProcess>(launchFor({}, logPath));
  setVariable(kIcdVendorsVariable, vendorsDir);
  setVariable(kServersVariable, mainServer_->endpoint());
  std::cerr << "[rcl-test] remote mode: server pid " << mainServer_->pid() << " at " << mainServer_->endpoint()
            << ", log " << mainServer_->logPath() << std::endl;
}

void ServerEnvironment::TearDown() {
  {
    std::lock_guard<std::mutex> lock(extraServersMutex_);
    extraServers_.clear();
  }
  if (mainServer_) {
    const pid_t pid = mainServer_->pid();
    const bool diedEarly = mainServer_->hasExited();
    const std::string ending = mainServer_->stop();
    if (diedEarly) ADD_FAILURE() << "remote-cl-server (pid " << pid << ") died during the tests: " << ending;
  }
  if (!::testing::UnitTest::GetInstance()->Passed()) {
    if (scratch_) scratch_->keep();
    reportServerLogs();
  }
}

void ServerEnvironment::reportServerLogs() const {
  if (!mainServer_) return;
  std::cerr << "[rcl-test] server log " << mainServer_->logPath() << " (last " << kLogTailOnFailure << " bytes):\n"
            << lastBytes(readTextFile(mainServer_->logPath()), kLogTailOnFailure) << std::endl;
  if (scratch_) std::cerr << "[rcl-test] kept " << scratch_->path() << std::endl;
}

pid_t ServerEnvironment::spawnExtraServer(const std::vector<std::string>& extraArgs, std::string* endpoint) {
  std::string logPath;
  {
    std::lock_guard<std::mutex> lock(extraServersMutex_);
    logPath = scratchDirectory().file("server-extra-" + std::to_string(++extraServersSpawned_) + ".log");
  }
  auto server = std::make_unique<ServerProcess>(launchFor(extraArgs, logPath));
  const pid_t pid = server->pid();
  if (endpoint != nullptr) *endpoint = server->endpoint();
  std::lock_guard<std::mutex> lock(extraServersMutex_);
  extraServers_.push_back(std::move(server));
  return pid;
}

std::string ServerEnvironment::stopExtraServer(pid_t pid) {
  std::unique_ptr<ServerProcess> server;
  {
    std::lock_guard<std::mutex> lock(extraServersMutex_);
    const auto found = std::find_if(extraServers_.begin(), extraServers_.end(),
                                    [pid](const std::unique_ptr<ServerProcess>& s) { return s->pid() == pid; });
    if (found == extraServers_.end()) {
      throw std::runtime_error("stopServer: pid " + std::to_string(pid) + " was not started by spawnServer");
    }
    server = std::move(*found);
    extraServers_.erase(found);
  }
  return server->stop();
}

ServerLaunch ServerEnvironment::launchFor(const std::vector<std::string>& extraArgs, const std::string& logPath) const {
  ServerLaunch launch;
  launch.binary = variableOrEmpty(kServerBinaryVariable);
  if (launch.binary.empty()) throw std::runtime_error(std::string(kServerBinaryVariable) + " is not set");
  launch.args = {"--listen", kListenAnyPort};
  launch.args.insert(launch.args.end(), extraArgs.begin(), extraArgs.end());
  // OCL_ICD_VENDORS would point the server at remote-cl itself; it must see the native platform.
  launch.unsetVariables = {kIcdVendorsVariable, kServersVariable};
  launch.logPath = logPath;
  return launch;
}

const TempDirectory& ServerEnvironment::scratchDirectory() {
  if (!scratch_) scratch_ = std::make_unique<TempDirectory>("rcl-test-");
  return *scratch_;
}

}  // namespace rcl::test
