#pragma once
// Names of OpenCL error codes, for readable assertion messages.

#include <CL/cl.h>

#include <string>

namespace rcl::test {

// "CL_INVALID_VALUE"; unknown codes come back as "unknown OpenCL error -1234".
std::string clErrorName(cl_int code);

}  // namespace rcl::test
