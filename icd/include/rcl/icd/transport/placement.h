// Placement: in which order several servers' platforms are listed, so that an
// application that takes the first platform lands on the least busy host.
//
// REMOTE_CL_PLACEMENT (config `placement`):
//   least-loaded (default)  each server is asked its status (one round trip,
//                           all servers at once, within the connect timeout)
//                           and servers are listed by, in this order:
//                             1. fewest busy queues (commands not yet complete),
//                             2. then fewest sessions (running and starting),
//                             3. then least device memory held by sessions;
//                           equal servers keep their listed (or SRV) order; a
//                           server whose status did not come is listed after
//                           those that answered; a draining server is skipped.
//   listed                  the order of the entries (SRV targets in RFC 2782
//                           order); no status query.
// With a single server nothing is asked. The order is fixed for the life of
// the process (decided once, when the platforms are first listed).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "rcl/protocol/curve.h"

namespace rcl::icd {

enum class Placement { Listed, LeastLoaded };

// "listed" or "least-loaded"; nullopt for anything else.
std::optional<Placement> parsePlacement(const std::string& text);

struct ServerLoad {
  std::uint64_t busyQueues = 0;
  std::uint64_t sessions = 0;
  std::uint64_t memoryBytes = 0;
  bool draining = false;
};

// Whether `a` is less loaded than `b` (the order above).
bool lessLoaded(const ServerLoad& a, const ServerLoad& b);

// The indexes of `loads` (one per server, in listed order; nullopt: no status)
// in placement order, draining servers left out.
std::vector<std::size_t> orderByLoad(const std::vector<std::optional<ServerLoad>>& loads);

// Asks the server at `endpoint` its status until `deadline` (CURVE keys as for
// its sessions). nullopt, with `error` saying why, when no usable answer came.
std::optional<ServerLoad> askLoad(zmq::context_t& zmq, const std::string& endpoint,
                                  const protocol::CurveClientKeys& curve, std::chrono::steady_clock::time_point deadline,
                                  std::string* error);

}  // namespace rcl::icd
