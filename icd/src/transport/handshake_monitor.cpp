#include "rcl/icd/transport/handshake_monitor.h"

#include <spdlog/fmt/fmt.h>

namespace rcl::icd {

namespace {
constexpr const char* kWrongServerKey = "is REMOTE_CL_CURVE_SERVER_KEY this server's public key?";
constexpr const char* kNoKeys =
    "does the server want CURVE keys? (REMOTE_CL_CURVE_SERVER_KEY and REMOTE_CL_CURVE_SECRET_KEY_FILE)";
}  // namespace

HandshakeMonitor::HandshakeMonitor(zmq::socket_t& socket, const std::string& name, bool curve, bool refusedIsFailure)
    : curve_(curve) {
  init(socket, "inproc://remote-cl-handshake-" + name,
       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
           (refusedIsFailure ? ZMQ_EVENT_CONNECT_RETRIED : 0));
}

std::optional<std::string> HandshakeMonitor::failure() {
  try {
    while (!failure_ && check_event(0)) {
    }
  } catch (const zmq::error_t&) {
    // an interrupted poll: the next call reads on
  }
  return failure_;
}

void HandshakeMonitor::fail(std::string why) {
  if (!failure_) failure_ = std::move(why);
}

void HandshakeMonitor::on_event_handshake_failed_auth(const zmq_event_t& event, const char*) {
  fail(fmt::format("the server refused this client's CURVE key (status {}): is its public key in the server's "
                   "--allowed-clients file?",
                   event.value));
}

void HandshakeMonitor::on_event_handshake_failed_protocol(const zmq_event_t& event, const char*) {
  switch (event.value) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
      return fail(curve_ ? "this client has CURVE keys, the server has none"
                         : std::string("the server wants CURVE: ") + kNoKeys);
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
    case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE:
      return fail(std::string("the CURVE handshake failed: ") + kWrongServerKey);
    default:
      return fail(fmt::format("the ZeroMQ handshake failed (protocol error {:#x})", event.value));
  }
}

void HandshakeMonitor::on_event_connect_retried(const zmq_event_t&, const char*) {
  fail("nobody listens there (the connection was refused)");
}

void HandshakeMonitor::on_event_handshake_failed_no_detail(const zmq_event_t&, const char*) {
  fail(std::string("the ZeroMQ handshake failed: ") + (curve_ ? kWrongServerKey : kNoKeys));
}

}  // namespace rcl::icd
