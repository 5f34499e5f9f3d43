#include "rcl/icd/transport/placement.h"

#include <algorithm>
#include <random>
#include <tuple>

#include "rcl/protocol/status.h"
#include "rcl/protocol/transport.h"

namespace rcl::icd {

std::optional<Placement> parsePlacement(const std::string& text) {
  if (text == "listed") return Placement::Listed;
  if (text == "least-loaded") return Placement::LeastLoaded;
  return std::nullopt;
}

bool lessLoaded(const ServerLoad& a, const ServerLoad& b) {
  return std::tie(a.busyQueues, a.sessions, a.memoryBytes) < std::tie(b.busyQueues, b.sessions, b.memoryBytes);
}

std::vector<std::size_t> orderByLoad(const std::vector<std::optional<ServerLoad>>& loads) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < loads.size(); ++i)
    if (!loads[i] || !loads[i]->draining) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (loads[a].has_value() != loads[b].has_value()) return loads[a].has_value();  // answered first
    return loads[a] && lessLoaded(*loads[a], *loads[b]);
  });
  return order;
}

std::optional<ServerLoad> askLoad(zmq::context_t& zmq, const std::string& endpoint,
                                  const protocol::CurveClientKeys& curve, std::chrono::steady_clock::time_point deadline,
                                  std::string* error) {
  try {
    zmq::socket_t socket(zmq, zmq::socket_type::dealer);
    std::random_device random;
    const auto id =
        protocol::makeRoutingId((std::uint64_t{random()} << 32) | random(), protocol::Channel::Control);
    socket.set(zmq::sockopt::routing_id, zmq::buffer(id));
    socket.set(zmq::sockopt::linger, 0);
    protocol::applyCurveClient(socket, curve);
    protocol::allowIpv6For(socket, endpoint);
    socket.connect(endpoint);
    const auto status = protocol::askStatus(socket, 1, deadline, error);
    if (!status) return std::nullopt;
    return ServerLoad{status->busyQueues(), status->activeSessions, status->memoryBytes(), status->draining};
  } catch (const zmq::error_t& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

}  // namespace rcl::icd
