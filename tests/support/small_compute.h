#pragma once
// A small computation for tests that run OpenCL in a child process (exit codes, not gtest
// assertions): c = a + b on 1024 ints, in a context of its own on `device`.

#include <CL/cl.h>

namespace rcl::test {

// 0 if the result is right, else the step that failed: 100 context, 101 queue, 102 program,
// 103 kernel, 104 buffers, 105 arguments, 106 launch, 107 read, 108 wrong result.
int addVectors(cl_device_id device);

// The first device of the first platform; nullptr if there is none.
cl_device_id firstDevice();

}  // namespace rcl::test
