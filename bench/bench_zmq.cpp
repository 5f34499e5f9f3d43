// Bare ZeroMQ, the limit of the transport: `rcl-bench zmq-echo --listen EP` is a ROUTER (like
// remote-cl-server's) that answers on its one thread; `rcl-bench zmq-client EP` is a DEALER (like
// remote-cl's) that measures the round trip of a small message and the throughput of large
// messages both ways, best of a few tries. Large messages are sent without copies (zmq_msg_init_data)
// and received into ZeroMQ's own message (no copy out).
//
// Request frames: [cmd] or [cmd, payload]. cmd 'e': echo the message; 'u': reply [a] (an upload's
// acknowledgement); 'd' + 8-byte size: reply [d, size bytes]; 'q': reply [q] and quit.

#include <cstring>
#include <iostream>
#include <zmq.hpp>

#include "bench_common.h"

namespace rcl::bench {
namespace {

void noFree(void*, void*) {}

void configure(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::sndhwm, 0);
  socket.set(zmq::sockopt::rcvhwm, 0);
  socket.set(zmq::sockopt::linger, 200);
}

std::vector<zmq::message_t> receiveAll(zmq::socket_t& socket) {
  std::vector<zmq::message_t> frames;
  do {
    zmq::message_t frame;
    if (!socket.recv(frame)) throw std::runtime_error("zmq recv failed");
    frames.push_back(std::move(frame));
  } while (frames.back().more());
  return frames;
}

}  // namespace

int runZmqEcho(const std::string& listen) {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::router);
  configure(socket);
  socket.bind(listen);
  std::cout << "listening on " << socket.get(zmq::sockopt::last_endpoint) << std::endl;
  std::vector<unsigned char> payload;
  for (;;) {
    auto frames = receiveAll(socket);
    if (frames.size() < 2 || frames[1].size() < 1) continue;
    const char command = *frames[1].data<char>();
    if (command == 'e') {
      for (std::size_t i = 0; i < frames.size(); ++i)
        socket.send(frames[i], i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    } else if (command == 'u') {
      socket.send(frames[0], zmq::send_flags::sndmore);
      socket.send(zmq::str_buffer("a"), zmq::send_flags::none);
    } else if (command == 'd' && frames[1].size() == 9) {
      std::uint64_t size = 0;
      std::memcpy(&size, frames[1].data<char>() + 1, sizeof size);
      if (payload.size() < size) payload.assign(size, 0x42);
      socket.send(frames[0], zmq::send_flags::sndmore);
      socket.send(zmq::str_buffer("d"), zmq::send_flags::sndmore);
      zmq::message_t data(payload.data(), size, noFree, nullptr);
      socket.send(data, zmq::send_flags::none);
    } else if (command == 'q') {
      socket.send(frames[0], zmq::send_flags::sndmore);
      socket.send(zmq::str_buffer("q"), zmq::send_flags::none);
      return 0;
    }
  }
}

int runZmqRelay(const std::string& listen, const std::string& backend) {
  // What routing every frame through the listening server would add: the
  // relay takes each client message on its ROUTER, forwards the payload to
  // the session (here the echo) on a DEALER, and the answer back the same way.
  zmq::context_t context(1);
  zmq::socket_t front(context, zmq::socket_type::router);
  zmq::socket_t back(context, zmq::socket_type::dealer);
  configure(front);
  configure(back);
  front.bind(listen);
  back.connect(backend);
  std::cout << "listening on " << front.get(zmq::sockopt::last_endpoint) << std::endl;
  zmq::message_t client;  // the one client of a benchmark run
  zmq::pollitem_t items[] = {{front.handle(), 0, ZMQ_POLLIN, 0}, {back.handle(), 0, ZMQ_POLLIN, 0}};
  for (;;) {
    zmq::poll(items, 2, std::chrono::milliseconds(-1));
    if (items[0].revents & ZMQ_POLLIN) {
      auto frames = receiveAll(front);
      client = std::move(frames[0]);
      for (std::size_t i = 1; i < frames.size(); ++i)
        back.send(frames[i], i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    if (items[1].revents & ZMQ_POLLIN) {
      auto frames = receiveAll(back);
      zmq::message_t to;
      to.copy(client);
      front.send(to, zmq::send_flags::sndmore);
      for (std::size_t i = 0; i < frames.size(); ++i)
        front.send(frames[i], i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
      if (frames.size() == 1 && frames[0].to_string() == "q") return 0;
    }
  }
}

int runZmqClient(const std::string& endpoint, bool quick, bool json) {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  configure(socket);
  socket.connect(endpoint);
  JsonOut out;

  // Round trip of a small message (the size of a small remote-cl call).
  const int roundTrips = quick ? 2000 : 10000;
  char small[32] = {'e'};
  std::vector<double> times;
  for (int i = -100; i < roundTrips; ++i) {  // the first 100 warm up (and wait for the connection)
    const auto start = Clock::now();
    socket.send(zmq::buffer(small, sizeof small), zmq::send_flags::none);
    auto reply = receiveAll(socket);
    if (i >= 0) times.push_back(secondsSince(start));
    if (reply.size() != 1 || reply[0].size() != sizeof small) throw std::runtime_error("bad echo reply");
  }
  out.number("rtt_us", median(times) * 1e6);

  // Throughput both ways: best of a few tries per size.
  for (const auto& [bytes, repetitions] : transferSizes(quick)) {
    if (bytes < 16 * MiB) continue;
    const int tries = bytes >= 256 * MiB ? 3 : (quick ? 3 : 5);
    std::vector<unsigned char> source(bytes, 0x17);
    std::vector<double> ups, downs;
    for (int t = 0; t < tries; ++t) {
      auto start = Clock::now();
      socket.send(zmq::str_buffer("u"), zmq::send_flags::sndmore);
      zmq::message_t data(source.data(), bytes, noFree, nullptr);
      socket.send(data, zmq::send_flags::none);
      auto ack = receiveAll(socket);
      ups.push_back(secondsSince(start));
      if (ack.size() != 1 || ack[0].to_string() != "a") throw std::runtime_error("bad upload acknowledgement");

      char request[9] = {'d'};
      const std::uint64_t size = bytes;
      std::memcpy(request + 1, &size, sizeof size);
      start = Clock::now();
      socket.send(zmq::buffer(request, sizeof request), zmq::send_flags::none);
      auto reply = receiveAll(socket);
      downs.push_back(secondsSince(start));
      if (reply.size() != 2 || reply[1].size() != bytes || reply[1].data<unsigned char>()[bytes - 1] != 0x42)
        throw std::runtime_error("bad download reply");
    }
    out.number("up_" + sizeName(bytes) + "_s", minimum(ups));
    out.number("down_" + sizeName(bytes) + "_s", minimum(downs));
  }

  socket.send(zmq::str_buffer("q"), zmq::send_flags::none);
  receiveAll(socket);
  print(out, json);
  return 0;
}

}  // namespace rcl::bench
