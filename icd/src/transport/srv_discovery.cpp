#include "rcl/icd/transport/srv_discovery.h"

#include <algorithm>
#include <cerrno>
#include <optional>
#include <stdexcept>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <netdb.h>
#include <poll.h>

#include <spdlog/spdlog.h>

#include "rcl/icd/support/log.h"

namespace rcl::icd {
namespace {

using Clock = std::chrono::steady_clock;

// One c-ares channel, run until its queries are answered or a deadline passes.
class Resolver {
 public:
  explicit Resolver(const DiscoveryOptions& options) {
    static const int initialized = ares_library_init(ARES_LIB_INIT_ALL);  // once; never cleaned up
    if (initialized != ARES_SUCCESS) throw std::runtime_error(ares_strerror(initialized));
    ares_options settings{};
    // Two tries of a third of the budget each: one lost UDP packet is not a failure.
    settings.timeout = static_cast<int>(std::max<long>(100, options.timeout.count() / 3));
    settings.tries = 2;
    if (const int rc = ares_init_options(&channel_, &settings, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
        rc != ARES_SUCCESS)
      throw std::runtime_error(std::string("c-ares: ") + ares_strerror(rc));
    if (!options.dnsServers.empty())
      if (const int rc = ares_set_servers_ports_csv(channel_, options.dnsServers.c_str()); rc != ARES_SUCCESS) {
        ares_destroy(channel_);
        throw std::runtime_error("bad DNS servers '" + options.dnsServers + "' (REMOTE_CL_DNS_SERVERS, IP[:PORT],...): " +
                                 ares_strerror(rc));
      }
  }
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;
  // Pending queries end with ARES_EDESTRUCTION: their results must outlive the resolver.
  ~Resolver() { ares_destroy(channel_); }

  ares_channel channel() const { return channel_; }

  // Serves the channel's sockets until no query is pending; at `deadline` the
  // rest are cancelled (their callbacks see ARES_ECANCELLED).
  void run(Clock::time_point deadline) {
    for (;;) {
      ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
      const int bits = ares_getsock(channel_, sockets, ARES_GETSOCK_MAXNUM);
      pollfd fds[ARES_GETSOCK_MAXNUM];
      nfds_t count = 0;
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        const short events = static_cast<short>((ARES_GETSOCK_READABLE(bits, i) ? POLLIN : 0) |
                                                (ARES_GETSOCK_WRITABLE(bits, i) ? POLLOUT : 0));
        if (events != 0) fds[count++] = pollfd{sockets[i], events, 0};
      }
      if (count == 0) return;
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        ares_cancel(channel_);
        return;
      }
      timeval most{static_cast<time_t>(left.count() / 1000000), static_cast<suseconds_t>(left.count() % 1000000)};
      timeval wait{};
      const timeval* next = ares_timeout(channel_, &most, &wait);
      const int ms = static_cast<int>(next->tv_sec * 1000 + (next->tv_usec + 999) / 1000);
      const int ready = poll(fds, count, ms);
      if (ready < 0 && errno != EINTR) {
        ares_cancel(channel_);
        return;
      }
      if (ready <= 0) {
        ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // retries and timeouts
        continue;
      }
      for (nfds_t i = 0; i < count; ++i)
        ares_process_fd(channel_, (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD,
                        (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD);
    }
  }

 private:
  ares_channel channel_ = nullptr;
};

struct SrvAnswer {
  int status = ARES_ENOTFOUND;
  std::vector<SrvTarget> targets;
};

void onSrv(void* arg, int status, int /*timeouts*/, unsigned char* answer, int length) {
  auto& out = *static_cast<SrvAnswer*>(arg);
  out.status = status;
  if (status != ARES_SUCCESS) return;
  ares_srv_reply* replies = nullptr;
  out.status = ares_parse_srv_reply(answer, length, &replies);
  for (const auto* r = replies; r != nullptr; r = r->next)
    if (r->host != nullptr && std::string(r->host) != "." && std::string(r->host) != "")  // "." : no service there
      out.targets.push_back(SrvTarget{r->host, r->port, r->priority, r->weight});
  if (replies != nullptr) ares_free_data(replies);
}

struct AddressAnswer {
  int status = ARES_ENOTFOUND;
  std::optional<std::string> address;
};

// Both families are asked (AF_UNSPEC: A and AAAA); a target with only an AAAA
// record is reached at tcp://[ADDRESS]:PORT. preferredAddress picks one of a
// name with both.
void onAddress(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto& out = *static_cast<AddressAnswer*>(arg);
  out.status = status;
  if (result == nullptr) return;
  std::vector<std::string> found;
  for (const auto* node = result->nodes; node != nullptr; node = node->ai_next) {
    if (node->ai_family != AF_INET && node->ai_family != AF_INET6) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = node->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(node->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(node->ai_addr)->sin6_addr);
    if (inet_ntop(node->ai_family, raw, text, sizeof text) != nullptr) found.emplace_back(text);
  }
  out.address = preferredAddress(found);
  ares_freeaddrinfo(result);
}

// The endpoints of one SRV record's targets, in RFC 2782 order.
std::vector<std::string> resolve(const std::string& entry, const DiscoveryOptions& options, std::mt19937_64& random) {
  const std::string name = entry.substr(std::char_traits<char>::length(kSrvScheme));
  SrvAnswer srv;  // before the resolver: it outlives the resolver's last callback
  std::vector<SrvTarget> targets;
  std::vector<AddressAnswer> addresses;
  Resolver resolver(options);
  ares_search(resolver.channel(), name.c_str(), ns_c_in, ns_t_srv, onSrv, &srv);
  resolver.run(Clock::now() + options.timeout);
  if (srv.status != ARES_SUCCESS) {
    log().warn("remote-cl: DNS SRV lookup of {} failed ({}); it gives no server", name, ares_strerror(srv.status));
    return {};
  }
  targets = orderSrvTargets(std::move(srv.targets), random);
  addresses.resize(targets.size());  // never resized again: the callbacks hold pointers into it
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  for (std::size_t i = 0; i < targets.size(); ++i)
    ares_getaddrinfo(resolver.channel(), targets[i].host.c_str(), nullptr, &hints, onAddress, &addresses[i]);
  resolver.run(Clock::now() + options.timeout);
  std::vector<std::string> endpoints;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!addresses[i].address) {
      log().warn("remote-cl: {} (a target of {}) has no address ({}); skipped", targets[i].host, name,
                 ares_strerror(addresses[i].status));
      continue;
    }
    endpoints.push_back(tcpEndpoint(*addresses[i].address, targets[i].port));
    log().info("remote-cl: {} names {} ({}), priority {}, weight {}", name, endpoints.back(), targets[i].host,
               targets[i].priority, targets[i].weight);
  }
  if (targets.empty()) log().warn("remote-cl: DNS SRV record {} has no target; it gives no server", name);
  return endpoints;
}

}  // namespace

std::vector<std::string> expandServerEntries(const std::vector<std::string>& entries, const DiscoveryOptions& options) {
  std::vector<std::string> endpoints;
  std::mt19937_64 random{std::random_device{}()};
  for (const auto& entry : entries) {
    if (!isSrvEntry(entry)) {
      endpoints.push_back(entry);
      continue;
    }
    try {
      for (auto& endpoint : resolve(entry, options, random)) endpoints.push_back(std::move(endpoint));
    } catch (const std::exception& e) {
      log().warn("remote-cl: cannot resolve {}: {}; it gives no server", entry, e.what());
    }
  }
  // A server named twice (listed and discovered) is one server.
  std::vector<std::string> unique;
  for (auto& e : endpoints)
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(std::move(e));
  return unique;
}

}  // namespace rcl::icd
