#include "rcl/icd/transport/srv_targets.h"

#include <algorithm>
#include <numeric>

namespace rcl::icd {

bool isSrvEntry(const std::string& entry) { return entry.rfind(kSrvScheme, 0) == 0; }

std::string tcpEndpoint(const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return "tcp://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::optional<std::string> preferredAddress(const std::vector<std::string>& addresses) {
  const auto isV6 = [](const std::string& a) { return a.find(':') != std::string::npos; };
  for (const bool v6 : {false, true})
    for (const auto& a : addresses)
      if (!a.empty() && isV6(a) == v6) return a;
  return std::nullopt;
}

std::vector<SrvTarget> orderSrvTargets(std::vector<SrvTarget> targets, std::mt19937_64& random) {
  std::stable_sort(targets.begin(), targets.end(),
                   [](const SrvTarget& a, const SrvTarget& b) { return a.priority < b.priority; });
  std::vector<SrvTarget> ordered;
  ordered.reserve(targets.size());
  auto group = targets.begin();
  while (group != targets.end()) {
    const auto end = std::find_if(group, targets.end(), [&](const SrvTarget& t) { return t.priority != group->priority; });
    // RFC 2782: zero weights first, then draw by the running sum of weights.
    std::vector<SrvTarget> left(group, end);
    std::stable_partition(left.begin(), left.end(), [](const SrvTarget& t) { return t.weight == 0; });
    while (!left.empty()) {
      const std::uint64_t total = std::accumulate(left.begin(), left.end(), std::uint64_t{0},
                                                  [](std::uint64_t sum, const SrvTarget& t) { return sum + t.weight; });
      const std::uint64_t pick = std::uniform_int_distribution<std::uint64_t>(0, total)(random);
      std::uint64_t running = 0;
      auto chosen = left.begin();
      for (auto it = left.begin(); it != left.end(); ++it) {
        running += it->weight;
        if (running >= pick) {
          chosen = it;
          break;
        }
      }
      ordered.push_back(*chosen);
      left.erase(chosen);
    }
    group = end;
  }
  return ordered;
}

}  // namespace rcl::icd
