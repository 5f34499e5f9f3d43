// Moving whole multipart messages over ZeroMQ sockets.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "rcl/protocol/message.h"

namespace rcl::protocol {

using Frames = std::vector<zmq::message_t>;

// Sends every frame of `frames` as one message, preceded by `routing_id` when
// given (ROUTER sockets). Returns false if the socket would block or failed.
bool sendFrames(zmq::socket_t& socket, Frames& frames, const void* routing_id = nullptr,
                std::size_t routing_size = 0, zmq::send_flags flags = zmq::send_flags::none);

// Receives one whole multipart message. std::nullopt if nothing arrived
// (non-blocking socket or receive timeout).
std::optional<Frames> recvFrames(zmq::socket_t& socket, zmq::recv_flags flags = zmq::recv_flags::none);

// zmq::poll that treats an interrupted wait (a signal) as a timeout.
int pollOnce(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout);

// Whether `endpoint` names an IPv6 address (tcp://[::1]:5555, an SRV target
// with only an AAAA record): ZeroMQ binds or connects to it only on a socket
// with ZMQ_IPV6. Host names and IPv4 addresses say no: with ZMQ_IPV6 a name
// resolves to its IPv6 address first, so tcp://localhost:5555 would reach
// ::1 and miss a server listening on 127.0.0.1.
bool isIpv6Endpoint(const std::string& endpoint);
// Sets ZMQ_IPV6 on `socket` as its next bind or connect to `endpoint` needs;
// call it before every bind or connect of a tcp:// endpoint.
void allowIpv6For(zmq::socket_t& socket, const std::string& endpoint);

using RoutingId = std::array<std::uint8_t, kRoutingIdSize>;

RoutingId makeRoutingId(std::uint64_t session, Channel channel, std::uint32_t replyIndex = 0);
// Splits a routing id into session, channel and reply index; false if it is not ours.
bool parseRoutingId(const zmq::message_t& id, std::uint64_t& session, Channel& channel, std::uint32_t* replyIndex = nullptr);

}  // namespace rcl::protocol
