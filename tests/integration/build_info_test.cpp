// A build's information (status, options, log, binary type) is kept by
// remote-cl's client after a build it waited for, per device and name, and
// forgotten at the next build or compile: each answer must be the one of the
// program's current build, as natively (this test runs natively too).

#include <string>

#include "rcl_test.h"

namespace rcl::test {
namespace {

using BuildInfoTest = ClTest;

const char* kSource =
    "#ifdef BREAK\n"
    "#error broken on purpose\n"
    "#endif\n"
    "kernel void k(global int* p) { p[0] = VALUE; }\n";

struct BuildInfo {
  cl_build_status status = CL_BUILD_NONE;
  std::string options;
  std::string log;
  cl_program_binary_type binaryType = CL_PROGRAM_BINARY_TYPE_NONE;
};

BuildInfo buildInfo(cl_program program, cl_device_id device) {
  BuildInfo info;
  EXPECT_EQ(queryInfo(&info.status, clGetProgramBuildInfo, program, device, CL_PROGRAM_BUILD_STATUS), CL_SUCCESS);
  EXPECT_EQ(queryString(&info.options, clGetProgramBuildInfo, program, device, CL_PROGRAM_BUILD_OPTIONS), CL_SUCCESS);
  EXPECT_EQ(queryString(&info.log, clGetProgramBuildInfo, program, device, CL_PROGRAM_BUILD_LOG), CL_SUCCESS);
  EXPECT_EQ(queryInfo(&info.binaryType, clGetProgramBuildInfo, program, device, CL_PROGRAM_BINARY_TYPE), CL_SUCCESS);
  return info;
}

TEST_F(BuildInfoTest, EachAnswerIsTheCurrentBuilds) {
  cl_int error = CL_SUCCESS;
  Program program(clCreateProgramWithSource(context_, 1, &kSource, nullptr, &error));
  CL_CHECK(error);
  // Each build twice in a row: the second answers are the first's (kept), and
  // the next build's differ where the build did.
  const struct {
    const char* options;
    cl_int result;
    cl_build_status status;
  } builds[] = {{"-DVALUE=1", CL_SUCCESS, CL_BUILD_SUCCESS},
                {"-DVALUE=2 -cl-mad-enable", CL_SUCCESS, CL_BUILD_SUCCESS},
                {"-DVALUE=3 -DBREAK", CL_BUILD_PROGRAM_FAILURE, CL_BUILD_ERROR},
                {"-DVALUE=4", CL_SUCCESS, CL_BUILD_SUCCESS}};
  for (const auto& build : builds) {
    EXPECT_EQ(clBuildProgram(program, 1, &device_, build.options, nullptr, nullptr), build.result) << build.options;
    const BuildInfo first = buildInfo(program, device_);
    const BuildInfo again = buildInfo(program, device_);
    EXPECT_EQ(first.status, build.status) << build.options;
    EXPECT_EQ(first.options, build.options) << "the options of the build itself";
    if (build.status == CL_BUILD_ERROR)
      EXPECT_NE(first.log.find("broken on purpose"), std::string::npos) << "the failed build's log: " << first.log;
    else
      EXPECT_EQ(first.log.find("broken on purpose"), std::string::npos) << "a later build's log: " << first.log;
    EXPECT_EQ(first.binaryType, build.status == CL_BUILD_SUCCESS ? CL_PROGRAM_BINARY_TYPE_EXECUTABLE
                                                                 : first.binaryType)
        << build.options;
    EXPECT_EQ(again.status, first.status) << build.options;
    EXPECT_EQ(again.options, first.options);
    EXPECT_EQ(again.log, first.log);
    EXPECT_EQ(again.binaryType, first.binaryType);
  }
  // The last build is the one that runs.
  int value = 0;
  CL_CHECK(runOneIntKernel(context_, queue_, program, "k", &value));
  EXPECT_EQ(value, 4);
}

// A size too small for the kept value is refused as the platform refuses it.
TEST_F(BuildInfoTest, AKeptValueRefusesATooSmallSize) {
  cl_int error = CL_SUCCESS;
  Program program(clCreateProgramWithSource(context_, 1, &kSource, nullptr, &error));
  CL_CHECK(error);
  CL_CHECK(clBuildProgram(program, 1, &device_, "-DVALUE=5", nullptr, nullptr));
  for (int twice = 0; twice < 2; ++twice) {
    char tooSmall[4] = {};
    EXPECT_EQ(clGetProgramBuildInfo(program, device_, CL_PROGRAM_BUILD_OPTIONS, sizeof tooSmall, tooSmall, nullptr),
              CL_INVALID_VALUE)
        << "query " << twice;
    size_t size = 0;
    CL_CHECK(clGetProgramBuildInfo(program, device_, CL_PROGRAM_BUILD_OPTIONS, 0, nullptr, &size));
    EXPECT_EQ(size, sizeof "-DVALUE=5") << "query " << twice;
  }
}

}  // namespace
}  // namespace rcl::test
