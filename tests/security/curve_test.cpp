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
#include "cl_error_names.h"
#include "security_fixture.h"
#include "server_status.h"
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

  // In a child: that the driver finds no platform (the server refused it), within `limit`.
  static Outcome noPlatformWithin(std::chrono::milliseconds limit) {
    const auto start = Clock::now();
    cl_uint count = 99;
    const cl_int status = clGetPlatformIDs(0, nullptr, &count);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (took > limit) return "clGetPlatformIDs took " + std::to_string(took.count()) + " ms, over the limit";
    if (count != 0 || status != CL_PLATFORM_NOT_FOUND_KHR)
      return "the refused client found " + std::to_string(count) + " platform(s) (" + clErrorName(status) + ")";
    return {};
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
  ChildProcess child([&]() -> Outcome {
    useServer(server_->endpoint(), allowedKeys_, serverKeys_ + ".pub");
    return addVectorsOnFirstDevice();
  });
  EXPECT_EQ(child.waitForOutcome(60s), "");
}

TEST_F(CurveTest, KeysCanComeFromTheConfigFile) {
  ChildProcess child([&]() -> Outcome {
    useServer(server_->endpoint(), allowedKeys_, serverKeys_ + ".pub", /*inConfigFile=*/true);
    return addVectorsOnFirstDevice();
  });
  EXPECT_EQ(child.waitForOutcome(60s), "");
}

TEST_F(CurveTest, AClientWithAnUnlistedKeyIsRefusedWithinFiveSeconds) {
  const std::string log = temp_.file("refused-client.log");
  ChildProcess child([&]() -> Outcome {
    redirectStderr(log);
    useServer(server_->endpoint(), otherKeys_, serverKeys_ + ".pub");
    return noPlatformWithin(5s);
  });
  EXPECT_EQ(child.waitForOutcome(20s), "");
  EXPECT_NE(readTextFile(log).find("refused this client's CURVE key"), std::string::npos) << readTextFile(log);
  // The server counts the refusal in its status (asked with the allowed client's keys: it answers no other).
  const auto keys = curveKeys(serverKeys_ + ".pub", allowedKeys_ + ".key");
  const auto refused = waitForStatus(
      server_->endpoint(),
      [](const ServerStatus& s) { return protocol::countOf(s.refusedByReason, "CURVE key not allowed") != 0; }, 30s,
      &keys);
  EXPECT_TRUE(refused) << "the server's status counts no refused CURVE key; status: " << refused.last;
}

TEST_F(CurveTest, AClientWithoutKeysIsRefusedWithinFiveSeconds) {
  const std::string log = temp_.file("keyless-client.log");
  ChildProcess child([&]() -> Outcome {
    redirectStderr(log);
    useServer(server_->endpoint());
    return noPlatformWithin(5s);
  });
  EXPECT_EQ(child.waitForOutcome(20s), "");
  EXPECT_NE(readTextFile(log).find("does the server want CURVE keys"), std::string::npos) << readTextFile(log);
}

TEST_F(CurveTest, AClientThatTrustsAnotherServerKeyIsRefused) {
  const std::string log = temp_.file("wrong-server-key.log");
  ChildProcess child([&]() -> Outcome {
    redirectStderr(log);
    useServer(server_->endpoint(), allowedKeys_, otherKeys_ + ".pub");
    return noPlatformWithin(5s);
  });
  EXPECT_EQ(child.waitForOutcome(20s), "");
  EXPECT_NE(readTextFile(log).find("REMOTE_CL_CURVE_SERVER_KEY"), std::string::npos) << readTextFile(log);
}

TEST_F(CurveTest, HalfAConfigurationUsesNoServer) {
  const std::string log = temp_.file("half-client.log");
  ChildProcess child([&]() -> Outcome {
    redirectStderr(log);
    useServer(server_->endpoint(), allowedKeys_, serverKeys_ + ".pub");
    unsetenv("REMOTE_CL_CURVE_SECRET_KEY_FILE");  // never plain text instead
    return noPlatformWithin(5s);
  });
  EXPECT_EQ(child.waitForOutcome(20s), "");
  EXPECT_NE(readTextFile(log).find("bad CURVE settings"), std::string::npos) << readTextFile(log);
}

}  // namespace
}  // namespace rcl::test
