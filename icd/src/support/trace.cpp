#include "rcl/icd/support/trace.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

namespace rcl::icd {
namespace {

// Trace-event thread ids of the queues' rows, far from the calls' threads.
constexpr std::uint64_t kQueueRows = std::uint64_t{1} << 40;

// A name short enough for one line of a timeline (kernel names are C
// identifiers, but nothing here trusts that; the JSON library escapes it).
std::string shortened(const std::string& name) { return name.substr(0, 200); }

// Microseconds to the nanosecond, as the trace's numbers have always been written.
double microseconds(double us) { return std::round(us * 1000) / 1000; }

}  // namespace

Tracer::Tracer(std::string path) : path_(std::move(path)) {}

Tracer::~Tracer() { finish(); }

void Tracer::finish() {
  std::call_once(finishOnce_, [this] {
    printSummary();
    writeJson();
    std::lock_guard lock(mutex_);
    finished_ = true;
  });
}

void Tracer::record(const char* call, Clock::time_point start, Clock::time_point end, std::size_t bytesOut,
                    std::size_t bytesIn, bool roundTrip, cl_int status) {
  const Entry e{call,
                std::chrono::duration<double, std::micro>(start - origin_).count(),
                std::chrono::duration<double, std::micro>(end - start).count(),
                bytesOut,
                bytesIn,
                roundTrip,
                status,
                std::hash<std::thread::id>{}(std::this_thread::get_id()) & 0xffffff};
  std::lock_guard lock(mutex_);
  if (!finished_) entries_.push_back(e);
}

void Tracer::recordCommand(std::string name, std::uint64_t queue, Clock::time_point completed,
                           std::chrono::nanoseconds ran, cl_int status) {
  const double endUs = std::chrono::duration<double, std::micro>(completed - origin_).count();
  const double durationUs = std::chrono::duration<double, std::micro>(ran).count();
  std::lock_guard lock(mutex_);
  if (finished_) return;
  commands_.push_back(CommandEntry{std::move(name), queue, std::max(0.0, endUs - durationUs), durationUs, status});
}

void Tracer::printSummary() const {
  struct Totals {
    std::size_t calls = 0, errors = 0, roundTrips = 0, bytesOut = 0, bytesIn = 0;
    double us = 0;
  };
  std::map<std::string, Totals> byCall;
  Totals all;
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_) {
    for (Totals* t : {&byCall[e.call], &all}) {
      ++t->calls;
      t->errors += e.status != CL_SUCCESS;
      t->roundTrips += e.roundTrip;
      t->bytesOut += e.bytesOut;
      t->bytesIn += e.bytesIn;
      t->us += e.durationUs;
    }
  }
  std::fprintf(stderr, "\nremote-cl trace summary (%s)\n", path_.c_str());
  std::fprintf(stderr, "%-40s %8s %8s %12s %12s %14s %14s\n", "call", "calls", "errors", "time (ms)", "round trips",
               "bytes sent", "bytes received");
  auto row = [](const std::string& name, const Totals& t) {
    std::fprintf(stderr, "%-40s %8zu %8zu %12.3f %12zu %14zu %14zu\n", name.c_str(), t.calls, t.errors, t.us / 1000,
                 t.roundTrips, t.bytesOut, t.bytesIn);
  };
  for (const auto& [name, t] : byCall) row(name, t);
  row("total", all);
  printCommandSummary();
}

void Tracer::printCommandSummary() const {
  if (commands_.empty()) return;
  struct Totals {
    std::size_t runs = 0, errors = 0;
    double us = 0;
  };
  std::map<std::string, Totals> byName;
  for (const auto& c : commands_) {
    auto& t = byName[c.name];
    ++t.runs;
    t.errors += c.status != CL_COMPLETE;
    t.us += c.durationUs;
  }
  std::fprintf(stderr, "\n%-40s %8s %8s %17s\n", "command on the device", "runs", "errors", "device time (ms)");
  for (const auto& [name, t] : byName)
    std::fprintf(stderr, "%-40s %8zu %8zu %17.3f\n", name.c_str(), t.runs, t.errors, t.us / 1000);
}

void Tracer::writeJson() const {
  std::ofstream out(path_);
  if (!out) {
    std::fprintf(stderr, "remote-cl: cannot write the trace to %s\n", path_.c_str());
    return;
  }
  const int pid = getpid();
  // One event a line, as the JSON library writes it (names escaped; bytes that
  // are not UTF-8 become U+FFFD).
  const char* separator = "";
  auto line = [&](const nlohmann::ordered_json& event) {
    out << separator << event.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
    separator = ",";
  };
  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_) {
    line({{"name", e.call},
          {"cat", e.bytesOut + e.bytesIn > 65536 ? "transfer" : (e.roundTrip ? "sync" : "async")},
          {"ph", "X"},
          {"ts", microseconds(e.startUs)},
          {"dur", microseconds(e.durationUs)},
          {"pid", pid},
          {"tid", e.thread},
          {"args", {{"status", e.status}, {"bytes_sent", e.bytesOut}, {"bytes_received", e.bytesIn},
                    {"round_trip", e.roundTrip}}}});
  }
  // Device commands: one row per queue, named by a metadata event.
  std::set<std::uint64_t> queues;
  for (const auto& c : commands_) {
    const auto row = kQueueRows + c.queue;
    if (queues.insert(c.queue).second) {
      line({{"name", "thread_name"},
            {"ph", "M"},
            {"pid", pid},
            {"tid", row},
            {"args", {{"name", "queue " + std::to_string(c.queue) + " (device)"}}}});
    }
    line({{"name", shortened(c.name)},
          {"cat", c.name.rfind("kernel ", 0) == 0 ? "kernel" : "command"},
          {"ph", "X"},
          {"ts", microseconds(c.startUs)},
          {"dur", microseconds(c.durationUs)},
          {"pid", pid},
          {"tid", row},
          {"args", {{"status", c.status}}}});
  }
  out << "]}\n";
}

}  // namespace rcl::icd
