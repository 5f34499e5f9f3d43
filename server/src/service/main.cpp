// remote-cl-server: replays the OpenCL calls of remote clients on this
// host's real OpenCL platform.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "rcl/protocol/message.h"
#include "rcl/protocol/unique_fd.h"
#include "rcl/server/ops/registry.h"
#include "rcl/server/service/platforms.h"
#include "rcl/server/service/router.h"
#include "rcl/server/support/security.h"
#include "rcl/server/service/worker.h"

namespace {
// Set by the signals, read by the main loop: nothing else is global.
std::atomic<bool> g_stop{false};  // a worker: any SIGINT/SIGTERM ends its session
std::atomic<int> g_request{0};    // the listening server: rcl::server::StopRequest
std::atomic<int> g_wake{-1};      // the listening server: a pipe's end written after g_request changed
void onSignal(int signal) {
  g_stop = true;
  int none = static_cast<int>(rcl::server::StopRequest::None);
  // The first SIGTERM drains; a second one, or SIGINT, stops now.
  if (signal != SIGTERM ||
      !g_request.compare_exchange_strong(none, static_cast<int>(rcl::server::StopRequest::Drain)))
    g_request = static_cast<int>(rcl::server::StopRequest::Now);
  if (const int fd = g_wake.load(); fd >= 0) (void)!write(fd, "!", 1);  // wakes the router's poll
}
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"remote-cl-server: offers this host's OpenCL platforms to remote-cl clients"};
  rcl::server::RouterOptions options;
  std::string platform;
  bool verbose = false;
  // Longer than a client's default dead_after_ms (10 s), so that a network
  // hiccup the client survives does not free its session here first.
  double clientTimeout = 15.0;
  app.add_option("--listen", options.listen, "ZeroMQ endpoint to listen on (tcp://HOST:PORT, ipc://PATH)")
      ->capture_default_str();
  app.add_option("--platform", platform, "offer only this platform: an index or a substring of its name");
  app.add_option("--client-timeout", clientTimeout, "seconds of silence after which a client's session is freed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("-v,--verbose", verbose, "log every session event and failed call");
  double drainGrace = 30.0;
  app.add_option("--drain-grace", drainGrace,
                 "on SIGTERM, refuse new sessions and let running ones go on for up to this many seconds, then end "
                 "them and exit 0 (a second SIGTERM, or SIGINT, ends them at once)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  std::string pluginsDir;
  bool noOps = false;
  auto* plugins = app.add_option("--plugins", pluginsDir,
                                 "load the operations of every *.so in this folder (include/rcl/rcl_plugin.h)")
                      ->check(CLI::ExistingDirectory);
  app.add_flag("--no-ops", noOps, "offer no operations: no cl_rcl_ops extension (CL/cl_remote.h)")
      ->excludes(plugins);
  auto& limits = options.session;
  app.add_option("--max-objects", limits.maxObjects,
                 "objects one session may hold (events aside); an allowed client's objects=N replaces it for its "
                 "sessions")
      ->capture_default_str();
  app.add_option("--max-memory", limits.maxMemoryBytes,
                 "bytes of device memory one session may hold in memory objects (0: as much as the device has); an "
                 "allowed client's memory=SIZE replaces it for its sessions")
      ->capture_default_str();
  app.add_option("--max-message", limits.maxMessageBytes, "bytes one request may carry, bulk data included")
      ->capture_default_str();
  rcl::server::SecurityOptions security;
  auto* keyFile = app.add_option("--curve-secret-key-file", security.secretKeyFile,
                                 "CURVE: this server's secret key (remote-cl-keygen); encrypts every connection")
                      ->check(CLI::ExistingFile);
  auto* allowed = app.add_option("--allowed-clients", security.allowedClientsFile,
                                 "CURVE: the clients allowed in, one a line: KEY [NAME] [sessions=N] [memory=SIZE] "
                                 "[objects=N] (# comments)")
                      ->check(CLI::ExistingFile);
  keyFile->needs(allowed);
  allowed->needs(keyFile);
  app.add_flag("--insecure", security.insecure,
               "listen on a non-loopback endpoint without CURVE keys (anyone who reaches it may use the devices)");
  app.add_option("--session-ports", options.sessionPorts,
                 "tcp: the ports sessions listen on, FIRST-LAST (default: any free port)")
      ->check([](const std::string& range) {
        unsigned first = 0, last = 0;
        char end = 0;
        return std::sscanf(range.c_str(), "%u-%u%c", &first, &last, &end) == 2 && first > 0 && first <= last &&
                       last <= 65535
                   ? std::string()
                   : std::string("expected FIRST-LAST, two ports");
      });
  double workerStartTimeout = std::chrono::duration<double>(options.workerStartTimeout).count();
  app.add_option("--worker-start-timeout", workerStartTimeout,
                 "seconds a session's worker may take to get ready (its platforms initialised) before the client is "
                 "refused")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  std::string testDelay;
  app.add_option("--test-delay-call", testDelay,
                 "tests only: every call NAME stays MS milliseconds inside the real platform (NAME=MS), as a slow "
                 "driver would")
      ->group("Testing")
      ->check([](const std::string& value) {
        const auto equals = value.find('=');
        return equals != std::string::npos && equals > 0 &&
                       value.find_first_not_of("0123456789", equals + 1) == std::string::npos &&
                       equals + 1 < value.size()
                   ? std::string()
                   : std::string("expected NAME=MS");
      });
  unsigned testDelayStart = 0;
  app.add_option("--test-delay-start", testDelayStart,
                 "tests only: each session's worker waits MS milliseconds before it initialises its platforms, as a "
                 "slow driver would")
      ->group("Testing");
  app.add_flag("--test-no-platform-info", options.session.refusePlatformInfo,
               "tests only: refuse the client's PlatformInfoAll as a server before it did (the client then asks its "
               "platforms' and devices' information as it did with such a server)")
      ->group("Testing");
  bool threads = false;
  app.add_flag("--threads", threads,
               "run sessions as threads of this process, not worker processes (a fault in one session ends all)");
  // Internal: the listening server starts each session's worker with these.
  std::string workerSession;
  rcl::server::WorkerArgs worker;
  app.add_option("--worker", workerSession)->group("");
  app.add_option("--bind", worker.bind)->group("");
  app.add_option("--client", worker.client)->group("");
  CLI11_PARSE(app, argc, argv);
  const bool isWorker = !workerSession.empty();

  auto logger = spdlog::stderr_color_mt("remote-cl-server");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern(isWorker ? "%Y-%m-%d %H:%M:%S.%e [%l] worker %P: %v" : "%Y-%m-%d %H:%M:%S.%e [%l] %v");
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::flush_on(spdlog::level::info);
  options.session.clientTimeout = std::chrono::milliseconds(static_cast<long>(clientTimeout * 1000));
  if (!testDelay.empty()) {
    const auto equals = testDelay.find('=');
    options.session.delayCall = testDelay.substr(0, equals);
    options.session.delayFor = std::chrono::milliseconds(std::stol(testDelay.substr(equals + 1)));
    if (!isWorker) spdlog::warn("testing: every {} takes {} ms more", options.session.delayCall, testDelay.substr(equals + 1));
  }

  // If remote-cl's own ICD is installed here too, the OpenCL loader loads it
  // into this process: it must not connect anywhere (a loop back to a server).
  setenv("REMOTE_CL_SERVERS", "", 1);
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    options.session.security = std::make_shared<const rcl::server::Security>(security);
    options.session.security->checkBindable(isWorker ? worker.bind : options.listen);  // before any slow start
    if (!isWorker)
      for (const auto& warning : options.session.security->warnings()) spdlog::warn("{}", warning);
    if (!noOps) {
      auto registry = std::make_shared<rcl::server::ops::Registry>();
      if (!pluginsDir.empty()) registry->loadPlugins(pluginsDir);
      if (!isWorker) spdlog::info("offering {} operations (cl_rcl_ops)", registry->all().size());
      options.session.ops = std::move(registry);
    }
    if (isWorker) {
      worker.session = std::stoull(workerSession, nullptr, 16);
      for (const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(testDelayStart);
           !g_stop && std::chrono::steady_clock::now() < until;)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return rcl::server::runWorker(worker, rcl::server::findPlatforms(platform), options.session, g_stop);
    }
    options.isolate = !threads;
    options.workerExe = "/proc/self/exe";
    options.workerArgs = options.session.security->workerArgs();
    options.workerArgs.insert(options.workerArgs.end(), {"--client-timeout", std::to_string(clientTimeout)});
    if (!platform.empty()) options.workerArgs.insert(options.workerArgs.end(), {"--platform", platform});
    if (noOps) options.workerArgs.push_back("--no-ops");
    if (!pluginsDir.empty()) options.workerArgs.insert(options.workerArgs.end(), {"--plugins", pluginsDir});
    if (verbose) options.workerArgs.push_back("--verbose");
    if (!testDelay.empty()) options.workerArgs.insert(options.workerArgs.end(), {"--test-delay-call", testDelay});
    if (options.session.refusePlatformInfo) {
      options.workerArgs.push_back("--test-no-platform-info");
      spdlog::warn("testing: sessions refuse PlatformInfoAll, as a server before it did");
    }
    if (testDelayStart != 0) {
      options.workerArgs.insert(options.workerArgs.end(), {"--test-delay-start", std::to_string(testDelayStart)});
      spdlog::warn("testing: every session's worker starts {} ms late", testDelayStart);
    }
    options.workerStartTimeout = std::chrono::milliseconds(static_cast<long>(workerStartTimeout * 1000));
    // The limits (--max-*) the router gives each worker: the server's, or its client key's.
    options.drainGrace = std::chrono::milliseconds(static_cast<long>(drainGrace * 1000));
    rcl::server::Router router(options, rcl::server::findPlatforms(platform));
    // The signals wake the router through a pipe: it sleeps while nothing happens.
    int wake[2];
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe failed");
    const rcl::protocol::UniqueFd wakeRead(wake[0]), wakeWrite(wake[1]);
    g_wake = wakeWrite.get();
    // Scripts and tests wait for this line; it names the endpoint really bound.
    std::printf("listening on %s\n", router.endpoint().c_str());
    std::fflush(stdout);
    spdlog::info("listening on {} (protocol {}; {})", router.endpoint(), rcl::protocol::kProtocolVersion,
                 options.session.security->describe());
    router.run(g_request, wakeRead.get());
    g_wake = -1;
    spdlog::info("stopping");
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  return 0;
}
