// Programs: a failing build (error, log, status), a good one (info round trips, kernels).

#include <algorithm>
#include <sstream>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

using ProgramBuildTest = ClTest;

constexpr const char* kBrokenSource = R"CLC(
__kernel void broken(__global int* out) {
  out[get_global_id(0)] = rcl_undeclared_identifier + 1;
}
)CLC";

constexpr const char* kTwoKernelsSource = R"CLC(
__kernel void scale(__global int* data, int factor) { data[get_global_id(0)] *= factor; }
__kernel void offset(__global int* data, int delta) { data[get_global_id(0)] += delta; }
)CLC";

std::vector<std::string> splitSorted(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  std::sort(parts.begin(), parts.end());
  return parts;
}

TEST_F(ProgramBuildTest, BrokenSourceFailsWithALogNamingTheProblem) {
  ProgramBuild build = buildProgram(context_, device_, kBrokenSource);
  ASSERT_TRUE(build.program) << "clCreateProgramWithSource failed: " << build.describe();
  CL_EXPECT_ERROR(CL_BUILD_PROGRAM_FAILURE, build.error);
  EXPECT_FALSE(build.log.empty());
  EXPECT_NE(build.log.find("rcl_undeclared_identifier"), std::string::npos) << build.log;

  cl_build_status status = CL_BUILD_NONE;
  CL_CHECK(queryInfo(&status, clGetProgramBuildInfo, build.program.get(), device_, CL_PROGRAM_BUILD_STATUS));
  EXPECT_EQ(status, CL_BUILD_ERROR);

  cl_int error = CL_SUCCESS;
  Kernel kernel(clCreateKernel(build.program, "broken", &error));
  EXPECT_EQ(kernel.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_PROGRAM_EXECUTABLE, error);
}

TEST_F(ProgramBuildTest, ProgramInfoRoundTrips) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kTwoKernelsSource, &program));

  cl_build_status status = CL_BUILD_NONE;
  CL_CHECK(queryInfo(&status, clGetProgramBuildInfo, program.get(), device_, CL_PROGRAM_BUILD_STATUS));
  EXPECT_EQ(status, CL_BUILD_SUCCESS);
  size_t kernelCount = 0;
  CL_CHECK(queryInfo(&kernelCount, clGetProgramInfo, program.get(), CL_PROGRAM_NUM_KERNELS));
  EXPECT_EQ(kernelCount, 2u);
  std::string names;
  CL_CHECK(queryString(&names, clGetProgramInfo, program.get(), CL_PROGRAM_KERNEL_NAMES));
  EXPECT_EQ(splitSorted(names, ';'), (std::vector<std::string>{"offset", "scale"})) << names;
  std::string source;
  CL_CHECK(queryString(&source, clGetProgramInfo, program.get(), CL_PROGRAM_SOURCE));
  EXPECT_EQ(source, kTwoKernelsSource);
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetProgramInfo, program.get(), CL_PROGRAM_CONTEXT));
  EXPECT_EQ(context, context_.get());
  cl_uint deviceCount = 0;
  CL_CHECK(queryInfo(&deviceCount, clGetProgramInfo, program.get(), CL_PROGRAM_NUM_DEVICES));
  EXPECT_EQ(deviceCount, 1u);
  std::vector<cl_device_id> devices;
  CL_CHECK(queryVector(&devices, clGetProgramInfo, program.get(), CL_PROGRAM_DEVICES));
  EXPECT_EQ(devices, std::vector<cl_device_id>{device_});
}

TEST_F(ProgramBuildTest, CreateKernelsInProgramReturnsEveryKernel) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kTwoKernelsSource, &program));
  cl_uint count = 0;
  CL_CHECK(clCreateKernelsInProgram(program, 0, nullptr, &count));
  ASSERT_EQ(count, 2u);
  std::vector<cl_kernel> raw(count, nullptr);
  CL_CHECK(clCreateKernelsInProgram(program, count, raw.data(), nullptr));
  std::vector<Kernel> kernels;
  for (cl_kernel k : raw) kernels.emplace_back(k);

  std::vector<std::string> names;
  for (const Kernel& kernel : kernels) {
    std::string name;
    CL_CHECK(queryString(&name, clGetKernelInfo, kernel.get(), CL_KERNEL_FUNCTION_NAME));
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"offset", "scale"}));

  std::vector<cl_kernel> tooFew(1, nullptr);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clCreateKernelsInProgram(program, 1, tooFew.data(), nullptr));
}

TEST_F(ProgramBuildTest, KernelsOfOneProgramComputeTogether) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kTwoKernelsSource, &program));
  Kernel scale, offset;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "scale", &scale));
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "offset", &offset));
  std::vector<cl_int> data(64);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<cl_int>(i);
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(
      bufferOrFail(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, data.size() * sizeof(cl_int), data.data(), &buffer));
  const cl_int factor = 3, delta = -5;
  CL_CHECK(clSetKernelArg(scale, 0, sizeof(cl_mem), buffer.address()));
  CL_CHECK(clSetKernelArg(scale, 1, sizeof factor, &factor));
  CL_CHECK(clSetKernelArg(offset, 0, sizeof(cl_mem), buffer.address()));
  CL_CHECK(clSetKernelArg(offset, 1, sizeof delta, &delta));
  const size_t global = data.size();
  CL_CHECK(clEnqueueNDRangeKernel(queue_, scale, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, offset, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  CL_CHECK(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, data.size() * sizeof(cl_int), data.data(), 0, nullptr,
                               nullptr));
  for (size_t i = 0; i < data.size(); ++i) ASSERT_EQ(data[i], static_cast<cl_int>(i) * 3 - 5) << "element " << i;
}

TEST_F(ProgramBuildTest, BuildOptionsReachTheCompiler) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(
      buildOrFail("__kernel void answer(__global int* out) { *out = RCL_ANSWER; }", &program, "-D RCL_ANSWER=42"));
  std::string options;
  CL_CHECK(queryString(&options, clGetProgramBuildInfo, program.get(), device_, CL_PROGRAM_BUILD_OPTIONS));
  EXPECT_NE(options.find("RCL_ANSWER=42"), std::string::npos) << options;

  Kernel kernel;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "answer", &kernel));
  Mem out;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_WRITE_ONLY, sizeof(cl_int), nullptr, &out));
  CL_CHECK(clSetKernelArg(kernel, 0, sizeof(cl_mem), out.address()));
  CL_CHECK(clEnqueueTask(queue_, kernel, 0, nullptr, nullptr));
  cl_int value = 0;
  CL_CHECK(clEnqueueReadBuffer(queue_, out, CL_TRUE, 0, sizeof value, &value, 0, nullptr, nullptr));
  EXPECT_EQ(value, 42);
}

TEST_F(ProgramBuildTest, UnknownKernelNameIsInvalidKernelName) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kTwoKernelsSource, &program));
  cl_int error = CL_SUCCESS;
  Kernel kernel(clCreateKernel(program, "no_such_kernel", &error));
  EXPECT_EQ(kernel.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_KERNEL_NAME, error);
}

TEST_F(ProgramBuildTest, UnbuiltProgramHasNoExecutable) {
  const char* source = kTwoKernelsSource;
  cl_int error = CL_SUCCESS;
  Program program(clCreateProgramWithSource(context_, 1, &source, nullptr, &error));
  CL_CHECK(error);
  cl_build_status status = CL_BUILD_ERROR;
  CL_CHECK(queryInfo(&status, clGetProgramBuildInfo, program.get(), device_, CL_PROGRAM_BUILD_STATUS));
  EXPECT_EQ(status, CL_BUILD_NONE);
  Kernel kernel(clCreateKernel(program, "scale", &error));
  EXPECT_EQ(kernel.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_PROGRAM_EXECUTABLE, error);
}

}  // namespace
}  // namespace rcl::test
