// The authentication side of CURVE: ZeroMQ asks the ZAP handler of a socket's
// context (ZAP, ZeroMQ RFC 27: a socket bound at inproc://zeromq.zap.01)
// about every client that completes the CURVE handshake. This one accepts the
// public keys of an allow list and refuses the rest, with a log line (at most
// one per key every 10 s: a refused client's socket keeps retrying).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

namespace rcl::server {

class ZapHandler {
 public:
  // Binds the handler's socket in `context` (before any CURVE socket of the
  // context binds: ZeroMQ lets everyone in where no handler answers) and
  // starts answering. `allowed`: Z85 public keys.
  ZapHandler(zmq::context_t& context, const std::vector<std::string>& allowed);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  // How many CURVE handshakes it refused (every one, logged or not; any thread).
  std::uint64_t refused() const { return refused_.load(); }

 private:
  void run();
  void answer(std::vector<zmq::message_t>& request);
  void logRefusal(const std::string& key, const std::string& address);

  zmq::socket_t socket_;
  std::set<std::string> allowed_;  // the keys' 32 bytes
  std::map<std::string, std::chrono::steady_clock::time_point> lastLogged_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> refused_{0};
  std::thread thread_;
};

}  // namespace rcl::server
