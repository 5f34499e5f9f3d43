#include "rcl/icd/transport/server_link.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/support/log.h"

namespace rcl::icd {

using Clock = std::chrono::steady_clock;

ServerLink::ServerLink(zmq::context_t& zmq, std::string endpoint, ConnectionOptions options)
    : zmq_(zmq), endpoint_(std::move(endpoint)), options_(std::move(options)) {}

std::unique_ptr<Connection> ServerLink::open(bool retry) const {
  ConnectionOptions options = options_;
  options.retry = retry;
  return Connection::open(zmq_, endpoint_, options);
}

bool ServerLink::connect() {
  std::lock_guard tryLock(tryMutex_);
  auto connection = open(/*retry=*/false);
  lastTry_ = Clock::now();
  if (!connection) return false;
  adopt(*connection);
  std::lock_guard lock(connectionsMutex_);
  connections_.push_back(std::move(connection));
  current_ = connections_.back().get();
  return true;
}

bool ServerLink::made(const Connection* connection) const {
  std::lock_guard lock(connectionsMutex_);
  return std::any_of(connections_.begin(), connections_.end(),
                     [connection](const auto& c) { return c.get() == connection; });
}

bool ServerLink::reviveFor(const Connection* connection) {
  if (!made(connection)) return false;
  std::lock_guard tryLock(tryMutex_);  // a thread that comes meanwhile finds the outcome
  Connection* dead = current_;
  if (dead == nullptr || dead->alive()) return true;
  if (Clock::now() - lastTry_ < kRetryInterval) return true;
  log().debug("remote-cl: trying server {} again", endpoint_);
  auto fresh = open(/*retry=*/true);
  lastTry_ = Clock::now();
  if (!fresh) return true;
  rebind(*fresh);
  dead->retire();
  {
    std::lock_guard lock(connectionsMutex_);
    connections_.push_back(std::move(fresh));
    current_ = connections_.back().get();
  }
  log().warn("remote-cl: server {} is back: its platforms and devices work again in a new session; objects made "
             "before it was lost keep failing",
             endpoint_);
  return true;
}

void ServerLink::shutdown() {
  std::lock_guard tryLock(tryMutex_);
  std::lock_guard lock(connectionsMutex_);
  for (auto& connection : connections_) connection->shutdown();
}

void ServerLink::adopt(Connection& connection) {
  for (const auto& layout : connection.layout()) {
    auto* platform = Driver::instance().newProxy<_cl_platform_id>();
    platform->id = layout.platform;
    platform->pinned = true;
    activate(platform, &connection);
    for (const auto id : layout.devices) {
      auto* device = Driver::instance().newProxy<_cl_device_id>();
      device->id = id;
      device->pinned = true;
      device->platform = platform;
      activate(device, &connection);
      platform->devices.push_back(device);
    }
    platforms_.push_back(platform);
  }
  connection.setPlatforms(platforms_);
  keepPlatformInfo(connection, Driver::instance().infoCache());
}

namespace {

// The proxy answers for `id` of `connection` from now on; its cached info may be another device's.
void bind(Object* proxy, std::uint64_t id, Connection& connection) {
  proxy->id = id;
  connection.track(proxy);
  proxy->connection = &connection;  // last: who sees the new connection sees the new id
  Driver::instance().infoCache().forget(proxy);
}

}  // namespace

void ServerLink::rebind(Connection& connection) {
  const auto& layout = connection.layout();
  if (layout.size() != platforms_.size())
    log().warn("remote-cl: server {} came back with {} platform(s) instead of {}; the ones past the first {} stay lost",
               endpoint_, layout.size(), platforms_.size(), std::min(layout.size(), platforms_.size()));
  for (std::size_t i = 0; i < std::min(layout.size(), platforms_.size()); ++i) {
    auto* platform = platforms_[i];
    const auto& devices = layout[i].devices;
    if (devices.size() != platform->devices.size())
      log().warn("remote-cl: platform {} of server {} came back with {} device(s) instead of {}", i, endpoint_,
                 devices.size(), platform->devices.size());
    for (std::size_t d = 0; d < std::min(devices.size(), platform->devices.size()); ++d)
      bind(platform->devices[d], devices[d], connection);
    bind(platform, layout[i].platform, connection);
  }
  connection.setPlatforms(platforms_);
  keepPlatformInfo(connection, Driver::instance().infoCache());
}

}  // namespace rcl::icd
