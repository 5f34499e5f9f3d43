#pragma once
// The vector-add kernel shared by several integration tests, and a CPU-checked run of it.

#include <CL/cl.h>

#include <string>
#include <vector>

namespace rcl::test {

inline constexpr const char* kVectorAddSource = R"CLC(
__kernel void vector_add(__global const int* a, __global const int* b, __global int* c) {
  const size_t i = get_global_id(0);
  c[i] = a[i] + b[i];
}
)CLC";

// Deterministic inputs: a[i] = seed + i, b[i] = 3 * i - seed.
std::vector<cl_int> vectorAddInputA(size_t count, int seed);
std::vector<cl_int> vectorAddInputB(size_t count, int seed);

// Creates buffers, runs vector_add (a `kernel` from kVectorAddSource in `context`) on `queue` and
// compares every element with the CPU sum. Returns "" on success, else what went wrong. Usable
// from any thread (no gtest assertions inside).
std::string runCheckedVectorAdd(cl_context context, cl_command_queue queue, cl_kernel kernel, size_t count,
                                int seed);

}  // namespace rcl::test
