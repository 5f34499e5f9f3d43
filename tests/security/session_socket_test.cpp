// Each session's own socket (in its worker process) checks CURVE keys too: a client the server
// does not list cannot talk to a session even when it knows the session's endpoint.

#include <gtest/gtest.h>

#include <CL/cl.h>

#include <chrono>
#include <optional>
#include <random>
#include <regex>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/curve.h"
#include "rcl/protocol/transport.h"
#include "security_fixture.h"
#include "text_file.h"

namespace rcl::test {
namespace {

using namespace std::chrono_literals;
using protocol::Kind;

// A DEALER socket of session `session` that is a CURVE client with the key pair in `keys`.key.
zmq::socket_t curveDealer(zmq::context_t& context, const std::string& keys, const std::string& serverPublicFile,
                          std::uint64_t session, protocol::Channel channel) {
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  protocol::CurveClientKeys curve;
  curve.serverKey = protocol::readCurveKeyFile(serverPublicFile);
  curve.secretKey = protocol::readCurveKeyFile(keys + ".key");
  curve.publicKey = protocol::curvePublicKeyOf(curve.secretKey);
  protocol::applyCurveClient(socket, curve);
  const auto id = protocol::makeRoutingId(session, channel, channel == protocol::Channel::Reply ? 1 : 0);
  socket.set(zmq::sockopt::routing_id, zmq::buffer(id));
  socket.set(zmq::sockopt::linger, 0);
  return socket;
}

void sendControl(zmq::socket_t& socket, protocol::Frames frames) { protocol::sendFrames(socket, frames); }

// The next message that is not a ping, within `timeout`.
std::optional<protocol::Reader> receive(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    protocol::pollOnce(&item, 1, 50ms);
    auto frames = protocol::recvFrames(socket, zmq::recv_flags::dontwait);
    if (!frames) continue;
    protocol::Reader r(std::move(*frames));
    if (r.integer<Kind>() == Kind::Ping) continue;
    r.u64();
    return r;
  }
  return std::nullopt;
}

class SessionSocketTest : public SecurityTest {};

TEST_F(SessionSocketTest, AnUnlistedKeyCannotReachASession) {
  const std::string serverKeys = makeKeys("server");
  const std::string allowed = makeKeys("allowed");
  const std::string other = makeKeys("other");
  auto server = startServer({"--listen", "tcp://127.0.0.1:*", "--curve-secret-key-file", serverKeys + ".key",
                             "--allowed-clients", allowed + ".pub"});
  zmq::context_t context(1);
  const std::uint64_t id = std::mt19937_64(std::random_device{}())() | 1;

  // The allowed client's handshake names the session's endpoint.
  auto control = curveDealer(context, allowed, serverKeys + ".pub", id, protocol::Channel::Control);
  control.connect(server->endpoint());
  sendControl(control, protocol::control::Hello{.seq = 1, .protocol_version = protocol::kProtocolVersion,
                                                .client_name = "session socket test"}
                           .frames());
  auto hello = receive(control, 10s);
  ASSERT_TRUE(hello.has_value()) << readTextFile(server->logPath());
  ASSERT_EQ(hello->integer<cl_int>(), CL_SUCCESS);
  const std::string session = protocol::control::HelloReply::decodeBody(*hello, 1).session_endpoint;

  // Another key, straight at the session, with its id: no answer, and the worker logs the refusal.
  // (A log read on purpose: the session's worker refuses it with a ZAP handler
  // of its own, which the listening server's status does not see; the
  // worker's warning, with its pid and the key, is what the operator reads.)
  auto intruder = curveDealer(context, other, serverKeys + ".pub", id, protocol::Channel::Reply);
  intruder.connect(session);
  sendControl(intruder, protocol::control::Attach{.seq = 1}.frames());
  EXPECT_FALSE(receive(intruder, 2s).has_value()) << "a session answered an unlisted key";
  const std::regex refusedByWorker(R"(worker \d+: refused a client from [^:]+: its CURVE public key )" +
                                   std::regex_replace(protocol::readCurveKeyFile(other + ".pub"),
                                                      std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)"));
  EXPECT_TRUE(std::regex_search(readTextFile(server->logPath()), refusedByWorker)) << readTextFile(server->logPath());

  // The allowed key, at the same place: answered (the control).
  auto member = curveDealer(context, allowed, serverKeys + ".pub", id, protocol::Channel::Reply);
  member.connect(session);
  sendControl(member, protocol::control::Attach{.seq = 1}.frames());
  EXPECT_TRUE(receive(member, 5s).has_value()) << readTextFile(server->logPath());
}

}  // namespace
}  // namespace rcl::test
