#pragma once
// A small computation for tests that run OpenCL in a child process (whose
// outcome is words, child_process.h): c = a + b on 1024 ints, in a context of
// its own on `device`.

#include <CL/cl.h>

#include <string>

namespace rcl::test {

// "" if the result is right, else which step failed and how
// ("clBuildProgram failed: ...", "c[3] is 5, not 1004"...).
std::string addVectors(cl_device_id device);

// The first device of the first platform; nullptr if there is none.
cl_device_id firstDevice();

// addVectors() on firstDevice(), or "no OpenCL device (clGetPlatformIDs or clGetDeviceIDs failed)".
std::string addVectorsOnFirstDevice();

}  // namespace rcl::test
