// Tells at once when connections of a socket close: ZeroMQ reports a TCP (or
// ipc) connection that closed or was reset, as it does when the process at
// the other end died or its host refused the connection. A peer that is alive
// but silent (stopped, or a cut network) is the heartbeat's to find.
//   client: its connection to the session closed: the server is gone.
//   server: the connection the client's control channel came on closed: the
//           client is gone (its session is freed at once).
#pragma once

#include <string>
#include <vector>

#include <zmq.hpp>

namespace rcl::protocol {

class LinkWatch {
 public:
  // Watches `socket` (before or after it connects or binds); `name` makes the
  // monitor's inproc endpoint unique in `zmq`. A socket has one monitor at a
  // time: no other may be started on `socket` later.
  LinkWatch(zmq::context_t& zmq, zmq::socket_t& socket, const std::string& name);
  // Stops the monitor, then closes its reader: destroy it while `socket` is
  // still open. (ZeroMQ's I/O thread sends each event with a blocking send:
  // an event for a monitor whose reader is gone, such as the disconnections
  // of closing `socket`, would stop that thread, and with it every socket of
  // the context: the whole server in --threads mode.)
  ~LinkWatch();
  LinkWatch(const LinkWatch&) = delete;
  LinkWatch& operator=(const LinkWatch&) = delete;

  // The socket to poll for ZMQ_POLLIN (the monitor's events).
  void* handle() { return events_.handle(); }
  // The file descriptors of the connections that closed since the last call.
  std::vector<int> closed();

 private:
  void* watched_;
  zmq::socket_t events_;
};

// The file descriptor of the connection `message` came on (-1 where there is
// none: inproc, and a ROUTER's routing id frame: ask a body frame).
// ZMQ_SRCFD is deprecated for Peer-Address, which names a host, not one
// connection.
int sourceFd(const zmq::message_t& message);

}  // namespace rcl::protocol
