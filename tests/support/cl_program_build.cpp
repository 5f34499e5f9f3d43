#include "cl_program_build.h"

#include "cl_error_names.h"
#include "cl_info.h"

namespace rcl::test {

std::string ProgramBuild::describe() const {
  return "program build returned " + clErrorName(error) + "; build log:\n" + log;
}

ProgramBuild buildProgram(cl_context context, cl_device_id device, const std::string& source,
                          const std::string& options) {
  ProgramBuild build;
  const char* text = source.c_str();
  const size_t length = source.size();
  build.program.reset(clCreateProgramWithSource(context, 1, &text, &length, &build.error));
  if (build.error != CL_SUCCESS) return build;
  build.error = clBuildProgram(build.program, 1, &device, options.c_str(), nullptr, nullptr);
  build.log = programBuildLog(build.program, device);
  return build;
}

std::string programBuildLog(cl_program program, cl_device_id device) {
  std::string log;
  const cl_int error = queryString(&log, clGetProgramBuildInfo, program, device, CL_PROGRAM_BUILD_LOG);
  return error == CL_SUCCESS ? log : "(CL_PROGRAM_BUILD_LOG unavailable: " + clErrorName(error) + ")";
}

}  // namespace rcl::test
