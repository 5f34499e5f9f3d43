#include "rcl/protocol/transport.h"

#include <cstring>

#include "rcl/protocol/bulk_socket.h"

namespace rcl::protocol {

bool sendFrames(zmq::socket_t& socket, Frames& frames, const void* routing_id, std::size_t routing_size,
                zmq::send_flags flags) {
  if (routing_id != nullptr) {
    zmq::message_t id(routing_id, routing_size);
    if (!socket.send(id, flags | zmq::send_flags::sndmore)) return false;
  }
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const bool last = i + 1 == frames.size();
    // After the first frame ZeroMQ delivers the rest atomically: never drop mid-message.
    const auto more = last ? zmq::send_flags::none : zmq::send_flags::sndmore;
    if (!socket.send(frames[i], (i == 0 && routing_id == nullptr ? flags : zmq::send_flags::none) | more))
      return false;
  }
  return true;
}

std::optional<Frames> recvFrames(zmq::socket_t& socket, zmq::recv_flags flags) {
  Frames frames;
  zmq::message_t first;
  if (!socket.recv(first, flags)) return std::nullopt;
  bool more = first.more();
  frames.push_back(std::move(first));
  while (more) {
    zmq::message_t part;
    (void)socket.recv(part, zmq::recv_flags::none);
    more = part.more();
    frames.push_back(std::move(part));
  }
  return frames;
}

int pollOnce(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout) {
  try {
    return zmq::poll(items, count, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return 0;
    throw;
  }
}

RoutingId makeRoutingId(std::uint64_t session, Channel channel, std::uint32_t replyIndex) {
  RoutingId id{};
  std::memcpy(id.data(), &session, sizeof session);
  id[8] = static_cast<std::uint8_t>(channel);
  std::memcpy(id.data() + 9, &replyIndex, sizeof replyIndex);
  return id;
}

bool parseRoutingId(const zmq::message_t& id, std::uint64_t& session, Channel& channel, std::uint32_t* replyIndex) {
  if (id.size() != kRoutingIdSize) return false;
  std::memcpy(&session, id.data(), sizeof session);
  const auto c = static_cast<const std::uint8_t*>(id.data())[8];
  if (c > static_cast<std::uint8_t>(Channel::Reply)) return false;
  channel = static_cast<Channel>(c);
  if (replyIndex != nullptr) std::memcpy(replyIndex, static_cast<const std::uint8_t*>(id.data()) + 9, sizeof *replyIndex);
  return true;
}

bool isIpv6Endpoint(const std::string& endpoint) {
  return bulk::tcpHost(endpoint).find(':') != std::string::npos;  // "[::1]" comes back as "::1"
}

void allowIpv6For(zmq::socket_t& socket, const std::string& endpoint) {
  socket.set(zmq::sockopt::ipv6, isIpv6Endpoint(endpoint) ? 1 : 0);
}

}  // namespace rcl::protocol
