// Watches the ZeroMQ handshakes of a socket while a connection is being
// made, so that a refused client can say why (its CURVE key is not allowed,
// the server wants CURVE, a wrong server key) instead of only "no answer".
#pragma once

#include <optional>
#include <string>

#include <zmq.hpp>

namespace rcl::icd {

class HandshakeMonitor : public zmq::monitor_t {
 public:
  // Before `socket` connects; `name` makes the monitor's inproc endpoint
  // unique; `curve`: whether the socket is a CURVE client (for the advice);
  // `refusedIsFailure`: a refused TCP connection (nobody listens) fails too.
  HandshakeMonitor(zmq::socket_t& socket, const std::string& name, bool curve, bool refusedIsFailure);
  // The first handshake failure seen so far, if any (reads the pending events).
  std::optional<std::string> failure();

 private:
  void on_event_handshake_failed_auth(const zmq_event_t& event, const char* address) override;
  void on_event_handshake_failed_protocol(const zmq_event_t& event, const char* address) override;
  void on_event_handshake_failed_no_detail(const zmq_event_t& event, const char* address) override;
  void on_event_connect_retried(const zmq_event_t& event, const char* address) override;
  void fail(std::string why);

  const bool curve_;
  std::optional<std::string> failure_;
};

}  // namespace rcl::icd
