#include "rcl/server/support/zap_handler.h"

#include <spdlog/spdlog.h>

#include "rcl/protocol/curve.h"
#include "rcl/protocol/transport.h"

namespace rcl::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr auto kLogEvery = std::chrono::seconds(10);
constexpr std::size_t kRemembered = 1024;  // refused keys whose last log line is remembered

std::string text(const zmq::message_t& frame) { return frame.to_string(); }

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context, const std::vector<std::string>& allowed)
    : socket_(context, zmq::socket_type::rep) {
  for (const auto& key : allowed) allowed_.insert(protocol::curveKeyBytes(key));
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind(kZapEndpoint);
  thread_ = std::thread([this] { run(); });
}

ZapHandler::~ZapHandler() {
  stop_ = true;
  thread_.join();
}

void ZapHandler::run() {
  while (!stop_) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    protocol::pollOnce(&item, 1, std::chrono::milliseconds(100));
    if ((item.revents & ZMQ_POLLIN) == 0) continue;
    if (auto request = protocol::recvFrames(socket_, zmq::recv_flags::dontwait)) answer(*request);
  }
  socket_.close();
}

// Request: version, request id, domain, address, routing id, mechanism, credentials...
// Reply:   version, request id, status code, status text, user id, metadata.
void ZapHandler::answer(std::vector<zmq::message_t>& request) {
  const bool wellFormed = request.size() >= 6 && text(request[0]) == "1.0";
  const bool curve = wellFormed && text(request[5]) == "CURVE" && request.size() >= 7 && request[6].size() == 32;
  const std::string key = curve ? request[6].to_string() : std::string();
  const std::string address = wellFormed ? text(request[3]) : std::string("?");
  const bool ok = curve && allowed_.count(key) != 0;
  const std::string keyText = curve ? protocol::curveKeyText(key.data()) : std::string("(no CURVE key)");
  if (ok) spdlog::debug("accepted the CURVE key {} of a client from {}", keyText, address);
  else {
    ++refused_;
    logRefusal(keyText, address);
  }
  protocol::Frames reply;
  reply.emplace_back(std::string_view("1.0"));
  reply.emplace_back(request.size() > 1 ? request[1].to_string_view() : std::string_view());
  reply.emplace_back(std::string_view(ok ? "200" : "400"));
  reply.emplace_back(std::string_view(ok ? "OK" : "client key not allowed"));
  const std::string userId = ok ? keyText : std::string();
  reply.emplace_back(std::string_view(userId));
  reply.emplace_back();
  protocol::sendFrames(socket_, reply);
}

void ZapHandler::logRefusal(const std::string& key, const std::string& address) {
  const auto now = Clock::now();
  if (lastLogged_.size() > kRemembered) lastLogged_.clear();  // many keys: forget, rather than grow
  auto [it, fresh] = lastLogged_.try_emplace(key, now);
  if (!fresh && now - it->second < kLogEvery) return;
  it->second = now;
  spdlog::warn("refused a client from {}: its CURVE public key {} is not in the allowed list", address, key);
}

}  // namespace rcl::server
