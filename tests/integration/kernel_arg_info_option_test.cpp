// -cl-kernel-arg-info as the application gave it: remotely the server always
// builds with it (protocol/kernel_arg_info_option.h), and the application sees
// its program as it built it, as natively on PoCL: CL_PROGRAM_BUILD_OPTIONS
// as given (PoCL folds blanks), and argument information only for a build
// whose options name the option, or are NULL (PoCL keeps it then).

#include <string>

#include "rcl_test.h"

namespace rcl::test {
namespace {

using KernelArgInfoOptionTest = ClTest;

constexpr const char* kArgInfoSource = "__kernel void k(__global float* out, const int n) { out[0] = n; }\n";

struct Case {
  const char* options;       // the application's (nullptr: NULL)
  const char* answered;      // CL_PROGRAM_BUILD_OPTIONS
  bool argInfo;              // clGetKernelArgInfo answers
};

constexpr Case kBuilds[] = {
    {nullptr, "", true},
    {"", "", false},
    {"-D RCL_N=1", "-D RCL_N=1", false},
    {"-D RCL_N=1 -cl-kernel-arg-info", "-D RCL_N=1 -cl-kernel-arg-info", true},
    {"-cl-kernel-arg-info", "-cl-kernel-arg-info", true},
};

std::string shown(const char* options) { return options == nullptr ? "NULL" : '"' + std::string(options) + '"'; }

// A kernel k's argument information as a program built with `argInfo` (or not) answers it.
void expectKernelArgInfo(const Kernel& kernel, bool argInfo) {
  std::string type;
  if (argInfo) {
    CL_CHECK(queryString(&type, clGetKernelArgInfo, kernel.get(), 1u, CL_KERNEL_ARG_TYPE_NAME));
    EXPECT_EQ(type, "int");
    cl_kernel_arg_address_qualifier address = 0;
    CL_CHECK(queryInfo(&address, clGetKernelArgInfo, kernel.get(), 0u, CL_KERNEL_ARG_ADDRESS_QUALIFIER));
    EXPECT_EQ(address, static_cast<cl_kernel_arg_address_qualifier>(CL_KERNEL_ARG_ADDRESS_GLOBAL));
  } else {
    char value[64];
    size_t size = 12345;
    CL_EXPECT_ERROR(CL_KERNEL_ARG_INFO_NOT_AVAILABLE,
                    clGetKernelArgInfo(kernel.get(), 1u, CL_KERNEL_ARG_TYPE_NAME, sizeof value, value, &size));
    EXPECT_EQ(size, 12345u) << "the size was written though the information is not available";
    CL_EXPECT_ERROR(CL_KERNEL_ARG_INFO_NOT_AVAILABLE,
                    clGetKernelArgInfo(kernel.get(), 0u, CL_KERNEL_ARG_ADDRESS_QUALIFIER, 0, nullptr, &size));
    // (A bad parameter: still not available, as PoCL answers.)
    CL_EXPECT_ERROR(CL_KERNEL_ARG_INFO_NOT_AVAILABLE,
                    clGetKernelArgInfo(kernel.get(), 0u, 0x1234, sizeof value, value, nullptr));
  }
  // The index is checked first, either way.
  CL_EXPECT_ERROR(CL_INVALID_ARG_INDEX, clGetKernelArgInfo(kernel.get(), 2u, CL_KERNEL_ARG_TYPE_NAME, 0, nullptr,
                                                           nullptr));
}

// ... for the kernel of each way to make one: clCreateKernel, clCreateKernelsInProgram, clCloneKernel.
void expectArgInfo(cl_program program, bool argInfo) {
  cl_int error = CL_SUCCESS;
  Kernel kernel(clCreateKernel(program, "k", &error));
  CL_CHECK(error) << "clCreateKernel";
  {
    SCOPED_TRACE("a kernel of clCreateKernel");
    ASSERT_NO_FATAL_FAILURE(expectKernelArgInfo(kernel, argInfo));
  }
  cl_kernel listed = nullptr;
  cl_uint count = 0;
  CL_CHECK(clCreateKernelsInProgram(program, 1, &listed, &count)) << "clCreateKernelsInProgram";
  ASSERT_EQ(count, 1u);
  Kernel inProgram(listed);
  {
    SCOPED_TRACE("a kernel of clCreateKernelsInProgram");
    ASSERT_NO_FATAL_FAILURE(expectKernelArgInfo(inProgram, argInfo));
  }
  Kernel clone(clCloneKernel(kernel.get(), &error));
  CL_CHECK(error) << "clCloneKernel";
  SCOPED_TRACE("a kernel of clCloneKernel");
  ASSERT_NO_FATAL_FAILURE(expectKernelArgInfo(clone, argInfo));
}

TEST_F(KernelArgInfoOptionTest, BuildOptionsAndArgumentInformationAreTheApplications) {
  for (const Case& c : kBuilds) {
    SCOPED_TRACE("clBuildProgram with options " + shown(c.options));
    const char* text = kArgInfoSource;
    cl_int error = CL_SUCCESS;
    Program program(clCreateProgramWithSource(context_, 1, &text, nullptr, &error));
    CL_CHECK(error) << "clCreateProgramWithSource";
    CL_CHECK(clBuildProgram(program, 1, &device_, c.options, nullptr, nullptr));
    std::string options;
    CL_CHECK(queryString(&options, clGetProgramBuildInfo, program.get(), device_, CL_PROGRAM_BUILD_OPTIONS));
    EXPECT_EQ(options, c.answered);
    ASSERT_NO_FATAL_FAILURE(expectArgInfo(program, c.argInfo));
  }
}

// A linked program's argument information follows the link's options (PoCL:
// whatever the compile's were).
TEST_F(KernelArgInfoOptionTest, LinkOptionsDecideALinkedProgramsArgumentInformation) {
  constexpr Case kLinks[] = {
      {nullptr, "", true},
      {"", "", false},
      {"-cl-kernel-arg-info", "-cl-kernel-arg-info", true},
  };
  for (const Case& c : kLinks) {
    SCOPED_TRACE("clLinkProgram with options " + shown(c.options) + ", compiled with \"-D RCL_N=1\"");
    const char* text = kArgInfoSource;
    cl_int error = CL_SUCCESS;
    Program compiled(clCreateProgramWithSource(context_, 1, &text, nullptr, &error));
    CL_CHECK(error) << "clCreateProgramWithSource";
    CL_CHECK(clCompileProgram(compiled, 1, &device_, "-D RCL_N=1", 0, nullptr, nullptr, nullptr, nullptr));
    std::string options;
    CL_CHECK(queryString(&options, clGetProgramBuildInfo, compiled.get(), device_, CL_PROGRAM_BUILD_OPTIONS));
    EXPECT_EQ(options, "-D RCL_N=1") << "the compiled program's";
    cl_program input = compiled.get();
    Program linked(clLinkProgram(context_, 1, &device_, c.options, 1, &input, nullptr, nullptr, &error));
    CL_CHECK(error) << "clLinkProgram";
    CL_CHECK(queryString(&options, clGetProgramBuildInfo, linked.get(), device_, CL_PROGRAM_BUILD_OPTIONS));
    EXPECT_EQ(options, c.answered) << "the linked program's";
    ASSERT_NO_FATAL_FAILURE(expectArgInfo(linked, c.argInfo));
  }
}

}  // namespace
}  // namespace rcl::test
