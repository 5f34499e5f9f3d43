// What the client learns of a program's kernels with their build
// (protocol/program_kernels.h) must be what the platform says: the size a
// by-value argument of a typedef'd or struct type takes (the server probes
// it; the client then judges clSetKernelArg at the call), and the work-group
// information that never changes after the build (the client answers it, and
// checks launches with it). Each is compared with a kernel the client knows
// nothing of (clCreateKernelsInProgram's: its arguments are judged, and its
// work-group information answered, by the server), on a kernel from
// clCreateKernel and its clone, and again after a rebuild with other values.
// Natively the comparisons hold trivially; the expected values hold both ways.

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

constexpr const char* kArgsSource = R"CLC(
typedef float2 real2;
typedef struct { int a; float b; } pair_t;
kernel void k(global float* out, const real2 r, pair_t p) { out[0] = r.x + r.y + (float)p.a + p.b; }
)CLC";

struct Pair {
  cl_int a;
  cl_float b;
};

using KernelOfBuildTest = ClTest;

// The kernel named `name` of those clCreateKernelsInProgram makes of `program`.
Kernel kernelInProgram(cl_program program, const std::string& name) {
  cl_uint count = 0;
  EXPECT_EQ(clCreateKernelsInProgram(program, 0, nullptr, &count), CL_SUCCESS);
  std::vector<cl_kernel> kernels(count);
  EXPECT_EQ(clCreateKernelsInProgram(program, count, kernels.data(), nullptr), CL_SUCCESS);
  Kernel found;
  for (cl_kernel k : kernels) {
    std::string n;
    EXPECT_EQ(queryString(&n, clGetKernelInfo, k, CL_KERNEL_FUNCTION_NAME), CL_SUCCESS);
    if (n == name && found.get() == nullptr) {
      found.reset(k);
    } else {
      clReleaseKernel(k);
    }
  }
  return found;
}

// A launch of `kernel` (out, r, p set) on one item: out[0].
float launch(cl_command_queue queue, cl_kernel kernel, cl_mem out) {
  const size_t one = 1;
  EXPECT_EQ(clEnqueueNDRangeKernel(queue, kernel, 1, nullptr, &one, &one, 0, nullptr, nullptr), CL_SUCCESS);
  float result = 0.0f;
  EXPECT_EQ(clEnqueueReadBuffer(queue, out, CL_TRUE, 0, sizeof result, &result, 0, nullptr, nullptr), CL_SUCCESS);
  return result;
}

TEST_F(KernelOfBuildTest, TypedefAndStructArgumentsAreJudgedAsThePlatformJudgesThem) {
  for (const char* options : {"", "-cl-kernel-arg-info"}) {
    Program program;
    ASSERT_NO_FATAL_FAILURE(buildOrFail(kArgsSource, &program, options));
    Kernel kernel;
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "k", &kernel));
    Kernel live = kernelInProgram(program, "k");
    ASSERT_NE(live.get(), nullptr) << "clCreateKernelsInProgram made no kernel k";
    const std::vector<unsigned char> zeros(4096, 0);
    for (cl_uint index : {1u, 2u}) {
      for (size_t size : {size_t{1}, size_t{4}, size_t{7}, size_t{8}, size_t{9}, size_t{16}, size_t{1025}, size_t{4096}}) {
        const cl_int platform = clSetKernelArg(live, index, size, zeros.data());
        EXPECT_EQ(clSetKernelArg(kernel, index, size, zeros.data()), platform)
            << "argument " << index << " of " << size << " bytes, options '" << options << "'";
      }
      EXPECT_EQ(clSetKernelArg(kernel, index, 8, nullptr), CL_INVALID_ARG_VALUE) << "argument " << index << " with no value";
    }
    // The right sizes, then a launch: the values arrive.
    cl_int error = CL_SUCCESS;
    Mem out(clCreateBuffer(context_, CL_MEM_READ_WRITE, sizeof(cl_float), nullptr, &error));
    CL_CHECK(error);
    const cl_float2 r = {{1.5f, 2.0f}};
    const Pair p{40, 0.25f};
    for (int round = 0; round < 2; ++round) {
      Kernel fresh;
      ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "k", &fresh));
      const Pair q{p.a + round, p.b};
      CL_CHECK(clSetKernelArg(fresh, 0, sizeof(cl_mem), out.address()));
      CL_CHECK(clSetKernelArg(fresh, 1, sizeof r, &r));
      CL_CHECK(clSetKernelArg(fresh, 2, sizeof q, &q));
      EXPECT_EQ(launch(queue_, fresh, out), 43.75f + static_cast<float>(round)) << "round " << round << ", options '" << options << "'";
    }
  }
}

constexpr const char* kGroupsSource = R"CLC(
kernel __attribute__((reqd_work_group_size(X, 1, 1))) void fixed(global float* p) {
  local float tile[16 * X];
  float scratch[64];
  for (int i = 0; i < 64; ++i) scratch[i] = p[(get_global_id(0) + i) % 8];
  tile[get_local_id(0)] = scratch[get_local_id(0) % 64];
  barrier(CLK_LOCAL_MEM_FENCE);
  p[get_global_id(0)] = tile[(get_local_id(0) + 1) % X] + 1.0f;
}
kernel void free_size(global float* p) { p[get_global_id(0)] += 2.0f; }
)CLC";

struct GroupInfo {
  size_t groupSize = 0;
  std::array<size_t, 3> compileSize{};
  size_t preferredMultiple = 0;
  cl_ulong privateBytes = 0;
  cl_ulong localBytes = 0;  // no __local argument set: the kernel's own
  bool operator==(const GroupInfo& o) const {
    return groupSize == o.groupSize && compileSize == o.compileSize && preferredMultiple == o.preferredMultiple &&
           privateBytes == o.privateBytes && localBytes == o.localBytes;
  }
};

GroupInfo groupInfo(cl_kernel kernel, cl_device_id device) {
  GroupInfo g;
  EXPECT_EQ(clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_WORK_GROUP_SIZE, sizeof g.groupSize, &g.groupSize,
                                     nullptr),
            CL_SUCCESS);
  size_t size = 0;
  EXPECT_EQ(clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof g.compileSize,
                                     g.compileSize.data(), &size),
            CL_SUCCESS);
  EXPECT_EQ(size, sizeof g.compileSize);
  EXPECT_EQ(clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE,
                                     sizeof g.preferredMultiple, &g.preferredMultiple, nullptr),
            CL_SUCCESS);
  EXPECT_EQ(clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_PRIVATE_MEM_SIZE, sizeof g.privateBytes,
                                     &g.privateBytes, nullptr),
            CL_SUCCESS);
  EXPECT_EQ(clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_LOCAL_MEM_SIZE, sizeof g.localBytes, &g.localBytes,
                                     nullptr),
            CL_SUCCESS);
  // Too small a place: refused, natively and remotely.
  cl_uint small = 0;
  EXPECT_EQ(clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_WORK_GROUP_SIZE, sizeof small, &small, nullptr),
            CL_INVALID_VALUE);
  return g;
}

TEST_F(KernelOfBuildTest, WorkGroupInformationOfTheBuildStaysRightAcrossKernelsAndRebuilds) {
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(kGroupsSource, &program, "-DX=2"));
  cl_int error = CL_SUCCESS;
  Mem buffer(clCreateBuffer(context_, CL_MEM_READ_WRITE, 8 * sizeof(cl_float), nullptr, &error));
  CL_CHECK(error);
  for (size_t x : {size_t{2}, size_t{4}}) {
    if (x == 4) {  // The same program built again: other values, none of the old ones kept.
      CL_CHECK(clBuildProgram(program, 1, &device_, "-DX=4", nullptr, nullptr));
    }
    for (const char* name : {"fixed", "free_size"}) {
      const bool fixed = std::string(name) == "fixed";
      Kernel kernel;
      ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, name, &kernel));
      Kernel clone(clCloneKernel(kernel, &error));
      CL_CHECK(error);
      Kernel live = kernelInProgram(program, name);
      ASSERT_NE(live.get(), nullptr) << "clCreateKernelsInProgram made no kernel " << name;
      const GroupInfo expected = groupInfo(live, device_);
      const std::array<size_t, 3> compile = fixed ? std::array<size_t, 3>{x, 1, 1} : std::array<size_t, 3>{0, 0, 0};
      EXPECT_EQ(expected.compileSize, compile) << name << ", X=" << x;
      EXPECT_GT(expected.groupSize, 0u) << name;
      EXPECT_GT(expected.preferredMultiple, 0u) << name;
      if (fixed) {
        EXPECT_GE(expected.localBytes, 16 * x * sizeof(cl_float)) << "the kernel's own __local tile, X=" << x;
      }
      EXPECT_TRUE(groupInfo(kernel, device_) == expected) << name << " from clCreateKernel, X=" << x;
      EXPECT_TRUE(groupInfo(clone, device_) == expected) << name << " from clCloneKernel, X=" << x;
      EXPECT_TRUE(groupInfo(kernel, nullptr) == expected) << name << ", no device named, X=" << x;
      // Launches are checked against them, at the call: a local size other than
      // the required one is refused, the required one runs.
      CL_CHECK(clSetKernelArg(kernel, 0, sizeof(cl_mem), buffer.address()));
      const size_t global = 8, wrong = x == 2 ? 4 : 2;
      if (fixed) {
        EXPECT_EQ(clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, &wrong, 0, nullptr, nullptr),
                  CL_INVALID_WORK_GROUP_SIZE)
            << "local size " << wrong << " for reqd_work_group_size(" << x << ")";
      }
      CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, &x, 0, nullptr, nullptr));
      CL_CHECK(clFinish(queue_));
    }
  }
}

}  // namespace
}  // namespace rcl::test
