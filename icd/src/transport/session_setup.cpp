// A connection's session set-up (Connection::handshake and what it offers):
// hello on the server's listening endpoint, attach on the session's own,
// then shared memory or a bulk socket. The messages are the generated
// control::* structs ([control.*] in codegen/messages.toml); what is here is
// the client's policy: what it offers, what it accepts, what it logs.
#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "rcl/icd/support/log.h"
#include "rcl/icd/transport/connection.h"
#include "rcl/icd/transport/handshake_monitor.h"
#include "rcl/protocol/bulk_crypt.h"
#include "rcl/protocol/bulk_socket.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/pushes.h"
#include "rcl/protocol/shm.h"
#include "rcl/protocol/transport.h"

namespace rcl::icd {

using protocol::Kind;
using Clock = std::chrono::steady_clock;

namespace {

std::string clientName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  char exe[512] = {};
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  const std::string program = n > 0 ? std::string(exe, static_cast<std::size_t>(n)) : "?";
  return fmt::format("{}:{} ({})", host, getpid(), program.substr(program.find_last_of('/') + 1));
}

// The session's endpoint as this client reaches it: a tcp session is on the
// host the client already reached (the server may have bound 0.0.0.0).
std::string reachable(const std::string& listening, const std::string& session) {
  if (session.rfind("tcp://", 0) != 0 || listening.rfind("tcp://", 0) != 0) return session;
  return listening.substr(0, listening.rfind(':')) + session.substr(session.rfind(':'));
}

// The most a client waits for a starting worker, whatever the server states,
// and the margin beyond the start timeout for the router's answer to arrive.
constexpr std::chrono::milliseconds kMaxStartWait{600000};
constexpr std::chrono::milliseconds kStartMargin{5000};

// The answer awaitControl returned (its kind read): a Reply of CL_SUCCESS,
// decoded as `Reply` (every field checked; DecodeError if malformed), or
// nullopt when it is not a success.
template <class Reply>
std::optional<Reply> successOf(protocol::Reader& r) {
  const auto seq = r.u64();
  if (r.integer<cl_int>() != CL_SUCCESS) return std::nullopt;
  return Reply::decodeBody(r, seq);
}

}  // namespace

std::optional<protocol::Reader> Connection::awaitControl(std::chrono::steady_clock::time_point deadline,
                                                         HandshakeMonitor& monitor, protocol::push::Error* refusal,
                                                         Kind* kindOut) {
  for (;;) {
    if (const auto failure = monitor.failure()) {
      log().log(failureLevel(), "remote-cl: cannot connect to server {}: {}; it offers no platforms", endpoint_,
                *failure);
      return std::nullopt;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    zmq::pollitem_t item{control_.handle(), 0, ZMQ_POLLIN, 0};
    protocol::pollOnce(&item, 1, std::min(left, std::chrono::milliseconds(50)));  // then the monitor again
    if ((item.revents & ZMQ_POLLIN) == 0) continue;
    auto frames = protocol::recvFrames(control_, zmq::recv_flags::dontwait);
    if (!frames) continue;
    protocol::Reader r(std::move(*frames));
    const auto kind = r.integer<Kind>();
    if (kind == Kind::Ping) continue;
    if (kindOut != nullptr) *kindOut = kind;
    if (kind == Kind::Error) {
      const auto seq = r.u64();
      auto error = protocol::push::Error::decodeBody(r, seq);
      if (refusal != nullptr) *refusal = std::move(error);
      else log().error("remote-cl: server {} refused the connection: {}", endpoint_, error.message);
      return std::nullopt;
    }
    return r;
  }
}

std::optional<protocol::Reader> Connection::awaitHello(Clock::time_point& deadline, HandshakeMonitor& monitor) {
  // A server older than takes_pending and than extensible set-up messages
  // (Hello skips a newer client's fields since: extensible in
  // codegen/messages.toml) refuses a hello with it as malformed, an Error of
  // CL_INVALID_VALUE with the hello's seq: then the hello goes again without
  // it, once. (A newer server refuses such a hello only for another reason,
  // which the plain hello meets again: one round trip more, then that refusal.)
  constexpr std::uint64_t kHelloSeq = 1;
  bool takesPending = true;
  const auto sendHello = [&] {
    protocol::control::Hello hello{
        .seq = kHelloSeq, .protocol_version = protocol::kProtocolVersion, .client_name = clientName()};
    if (takesPending) hello.takes_pending = true;
    auto frames = hello.frames();
    protocol::sendFrames(control_, frames);
  };
  sendHello();
  std::optional<std::chrono::milliseconds> starting;  // the router's stated start timeout, once it said so
  for (;;) {
    protocol::push::Error refusal;
    Kind kind = Kind::Reply;
    auto r = awaitControl(deadline, monitor, &refusal, &kind);
    const bool refused = !r && kind == Kind::Error;
    if (refused && takesPending && refusal.status == CL_INVALID_VALUE && refusal.seq == kHelloSeq) {
      log().debug("remote-cl: server {} refused a hello with takes_pending ({}); hello again without it", endpoint_,
                  refusal.message);
      takesPending = false;
      sendHello();
      continue;
    }
    if (refused) {
      log().error("remote-cl: server {} refused the connection: {}", endpoint_, refusal.message);
    } else if (!r && Clock::now() >= deadline) {
      if (starting)
        log().log(failureLevel(), "remote-cl: server {} did not start a session within {} ms; it offers no platforms",
                  endpoint_, starting->count());
      else
        log().log(failureLevel(), "remote-cl: no answer from server {} within {} ms; it offers no platforms{}",
                  endpoint_, options_.connectTimeout.count(),
                  options_.curve.enabled() ? " (with CURVE: is REMOTE_CL_CURVE_SERVER_KEY its key?)" : "");
    }
    if (!r || kind != Kind::Request) return r;
    // The router's interim answer: it is starting the session's worker.
    const auto seq = r->u64();
    if (r->integer<protocol::ControlCall>() != protocol::ControlCall::HelloPending)
      throw protocol::DecodeError("a request other than HelloPending in answer to the hello");
    const auto pending = protocol::control::HelloPending::decodeBody(*r, seq);
    // Bounded whatever the server says: the start timeout it states (at most
    // kMaxStartWait) and a margin for the router's own answer to get here.
    const auto wait = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(pending.start_timeout_ms),
                                                          kMaxStartWait) +
                      std::max<std::chrono::milliseconds>(options_.connectTimeout, kStartMargin);
    starting = wait;
    deadline = std::max(deadline, Clock::now() + wait);
    log().info("remote-cl: server {} is starting a session (its worker may take up to {} ms); waiting for it",
               endpoint_, pending.start_timeout_ms);
  }
}

bool Connection::handshake(HandshakeMonitor& monitor) {
  // One deadline for the whole set-up: the connect timeout, or, once the
  // router said it is starting the worker, the start timeout and the margin.
  auto deadline = Clock::now() + options_.connectTimeout;
  try {
    auto r = awaitHello(deadline, monitor);
    if (!r) return false;
    // The version first: a server of another protocol may answer in another
    // layout, and is reported as such, not as a malformed answer.
    const auto seq = r->u64();
    if (r->integer<cl_int>() != CL_SUCCESS) return false;
    const auto version = protocol::control::HelloReply::decodeVersion(*r);
    if (version != protocol::kProtocolVersion) {
      log().error("remote-cl: server {} speaks protocol {}, this client {}", endpoint_, version,
                  protocol::kProtocolVersion);
      return false;
    }
    const auto hello = protocol::control::HelloReply::decodeRest(*r, seq, version);
    serverName_ = hello.server_name;
    const std::string session = reachable(endpoint_, hello.session_endpoint);
    for (const auto& p : hello.platforms) layout_.push_back(PlatformLayout{p.platform, p.devices});
    // Move both sockets to the session's own endpoint, and say we are there.
    control_.disconnect(endpoint_);
    protocol::allowIpv6For(control_, session);
    protocol::allowIpv6For(calls_, session);
    control_.connect(session);
    calls_.connect(session);
    auto frames = protocol::control::Attach{.seq = 2, .device_times = options_.deviceTimes}.frames();
    protocol::sendFrames(control_, frames);
    // Right behind it, without waiting: the platforms' and devices'
    // information, read after the AttachReply (protocol/platform_info.h).
    auto ask = protocol::control::PlatformInfoAll{.seq = 5}.frames();
    protocol::sendFrames(control_, ask);
    auto attached = awaitControl(deadline, monitor);
    if (!attached || !successOf<protocol::control::AttachReply>(*attached)) {
      log().warn("remote-cl: server {} gave a session at {} that does not answer", endpoint_, session);
      return false;
    }
    readPlatformInfo(deadline, monitor);
    if (options_.shm) offerSharedMemory(deadline, monitor);
    if (!shm_ && options_.bulkSocket && (!options_.curve.enabled() || options_.encryptedLanes) &&
        !protocol::bulk::tcpHost(session).empty())
      openBulkSocket(session, deadline, monitor);
    replySockets_ = std::make_shared<ReplySockets>(zmq_, session_, session, options_.connectTimeout, options_.curve);
    log().info("remote-cl: connected to {} ({}), session at {}, {} platform(s){}{}{}", endpoint_, serverName_, session,
               layout_.size(), options_.curve.enabled() ? ", CURVE" : "", shm_ ? ", shared memory" : "",
               bulk_ ? (bulk_->encrypted() ? ", encrypted bulk lanes" : ", bulk socket") : "");
    return true;
  } catch (const protocol::DecodeError& e) {
    log().error("remote-cl: malformed handshake answer from server {} (this client speaks protocol {}): {}", endpoint_,
                protocol::kProtocolVersion, e.what());
    return false;
  } catch (const zmq::error_t& e) {
    log().error("remote-cl: cannot reach the session of {}: {}", endpoint_, e.what());
    return false;
  }
}

void Connection::readPlatformInfo(std::chrono::steady_clock::time_point deadline, HandshakeMonitor& monitor) {
  protocol::push::Error refusal;
  auto answer = awaitControl(deadline, monitor, &refusal);
  if (!answer) {
    // An older server refuses the unknown call: the platforms' and devices'
    // first queries ask, as they did with it.
    log().debug("remote-cl: server {} sends no platform information with the set-up ({})", endpoint_,
                refusal.message.empty() ? "no answer" : refusal.message);
    return;
  }
  try {
    auto info = successOf<protocol::control::PlatformInfoAllReply>(*answer);
    if (info && info->seq == 5 && info->platforms.size() == layout_.size())
      platformInfo_ = std::make_shared<const protocol::control::PlatformInfoAllReply>(std::move(*info));
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed platform information from server {}: {}; it is asked instead", endpoint_,
               e.what());
  }
}

void Connection::offerSharedMemory(std::chrono::steady_clock::time_point deadline, HandshakeMonitor& monitor) {
  auto channel = ShmSegment::create(options_.shmMegabytes);
  if (!channel) {
    log().debug("remote-cl: cannot create shared memory; bulk data goes through the socket");
    return;
  }
  protocol::control::ShmAttach offer{.seq = 3, .name = channel->name(), .slots = channel->slots(),
                                     .slot_bytes = channel->slotBytes()};
  if (options_.directCopy) {  // where this process maps it, for the worker's direct copies
    offer.pid = ::getpid();
    offer.header = reinterpret_cast<std::uintptr_t>(channel->header());
  }
  auto frames = offer.frames();
  protocol::sendFrames(control_, frames);
  protocol::push::Error refusal;
  auto answer = awaitControl(deadline, monitor, &refusal);
  channel->unlink();  // the server has mapped it, or never will: no name may stay behind
  if (!answer) {
    log().debug("remote-cl: server {} cannot use this client's shared memory ({}); bulk data goes through the socket",
                endpoint_, refusal.message.empty() ? "no answer" : refusal.message);
    return;
  }
  const auto attached = successOf<protocol::control::ShmAttachReply>(*answer);
  if (!attached || attached->cookie != channel->cookie()) return;  // another segment than this one
  directCopy_ = attached->direct.value_or(false);
  shm_ = std::move(channel);
}

void Connection::openBulkSocket(const std::string& session, std::chrono::steady_clock::time_point deadline,
                                HandshakeMonitor& monitor) {
  const bool encrypted = options_.curve.enabled();
  protocol::control::BulkAttach ask{.seq = 4, .lanes = options_.bulkLanes != 0 ? options_.bulkLanes : encrypted ? 4 : 2};
  if (encrypted) ask.sealed = true;  // lanes sealed with keys of the session's own (bulk_crypt.h)
  auto frames = ask.frames();
  protocol::sendFrames(control_, frames);
  protocol::push::Error refusal;
  auto answer = awaitControl(deadline, monitor, &refusal);
  if (!answer) {
    log().debug("remote-cl: no bulk socket from {} ({}); bulk data goes in ZeroMQ frames", endpoint_,
                refusal.message.empty() ? "no answer" : refusal.message);
    return;
  }
  auto attached = successOf<protocol::control::BulkAttachReply>(*answer);
  if (!attached) return;
  BulkSocket::Token t{};
  if (attached->token.size() != t.size()) return;
  std::copy(attached->token.begin(), attached->token.end(), t.begin());
  const auto lanes = attached->lanes.value_or(1);
  if (lanes < 1 || lanes > protocol::bulk::kMaxLanes) return;
  protocol::bulk::LaneKeys keys;
  if (encrypted) {
    // Keys come only over the CURVE-encrypted control socket; a worker that sends none gets no lanes.
    const auto& toServer = attached->key_to_server;
    const auto& toClient = attached->key_to_client;
    if (!toServer || !toClient || toServer->size() != keys.toServer.size() || toClient->size() != keys.toClient.size())
      return;
    std::copy(toServer->begin(), toServer->end(), keys.toServer.begin());
    std::copy(toClient->begin(), toClient->end(), keys.toClient.begin());
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  std::string error;
  bulk_ = BulkSocket::connect(protocol::bulk::tcpHost(session), attached->port, t, static_cast<unsigned>(lanes),
                              static_cast<int>(std::max<std::int64_t>(left.count(), 500)),
                              static_cast<int>(options_.deadAfter.count()), error, encrypted ? &keys : nullptr);
  protocol::bulk::wipe(keys);  // copies live only in the lanes' ciphers
  if (attached->key_to_server) protocol::bulk::wipe(*attached->key_to_server);
  if (attached->key_to_client) protocol::bulk::wipe(*attached->key_to_client);
  if (!bulk_) log().warn("remote-cl: no bulk socket to {}: {}; bulk data goes in ZeroMQ frames", endpoint_, error);
}

}  // namespace rcl::icd
