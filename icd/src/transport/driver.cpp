#include "rcl/icd/transport/driver.h"
#include "rcl/icd/objects/queue_progress.h"

#include <cstdlib>
#include <fstream>
#include <future>
#include <numeric>
#include <optional>
#include <sstream>
#include <utility>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "rcl/icd/support/log.h"

#include "rcl/icd/transport/config.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/transport/placement.h"
#include "rcl/icd/transport/srv_discovery.h"
#include "rcl/protocol/no_destructor.h"

namespace rcl::icd {

spdlog::logger& log() {
  // Not registered with spdlog, so it can clash with nobody's. Never
  // destroyed: the connections' threads may log until Driver::shutdown
  // stopped them, which runs after the static destructors of what was made
  // after the driver (this logger among them).
  static rcl::NoDestructor<spdlog::logger> logger("remote-cl",
                                                  std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  static const bool configured = [] {
    logger.get().set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");
    logger.get().set_level(spdlog::level::warn);
    return true;
  }();
  (void)configured;
  return logger.get();
}

namespace {

// Ends the driver's work when this library is unloaded or the process exits;
// the instance itself stays (no_destructor.h).
struct ShutdownAtExit {
  ~ShutdownAtExit() { Driver::instance().shutdown(); }
};

// One server as the platforms are first listed: its load (when asked) and
// its link, if it answered and is not draining.
struct Found {
  std::unique_ptr<ServerLink> server;
  std::optional<ServerLoad> load;
};

Found reach(zmq::context_t& zmq, const std::string& endpoint, const ClientConfig& config, bool askLoadFirst) {
  Found found;
  if (askLoadFirst) {
    std::string error;
    const auto deadline = std::chrono::steady_clock::now() + config.connection.connectTimeout;
    found.load = askLoad(zmq, endpoint, config.connection.curve, deadline, &error);
    if (!found.load && std::chrono::steady_clock::now() >= deadline) {
      log().warn("remote-cl: server {} did not answer within {} ms: skipped", endpoint,
                 config.connection.connectTimeout.count());
      return found;
    }
    if (!found.load) {
      log().info("remote-cl: server {}: no status ({}); listed after those that answered", endpoint, error);
    } else if (found.load->draining) {
      log().info("remote-cl: server {} is draining: skipped", endpoint);
      return found;
    } else {
      log().debug("remote-cl: server {}: {} busy queues, {} sessions, {} bytes of device memory", endpoint,
                  found.load->busyQueues, found.load->sessions, found.load->memoryBytes);
    }
  }
  auto server = std::make_unique<ServerLink>(zmq, endpoint, config.connection);
  if (server->connect()) found.server = std::move(server);
  return found;
}

}  // namespace

Driver& Driver::instance() {
  // The one ICD instance (the only global state of the driver), never destroyed.
  static rcl::NoDestructor<Driver> driver;
  static ShutdownAtExit shutdownAtExit;
  return driver.get();
}

Driver::Driver() : zmq_(1) {}

const std::vector<cl_platform_id>& Driver::platforms() {
  std::call_once(connected_, [this] { connect(); });
  return platforms_;
}

Connection* Driver::defaultConnection() {
  platforms();
  if (servers_.empty()) return nullptr;
  ServerLink& first = *servers_.front();
  if (Connection* c = first.current(); !c->alive() && !shutDown_) first.reviveFor(c);
  return first.current();
}

void Driver::revive(const Connection* connection) {
  platforms();
  if (shutDown_) return;
  for (auto& server : servers_)
    if (server->reviveFor(connection)) return;
}

void Driver::connect() {
  const ClientConfig config = loadClientConfig();
  log().set_level(spdlog::level::from_str(config.logLevel));
  if (!config.traceFile.empty()) tracer_ = std::make_unique<Tracer>(config.traceFile);
  if (!config.curveError.empty()) {
    log().error("remote-cl: bad CURVE settings: {}; no server is used", config.curveError);
    return;
  }
  if (!config.placementError.empty())
    log().warn("remote-cl: {}; servers are placed least-loaded first", config.placementError);
  // dns+srv:// entries become the endpoints of their targets (srv_discovery.h).
  const auto endpoints = expandServerEntries(config.servers, {config.dnsServers, config.connection.connectTimeout});
  if (endpoints.empty()) {
    if (config.servers.empty())
      log().warn("remote-cl: no server configured (set REMOTE_CL_SERVERS or {})", config.sourceHint);
    else
      log().warn("remote-cl: no server found (REMOTE_CL_SERVERS or {})", config.sourceHint);
    return;
  }
  // With several servers and least-loaded placement, each is asked its load
  // just before its handshake (so this client's own session is counted
  // nowhere); a draining one gets no session (placement.h).
  const bool byLoad = endpoints.size() > 1 && config.placement == Placement::LeastLoaded;
  // Servers are tried side by side, so one dead server costs one timeout in all.
  std::vector<std::future<Found>> pending;
  for (const auto& endpoint : endpoints)
    pending.push_back(std::async(std::launch::async, [this, endpoint, byLoad, &config] {
      return reach(zmq_, endpoint, config, byLoad);
    }));
  std::vector<Found> found;
  std::vector<std::optional<ServerLoad>> loads;
  for (auto& p : pending) {
    found.push_back(p.get());
    loads.push_back(found.back().load);
  }
  std::vector<std::size_t> order(found.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (byLoad) order = orderByLoad(loads);
  // The order is fixed from here on, for the life of the process.
  for (const auto i : order) {
    auto& server = found[i].server;
    if (!server) continue;
    for (auto* platform : server->platforms()) platforms_.push_back(platform);
    servers_.push_back(std::move(server));
  }
}

void Driver::shutdown() {
  if (shutDown_.exchange(true)) return;
  for (auto& server : servers_) server->shutdown();  // each connection says goodbye and stops its threads
  // Then the trace: its receiver threads have recorded every completion that came.
  if (tracer_) tracer_->finish();
  zmq_.close();  // waits for the goodbyes to leave (each socket lingers 200 ms at most)
}

template <> ObjectPool<_cl_platform_id>& Driver::pool() { return platformPool_; }
template <> ObjectPool<_cl_device_id>& Driver::pool() { return devicePool_; }
template <> ObjectPool<_cl_context>& Driver::pool() { return contextPool_; }
template <> ObjectPool<_cl_command_queue>& Driver::pool() { return queuePool_; }
template <> ObjectPool<_cl_mem>& Driver::pool() { return memPool_; }
template <> ObjectPool<_cl_program>& Driver::pool() { return programPool_; }
template <> ObjectPool<_cl_kernel>& Driver::pool() { return kernelPool_; }
template <> ObjectPool<_cl_event>& Driver::pool() { return eventPool_; }
template <> ObjectPool<_cl_sampler>& Driver::pool() { return samplerPool_; }
template <> ObjectPool<_cl_command_buffer_khr>& Driver::pool() { return commandBufferPool_; }

void Driver::recycle(Object* o) {
  // A proxy's address may stand for a new object later: what was kept of this one goes.
  if (!o->pinned) infoCache_.forget(o);
  switch (o->kind) {
    case ObjectKind::Platform: return platformPool_.recycle(static_cast<_cl_platform_id*>(o));
    case ObjectKind::Device: return devicePool_.recycle(static_cast<_cl_device_id*>(o));
    case ObjectKind::Context: {
      auto* c = static_cast<_cl_context*>(o);
      c->devices.clear();
      if (c->notifyCallback != 0 && c->connection != nullptr) c->connection->dropCallback(c->notifyCallback);
      c->notifyCallback = 0;
      return contextPool_.recycle(c);
    }
    case ObjectKind::Queue: {
      auto* q = static_cast<_cl_command_queue*>(o);
      forgetLastCommand(q);
      q->inOrder = -1;
      return queuePool_.recycle(q);
    }
    case ObjectKind::Mem: {
      auto* m = static_cast<_cl_mem*>(o);
      m->shared.reset();  // the memory goes now; the quarantine keeps only the proxy
      return memPool_.recycle(m);
    }
    case ObjectKind::Program: return programPool_.recycle(static_cast<_cl_program*>(o));
    case ObjectKind::Kernel: return kernelPool_.recycle(static_cast<_cl_kernel*>(o));
    case ObjectKind::Event: return eventPool_.recycle(static_cast<_cl_event*>(o));
    case ObjectKind::Sampler: return samplerPool_.recycle(static_cast<_cl_sampler*>(o));
    case ObjectKind::CommandBuffer: {
      auto* b = static_cast<_cl_command_buffer_khr*>(o);
      cl_event last = nullptr;
      {
        std::lock_guard lock(b->lastMutex);
        last = std::exchange(b->lastRun, nullptr);
      }
      if (last != nullptr) unhold(last);
      if (b->queue != nullptr) unhold(b->queue);
      return commandBufferPool_.recycle(b);
    }
    case ObjectKind::None: return;
  }
}

void traceLocalAnswer(const char* call, cl_int status) {
  if (Tracer* tracer = Driver::instance().tracer()) {
    const auto now = Tracer::Clock::now();
    tracer->record(call, now, now, 0, 0, /*roundTrip=*/false, status);
  }
}

void traceWaitForPushes(const char* call, std::chrono::steady_clock::time_point start, bool waited, cl_int status) {
  if (Tracer* tracer = Driver::instance().tracer()) tracer->record(call, start, Tracer::Clock::now(), 0, 0, waited, status);
}

}  // namespace rcl::icd
