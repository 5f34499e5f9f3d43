// The server's listening rule, port ranges, and CURVE key files (server/security.h, protocol/curve.h).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "rcl/protocol/allowed_clients.h"
#include "rcl/protocol/curve.h"
#include "rcl/protocol/transport.h"
#include "rcl/server/support/security.h"

namespace rcl::server {
namespace {

TEST(ListenRule, LoopbackEndpoints) {
  for (const char* e : {"tcp://127.0.0.1:5555", "tcp://127.1.2.3:*", "tcp://localhost:5555", "tcp://[::1]:5555",
                        "ipc:///run/remote-cl/socket", "inproc://x"})
    EXPECT_TRUE(isLoopbackEndpoint(e)) << e;
  for (const char* e : {"tcp://0.0.0.0:5555", "tcp://*:5555", "tcp://192.168.1.1:5555", "tcp://[::]:5555",
                        "tcp://127.example.com:5555", "tcp://localhost.example.com:5555", "tcp://eth0:5555",
                        "udp://127.0.0.1:5555"})
    EXPECT_FALSE(isLoopbackEndpoint(e)) << e;
}

TEST(ListenRule, OnlyLoopbackWithoutKeysUnlessInsecure) {
  const Security none;
  EXPECT_NO_THROW(none.checkBindable("tcp://127.0.0.1:*"));
  EXPECT_THROW(none.checkBindable("tcp://0.0.0.0:*"), std::runtime_error);
  SecurityOptions insecure;
  insecure.insecure = true;
  EXPECT_NO_THROW(Security(insecure).checkBindable("tcp://0.0.0.0:*"));
  EXPECT_EQ(Security(insecure).workerArgs(), std::vector<std::string>{"--insecure"});
}

bool portFree(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return free;
}

TEST(ListenRule, APortRangeTakesTheFirstFreePort) {
  // Two free ports in a row.
  int first = 0;
  for (int candidate = 21000; candidate < 22000 && first == 0; candidate += 7)
    if (portFree(candidate) && portFree(candidate + 1)) first = candidate;
  ASSERT_NE(first, 0);
  zmq::context_t context(1);
  const std::string range = "tcp://127.0.0.1:" + std::to_string(first) + "-" + std::to_string(first + 1);
  zmq::socket_t a(context, zmq::socket_type::router), b(context, zmq::socket_type::router),
      c(context, zmq::socket_type::router);
  for (auto* s : {&a, &b, &c}) s->set(zmq::sockopt::linger, 0);
  bindSecurely(a, range, nullptr);
  bindSecurely(b, range, nullptr);
  EXPECT_EQ(a.get(zmq::sockopt::last_endpoint), "tcp://127.0.0.1:" + std::to_string(first));
  EXPECT_EQ(b.get(zmq::sockopt::last_endpoint), "tcp://127.0.0.1:" + std::to_string(first + 1));
  EXPECT_THROW(bindSecurely(c, range, nullptr), std::runtime_error);
  EXPECT_THROW(bindSecurely(c, "tcp://0.0.0.0:*", nullptr), std::runtime_error);
}

TEST(ListenRule, TheIpv6LoopbackIsBindable) {
  // A server given --listen tcp://[::1]:PORT: its socket needs ZMQ_IPV6, and
  // the endpoint it reports (and hands out for sessions) stays IPv6.
  {
    const int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 loopback{};
    loopback.sin6_family = AF_INET6;
    loopback.sin6_addr = in6addr_loopback;
    const bool ipv6 = probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&loopback), sizeof loopback) == 0;
    if (probe >= 0) ::close(probe);
    if (!ipv6) GTEST_SKIP() << "this machine has no IPv6 loopback";
  }
  zmq::context_t context(1);
  zmq::socket_t listening(context, zmq::socket_type::router), client(context, zmq::socket_type::dealer);
  listening.set(zmq::sockopt::linger, 0);
  client.set(zmq::sockopt::linger, 0);
  bindSecurely(listening, "tcp://[::1]:*", nullptr);
  const std::string endpoint = listening.get(zmq::sockopt::last_endpoint);
  EXPECT_EQ(endpoint.rfind("tcp://[::1]:", 0), 0u) << endpoint;
  EXPECT_TRUE(protocol::isIpv6Endpoint(endpoint));
  protocol::allowIpv6For(client, endpoint);
  client.connect(endpoint);
  client.send(zmq::str_buffer("ping"), zmq::send_flags::none);
  zmq::pollitem_t item{listening.handle(), 0, ZMQ_POLLIN, 0};
  ASSERT_EQ(zmq::poll(&item, 1, std::chrono::milliseconds(60000)), 1);  // generous: a loaded machine
  zmq::message_t id, body;
  ASSERT_TRUE(listening.recv(id));
  ASSERT_TRUE(listening.recv(body));
  EXPECT_EQ(body.to_string(), "ping");
}

class KeyFiles : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(dir_);
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() / ("rcl-keys-" + std::to_string(::getpid()));
};

TEST_F(KeyFiles, AKeyListTakesCommentsAndBlankLines) {
  const auto a = protocol::newCurveKeyPair(), b = protocol::newCurveKeyPair();
  const auto list = write("list", "# clients\n\n" + a.publicKey + "\n  " + b.publicKey + "  \n# end\n");
  const auto entries = protocol::readAllowedClients(list);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, a.publicKey);
  EXPECT_EQ(entries[1].key, b.publicKey);
  EXPECT_EQ(entries[0].name, a.publicKey.substr(0, 8));  // the default name
  EXPECT_FALSE(entries[0].sessions || entries[0].memoryBytes || entries[0].objects);
  EXPECT_THROW(protocol::readAllowedClients(write("bad", a.publicKey + "\nnot a key\n")), std::runtime_error);
  EXPECT_THROW(protocol::readAllowedClients((dir_ / "missing").string()), std::runtime_error);
}

TEST_F(KeyFiles, AnAllowedClientHasANameAndLimits) {
  const auto a = protocol::newCurveKeyPair(), b = protocol::newCurveKeyPair();
  const auto entries = protocol::readAllowedClients(
      write("list", a.publicKey + " alice sessions=2 memory=512M objects=100 # the team\n" + b.publicKey +
                        " memory=3G\n"));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "alice");
  EXPECT_EQ(entries[0].sessions, 2u);
  EXPECT_EQ(entries[0].memoryBytes, std::uint64_t{512} << 20);
  EXPECT_EQ(entries[0].objects, 100u);
  EXPECT_EQ(entries[1].name, b.publicKey.substr(0, 8));
  EXPECT_EQ(entries[1].memoryBytes, std::uint64_t{3} << 30);
  EXPECT_FALSE(entries[1].sessions.has_value());
  EXPECT_EQ(protocol::parseSize("4096"), 4096u);
  EXPECT_EQ(protocol::parseSize("1T"), std::uint64_t{1} << 40);
  EXPECT_FALSE(protocol::parseSize("12X").has_value());
  EXPECT_FALSE(protocol::parseSize("M").has_value());
}

TEST_F(KeyFiles, AMalformedAllowedClientNamesItsFileAndLine) {
  const auto a = protocol::newCurveKeyPair(), b = protocol::newCurveKeyPair();
  const auto expectError = [&](const std::string& text, const std::string& wanted) {
    const auto file = write("list", text);
    try {
      protocol::readAllowedClients(file);
      ADD_FAILURE() << "no error for " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(file + ":" + wanted), std::string::npos) << e.what();
    }
  };
  expectError("# x\n" + a.publicKey + " alice sessions=two\n", "2: bad value for sessions");
  expectError(a.publicKey + " alice colour=red\n", "1: unknown field colour");
  expectError(a.publicKey + " alice memory=5Q\n", "1: bad value for memory");
  expectError(a.publicKey + " alice\n" + b.publicKey + " alice\n", "2: the name alice");
  expectError(a.publicKey + "\n\n" + a.publicKey + " other\n", "3: this key is listed already");
  expectError(a.publicKey + " alice bob\n", "1: two names");
}

TEST_F(KeyFiles, ASecretKeyFileGivesItsPublicKey) {
  const auto pair = protocol::newCurveKeyPair();
  const auto file = write("secret", "# secret\n" + pair.secretKey + "\n");
  EXPECT_EQ(protocol::curvePublicKeyOf(protocol::readCurveKeyFile(file)), pair.publicKey);
  EXPECT_THROW(protocol::readCurveKeyFile(write("empty", "# nothing\n")), std::runtime_error);
}

TEST_F(KeyFiles, ClientKeysComeInPairs) {
  const auto server = protocol::newCurveKeyPair(), client = protocol::newCurveKeyPair();
  const auto secretFile = write("client.key", client.secretKey + "\n");
  const auto lookup = [&](std::map<std::string, std::string> values) {
    return [values](const char* variable, const char*) {
      const auto it = values.find(variable);
      return it == values.end() ? std::string() : it->second;
    };
  };
  EXPECT_FALSE(protocol::loadCurveClientKeys(lookup({})).enabled());
  const auto keys = protocol::loadCurveClientKeys(
      lookup({{"REMOTE_CL_CURVE_SERVER_KEY", server.publicKey}, {"REMOTE_CL_CURVE_SECRET_KEY_FILE", secretFile}}));
  EXPECT_TRUE(keys.enabled());
  EXPECT_EQ(keys.publicKey, client.publicKey);
  EXPECT_THROW(protocol::loadCurveClientKeys(lookup({{"REMOTE_CL_CURVE_SERVER_KEY", server.publicKey}})),
               std::runtime_error);
  EXPECT_THROW(protocol::loadCurveClientKeys(lookup({{"REMOTE_CL_CURVE_SECRET_KEY_FILE", secretFile}})),
               std::runtime_error);
  EXPECT_THROW(protocol::loadCurveClientKeys(
                   lookup({{"REMOTE_CL_CURVE_SERVER_KEY", "short"}, {"REMOTE_CL_CURVE_SECRET_KEY_FILE", secretFile}})),
               std::runtime_error);
}

}  // namespace
}  // namespace rcl::server
