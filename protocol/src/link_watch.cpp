#include "rcl/protocol/link_watch.h"

#include <cstdint>
#include <cstring>

#include <zmq.h>

namespace rcl::protocol {

LinkWatch::LinkWatch(zmq::context_t& zmq, zmq::socket_t& socket, const std::string& name)
    : watched_(socket.handle()), events_(zmq, zmq::socket_type::pair) {
  const std::string endpoint = "inproc://remote-cl-link-" + name;
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), ZMQ_EVENT_DISCONNECTED) != 0) throw zmq::error_t();
  events_.set(zmq::sockopt::linger, 0);
  events_.connect(endpoint);
}

LinkWatch::~LinkWatch() { zmq_socket_monitor(watched_, nullptr, 0); }

std::vector<int> LinkWatch::closed() {
  std::vector<int> fds;
  zmq::message_t event;
  // Each event is two frames: {uint16 event, uint32 value (the fd)}, then the endpoint.
  while (events_.recv(event, zmq::recv_flags::dontwait)) {
    std::uint16_t id = 0;
    std::uint32_t fd = 0;
    if (event.size() >= sizeof id + sizeof fd) {
      std::memcpy(&id, event.data(), sizeof id);
      std::memcpy(&fd, static_cast<const char*>(event.data()) + sizeof id, sizeof fd);
      if (id == ZMQ_EVENT_DISCONNECTED) fds.push_back(static_cast<int>(fd));
    }
    while (event.more() && events_.recv(event, zmq::recv_flags::dontwait)) {
    }
  }
  return fds;
}

int sourceFd(const zmq::message_t& message) {
  return zmq_msg_get(const_cast<zmq_msg_t*>(message.handle()), ZMQ_SRCFD);
}

}  // namespace rcl::protocol
