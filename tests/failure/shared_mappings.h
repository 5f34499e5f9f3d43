#pragma once
// A worker's mappings of shared buffers (the memfds it builds them on), read
// from its /proc/PID/maps: what the shared-memory failure tests check.

#include <sys/types.h>

#include <chrono>
#include <cstddef>

namespace rcl::test {

// How many mappings of shared buffers the process `pid` has.
std::size_t sharedMappings(pid_t pid);

// Waits until `pid` has `count` of them, at most `patience` (the worker
// maps and unmaps in its own time); true if it does.
bool awaitSharedMappings(pid_t pid, std::size_t count, std::chrono::milliseconds patience);

}  // namespace rcl::test
