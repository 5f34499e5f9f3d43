// Tracing, switched on by REMOTE_CL_TRACE=FILE (or `trace = FILE` in the
// config file): every call the driver sends is recorded with its duration,
// bytes moved, round trips and result. At exit the driver prints a summary
// table on stderr (calls, time, round trips, bytes, per call) and writes FILE,
// a Chrome trace-event JSON file that Perfetto or chrome://tracing opens as
// a timeline: the calls on their threads, and each queue's commands (kernels
// by name, transfers) on a row of their own, timed on the server's device.
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
  ~Tracer();  // finish(), if not done yet
  // Prints the summary and writes the file, once; what is recorded later is dropped.
  void finish();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  void record(const char* call, Clock::time_point start, Clock::time_point end, std::size_t bytesOut,
              std::size_t bytesIn, bool roundTrip, cl_int status);
  // A command that ran on the device for `ran` (as the server measured it,
  // from CL_RUNNING to CL_COMPLETE) and whose completion reached the client
  // at `completed`. `queue`: the id of its queue (one row per queue).
  void recordCommand(std::string name, std::uint64_t queue, Clock::time_point completed,
                     std::chrono::nanoseconds ran, cl_int status);

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
  struct CommandEntry {
    std::string name;
    std::uint64_t queue;
    double startUs;
    double durationUs;
    cl_int status;
  };
  void printSummary() const;
  void printCommandSummary() const;
  void writeJson() const;

  const std::string path_;
  const Clock::time_point origin_ = Clock::now();
  mutable std::mutex mutex_;
  bool finished_ = false;
  std::once_flag finishOnce_;
  std::vector<Entry> entries_;
  std::vector<CommandEntry> commands_;
};


}  // namespace rcl::icd
