#include "rcl/icd/trace.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

namespace rcl::icd {

Tracer::Tracer(std::string path) : path_(std::move(path)) {}

Tracer::~Tracer() {
  printSummary();
  writeJson();
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
  entries_.push_back(e);
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
}

void Tracer::writeJson() const {
  std::ofstream out(path_);
  if (!out) {
    std::fprintf(stderr, "remote-cl: cannot write the trace to %s\n", path_.c_str());
    return;
  }
  const int pid = getpid();
  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    char line[512];
    std::snprintf(line, sizeof line,
                  "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":%d,\"tid\":%llu,"
                  "\"args\":{\"status\":%d,\"bytes_sent\":%zu,\"bytes_received\":%zu,\"round_trip\":%s}}%s\n",
                  e.call, e.bytesOut + e.bytesIn > 65536 ? "transfer" : (e.roundTrip ? "sync" : "async"), e.startUs,
                  e.durationUs, pid, static_cast<unsigned long long>(e.thread), e.status, e.bytesOut, e.bytesIn,
                  e.roundTrip ? "true" : "false", i + 1 < entries_.size() ? "," : "");
    out << line;
  }
  out << "]}\n";
}

}  // namespace rcl::icd
