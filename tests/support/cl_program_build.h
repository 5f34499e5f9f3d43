#pragma once
// Building an OpenCL program from source, keeping the build log for the failure message.

#include <CL/cl.h>

#include <string>

#include "cl_handle.h"

namespace rcl::test {

struct ProgramBuild {
  Program program;     // Set whenever clCreateProgramWithSource succeeded, even if the build failed.
  cl_int error = CL_SUCCESS;  // First failing call's code (create or build), else CL_SUCCESS.
  std::string log;     // CL_PROGRAM_BUILD_LOG for the device.

  bool ok() const { return error == CL_SUCCESS; }
  // For `ASSERT_TRUE(build.ok()) << build.describe();`
  std::string describe() const;
};

ProgramBuild buildProgram(cl_context context, cl_device_id device, const std::string& source,
                          const std::string& options = "");

std::string programBuildLog(cl_program program, cl_device_id device);

}  // namespace rcl::test
