// CURVE: a server with keys lets in the clients it lists, and only them; a refused client sees
// no platform, soon, and says why.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <CL/cl.h>
#include <CL/cl_ext.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "child_process.h"
#include "security_fixture.h"
#include "small_compute.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class CurveTest : public SecurityTest {
 protected:
  void SetUp() override {
    SecurityTest::SetUp();
    if (IsSkipped()) return;
    serverKeys_ = makeKeys("server");
    allowedKeys_ = makeKeys("allowed");
    otherKeys_ = makeKeys("other");
    // The allowed list: comments, blank lines, and the allowed client's public key file as it is.
    std::ofstream list(temp_.file("allowed-clients"));
    list << "# clients of this test\n\n" << readTextFile(allowedKeys_ + ".pub");
    list.close();
    server_ = startServer({"--listen", "tcp://127.0.0.1:*", "--curve-secret-key-file", serverKeys_ + ".key",
                           "--allowed-clients", temp_.file("allowed-clients")});
  }

  // In a child: how many platforms the driver finds, and how long that took.
  static int platformsWithin(std::chrono::milliseconds limit) {
    const auto start = Clock::now();
    cl_uint count = 99;
    const cl_int status = clGetPlatformIDs(0, nullptr, &count);
    if (Clock::now() - start > limit) return 40;
    if (count != 0 || status != CL_PLATFORM_NOT_FOUND_KHR) return 41;
    return 0;
  }

  std::string serverKeys_, allowedKeys_, otherKeys_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(CurveTest, KeygenWritesASecretOnlyItsOwnerCanRead) {
  struct stat secret {}, open {};
  ASSERT_EQ(::stat((serverKeys_ + ".key").c_str(), &secret), 0);
  ASSERT_EQ(::stat((serverKeys_ + ".pub").c_str(), &open), 0);
  EXPECT_EQ(secret.st_mode & 0777, 0600u);
  EXPECT_EQ(open.st_mode & 0777, 0644u);
  const std::regex key(R"((^|\n)[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}\n)");
  EXPECT_TRUE(std::regex_search(readTextFile(serverKeys_ + ".key"), key));
  EXPECT_NE(readTextFile(serverKeys_ + ".key"), readTextFile(serverKeys_ + ".pub"));
  // It does not overwrite a key by accident.
  EXPECT_NE(std::system((keygen_ + " -o " + serverKeys_ + " 2> /dev/null > /dev/null").c_str()), 0);
}

TEST_F(CurveTest, AnAllowedClientComputesCorrectly) {
  ChildProcess child([&] {
    useServer(server_->endpoint(), allowedKeys_, serverKeys_ + ".pub");
    cl_device_id device = firstDevice();
    return device == nullptr ? 10 : addVectors(device);
  });
  EXPECT_EQ(child.waitForExit(60s), 0) << "10: no device, 100-108: the computation (small_compute.h)";
}

TEST_F(CurveTest, KeysCanComeFromTheConfigFile) {
  ChildProcess child([&] {
    useServer(server_->endpoint(), allowedKeys_, serverKeys_ + ".pub", /*inConfigFile=*/true);
    cl_device_id device = firstDevice();
    return device == nullptr ? 10 : addVectors(device);
  });
  EXPECT_EQ(child.waitForExit(60s), 0) << "10: no device, 100-108: the computation (small_compute.h)";
}

TEST_F(CurveTest, AClientWithAnUnlistedKeyIsRefusedWithinFiveSeconds) {
  const std::string log = temp_.file("refused-client.log");
  ChildProcess child([&] {
    redirectStderr(log);
    useServer(server_->endpoint(), otherKeys_, serverKeys_ + ".pub");
    return platformsWithin(5s);
  });
  EXPECT_EQ(child.waitForExit(20s), 0) << "40: took over 5 s, 41: platforms found";
  EXPECT_NE(readTextFile(log).find("refused this client's CURVE key"), std::string::npos) << readTextFile(log);
  EXPECT_NE(readTextFile(server_->logPath()).find("refused a client"), std::string::npos)
      << readTextFile(server_->logPath());
}

TEST_F(CurveTest, AClientWithoutKeysIsRefusedWithinFiveSeconds) {
  const std::string log = temp_.file("keyless-client.log");
  ChildProcess child([&] {
    redirectStderr(log);
    useServer(server_->endpoint());
    return platformsWithin(5s);
  });
  EXPECT_EQ(child.waitForExit(20s), 0) << "40: took over 5 s, 41: platforms found";
  EXPECT_NE(readTextFile(log).find("does the server want CURVE keys"), std::string::npos) << readTextFile(log);
}

TEST_F(CurveTest, AClientThatTrustsAnotherServerKeyIsRefused) {
  const std::string log = temp_.file("wrong-server-key.log");
  ChildProcess child([&] {
    redirectStderr(log);
    useServer(server_->endpoint(), allowedKeys_, otherKeys_ + ".pub");
    return platformsWithin(5s);
  });
  EXPECT_EQ(child.waitForExit(20s), 0) << "40: took over 5 s, 41: platforms found";
  EXPECT_NE(readTextFile(log).find("REMOTE_CL_CURVE_SERVER_KEY"), std::string::npos) << readTextFile(log);
}

TEST_F(CurveTest, HalfAConfigurationUsesNoServer) {
  const std::string log = temp_.file("half-client.log");
  ChildProcess child([&] {
    redirectStderr(log);
    useServer(server_->endpoint(), allowedKeys_, serverKeys_ + ".pub");
    unsetenv("REMOTE_CL_CURVE_SECRET_KEY_FILE");  // never plain text instead
    return platformsWithin(5s);
  });
  EXPECT_EQ(child.waitForExit(20s), 0) << "40: took over 5 s, 41: platforms found";
  EXPECT_NE(readTextFile(log).find("bad CURVE settings"), std::string::npos) << readTextFile(log);
}

}  // namespace
}  // namespace rcl::test
