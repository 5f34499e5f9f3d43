// A command's profiling timestamps, pushed with its completion (message.h:
// the event push) when the real platform has them (its queue profiles), so
// that the client answers clGetEventProfilingInfo of a complete event itself.
// On the wire: [queued, submit, start, end, complete], each a u64 or nil where
// the real platform refused that one (the `times` of [pushes.Event] and
// [pushes.ReadData] in codegen/messages.toml).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include <CL/cl.h>

#include "rcl/protocol/codec.h"

namespace rcl::protocol {

inline constexpr std::array<cl_profiling_info, 5> kProfilingParams = {
    CL_PROFILING_COMMAND_QUEUED, CL_PROFILING_COMMAND_SUBMIT, CL_PROFILING_COMMAND_START,
    CL_PROFILING_COMMAND_END, CL_PROFILING_COMMAND_COMPLETE};

// Where `param` is in kProfilingParams (and in ProfilingTimes), or nullopt.
inline std::optional<std::size_t> profilingIndex(cl_profiling_info param) {
  for (std::size_t i = 0; i < kProfilingParams.size(); ++i)
    if (kProfilingParams[i] == param) return i;
  return std::nullopt;
}

// Each timestamp, in the order of kProfilingParams; empty where refused.
using ProfilingTimes = std::array<std::optional<std::uint64_t>, kProfilingParams.size()>;

// Reads the times of a push read by hand (tests/failure; the client and the
// server use push::Event and push::ReadData, codegen/messages.toml). Values
// past the known ones are skipped.
inline ProfilingTimes readProfilingTimes(Reader& r) {
  ProfilingTimes times;
  const std::uint32_t n = r.array();
  for (std::uint32_t i = 0; i < n; ++i) {
    if (r.isNil()) continue;
    const std::uint64_t value = r.u64();
    if (i < times.size()) times[i] = value;
  }
  return times;
}

}  // namespace rcl::protocol
