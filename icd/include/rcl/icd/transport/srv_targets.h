// SRV targets and their order (RFC 2782), apart from the lookup itself
// (srv_discovery.h), so it can be tested without a name server.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace rcl::icd {

inline constexpr const char* kSrvScheme = "dns+srv://";

// Whether a server entry names an SRV record rather than an endpoint.
bool isSrvEntry(const std::string& entry);

struct SrvTarget {
  std::string host;
  std::uint16_t port = 0;
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
};

// RFC 2782's order: priority ascending; within a priority, repeatedly a
// target drawn with probability weight / (sum of the remaining weights), a
// weight-0 target only when the others are drawn (or by a small chance when all are 0).
std::vector<SrvTarget> orderSrvTargets(std::vector<SrvTarget> targets, std::mt19937_64& random);

// `tcp://ADDRESS:PORT`, with brackets around an IPv6 address (the client's
// sockets set ZMQ_IPV6 for such an endpoint: protocol::allowIpv6For).
std::string tcpEndpoint(const std::string& address, std::uint16_t port);

// The one address a target is reached at, of all its A and AAAA addresses
// (text, in the resolver's order): the first IPv4 address if it has one, else
// the first IPv6 address. A name with both is one server, not two: IPv4 first,
// because a server given `--listen tcp://*:PORT` or `tcp://0.0.0.0:PORT`
// listens on IPv4 only (`tcp://[::]:PORT` listens on both).
std::optional<std::string> preferredAddress(const std::vector<std::string>& addresses);

}  // namespace rcl::icd
