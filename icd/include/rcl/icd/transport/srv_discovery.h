// Discovery of servers through DNS SRV records (RFC 2782), as a Kubernetes
// headless Service publishes them for its ready pods.
//
// A server entry `dns+srv://_remote-cl._tcp.gpus.example` (REMOTE_CL_SERVERS or
// `servers =`) stands for every target of that record: each target's host is
// resolved to an address (A first, else AAAA) and becomes `tcp://ADDRESS:PORT`,
// one server as if it had been listed. Targets are ordered as RFC 2782 says:
// lowest priority first, and within one priority by a weighted random draw (a
// target of weight 10 comes first twice as often as one of weight 5). The
// resolver is c-ares, pointed at REMOTE_CL_DNS_SERVERS (`IP[:PORT],...`) or
// else at the system's /etc/resolv.conf. A lookup that fails or times out is
// logged and its entry gives no server.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "rcl/icd/transport/srv_targets.h"

namespace rcl::icd {

struct DiscoveryOptions {
  std::string dnsServers;  // "IP[:PORT],...": c-ares' servers; empty: /etc/resolv.conf
  std::chrono::milliseconds timeout{2000};  // for the SRV lookup, then again for the targets' addresses
};

// The server entries with every `dns+srv://` entry replaced by the endpoints
// of its targets (in RFC 2782 order); other entries stay as they are, in place.
// Failures are logged (warn) and give no endpoint.
std::vector<std::string> expandServerEntries(const std::vector<std::string>& entries, const DiscoveryOptions& options);

}  // namespace rcl::icd
