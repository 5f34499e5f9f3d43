// Tracing, switched on by REMOTE_CL_TRACE=FILE (or `trace = FILE` in the
// config file): every call the driver sends is recorded with its duration,
// bytes moved, round trips and result. At exit the driver prints a summary
// table on stderr (calls, time, round trips, bytes, per call) and writes FILE,
// a Chrome trace-event JSON file that Perfetto or chrome://tracing opens as
// a timeline.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <CL/cl.h>

namespace rcl::icd {

class Tracer {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Tracer(std::string path);
  ~Tracer();  // prints the summary, writes the file
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  void record(const char* call, Clock::time_point start, Clock::time_point end, std::size_t bytesOut,
              std::size_t bytesIn, bool roundTrip, cl_int status);

 private:
  struct Entry {
    const char* call;
    double startUs;
    double durationUs;
    std::size_t bytesOut;
    std::size_t bytesIn;
    bool roundTrip;
    cl_int status;
    std::uint64_t thread;
  };
  void printSummary() const;
  void writeJson() const;

  const std::string path_;
  const Clock::time_point origin_ = Clock::now();
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
};

}  // namespace rcl::icd
