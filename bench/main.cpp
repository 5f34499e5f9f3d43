// rcl-bench: the measurements of bench/run_bench.py, one mode per invocation (the OpenCL ICD
// loader reads its configuration once per process, so each platform gets its own process).
//
//   rcl-bench measure [--quick] [--json]        OpenCL measurements on the first platform
//   rcl-bench memcpy [--quick] [--json]         memcpy throughput at the transfer sizes
//   rcl-bench zmq-echo --listen ENDPOINT        bare ZeroMQ ROUTER echo; prints "listening on EP"
//   rcl-bench zmq-client ENDPOINT [--quick] [--json]   bare ZeroMQ round trip and throughput
//   rcl-bench zmq-relay --listen ENDPOINT BACKEND      a ROUTER-DEALER proxy in front of BACKEND

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "bench_common.h"

namespace {

int usage() {
  std::fputs(
      "usage: rcl-bench measure [--quick] [--json]\n"
      "       rcl-bench memcpy [--quick] [--json]\n"
      "       rcl-bench zmq-echo --listen ENDPOINT\n"
      "       rcl-bench zmq-client ENDPOINT [--quick] [--json]\n"
      "       rcl-bench zmq-relay --listen ENDPOINT BACKEND\n"
      "The whole benchmark with its table: bench/run_bench.py (see bench/README.md).\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  bool quick = false, json = false;
  std::vector<std::string> positional;
  std::string listen;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--quick") {
      quick = true;
    } else if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--listen" && i + 1 < args.size()) {
      listen = args[++i];
    } else if (args[i].starts_with("--")) {
      return usage();
    } else {
      positional.push_back(args[i]);
    }
  }
  const std::string& mode = args[0];
  try {
    if (mode == "measure" && positional.empty()) return rcl::bench::runOpenClMeasurements(quick, json);
    if (mode == "memcpy" && positional.empty()) return rcl::bench::runMemcpy(quick, json);
    if (mode == "zmq-echo" && !listen.empty() && positional.empty()) return rcl::bench::runZmqEcho(listen);
    if (mode == "zmq-relay" && !listen.empty() && positional.size() == 1)
      return rcl::bench::runZmqRelay(listen, positional[0]);
    if (mode == "zmq-client" && positional.size() == 1)
      return rcl::bench::runZmqClient(positional[0], quick, json);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rcl-bench %s: %s\n", mode.c_str(), e.what());
    return 1;
  }
  return usage();
}
