// Kernel and work-group info, argument info, clSetKernelArg errors.

#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

constexpr const char* kKernelsSource = R"CLC(
__kernel __attribute__((reqd_work_group_size(8, 4, 1)))
void tile_sum(__global int* out, __local int* scratch, int scale) {
  const size_t lx = get_local_id(0), ly = get_local_id(1);
  const size_t slot = ly * 8 + lx;
  scratch[slot] = (int)(get_global_id(1) * get_global_size(0) + get_global_id(0));
  barrier(CLK_LOCAL_MEM_FENCE);
  if (slot == 0) {
    int sum = 0;
    for (int i = 0; i < 32; ++i) sum += scratch[i];
    out[get_group_id(1) * get_num_groups(0) + get_group_id(0)] = sum * scale;
  }
}

__kernel void copy_floats(__global const float* restrict source, __global float* target) {
  target[get_global_id(0)] = source[get_global_id(0)];
}
)CLC";

class KernelInfoTest : public ClTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ClTest::SetUp());
    ASSERT_NO_FATAL_FAILURE(buildOrFail(kKernelsSource, &program_, "-cl-kernel-arg-info"));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "tile_sum", &tileSum_));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "copy_floats", &copyFloats_));
  }

  Program program_;
  Kernel tileSum_;
  Kernel copyFloats_;
};

TEST_F(KernelInfoTest, KernelInfoNamesFunctionArgsContextAndProgram) {
  std::string name;
  CL_CHECK(queryString(&name, clGetKernelInfo, tileSum_.get(), CL_KERNEL_FUNCTION_NAME));
  EXPECT_EQ(name, "tile_sum");
  cl_uint argCount = 0;
  CL_CHECK(queryInfo(&argCount, clGetKernelInfo, tileSum_.get(), CL_KERNEL_NUM_ARGS));
  EXPECT_EQ(argCount, 3u);
  CL_CHECK(queryInfo(&argCount, clGetKernelInfo, copyFloats_.get(), CL_KERNEL_NUM_ARGS));
  EXPECT_EQ(argCount, 2u);
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetKernelInfo, tileSum_.get(), CL_KERNEL_CONTEXT));
  EXPECT_EQ(context, context_.get());
  cl_program program = nullptr;
  CL_CHECK(queryInfo(&program, clGetKernelInfo, tileSum_.get(), CL_KERNEL_PROGRAM));
  EXPECT_EQ(program, program_.get());
}

TEST_F(KernelInfoTest, WorkGroupSizeIsPositiveAndWithinTheDeviceMaximum) {
  size_t deviceMax = 0;
  CL_CHECK(queryInfo(&deviceMax, clGetDeviceInfo, device_, CL_DEVICE_MAX_WORK_GROUP_SIZE));
  for (cl_kernel kernel : {tileSum_.get(), copyFloats_.get()}) {
    size_t size = 0;
    CL_CHECK(queryInfo(&size, clGetKernelWorkGroupInfo, kernel, device_, CL_KERNEL_WORK_GROUP_SIZE));
    EXPECT_GT(size, 0u);
    EXPECT_LE(size, deviceMax);
  }
}

TEST_F(KernelInfoTest, CompileWorkGroupSizeReflectsReqdWorkGroupSize) {
  std::vector<size_t> required;
  CL_CHECK(queryVector(&required, clGetKernelWorkGroupInfo, tileSum_.get(), device_,
                       CL_KERNEL_COMPILE_WORK_GROUP_SIZE));
  EXPECT_EQ(required, (std::vector<size_t>{8, 4, 1}));
  std::vector<size_t> none;
  CL_CHECK(queryVector(&none, clGetKernelWorkGroupInfo, copyFloats_.get(), device_,
                       CL_KERNEL_COMPILE_WORK_GROUP_SIZE));
  EXPECT_EQ(none, (std::vector<size_t>{0, 0, 0}));
}

TEST_F(KernelInfoTest, LocalMemSizeCountsTheLocalArgument) {
  CL_CHECK(clSetKernelArg(tileSum_, 1, 32 * sizeof(cl_int), nullptr));
  cl_ulong localBytes = 0;
  CL_CHECK(queryInfo(&localBytes, clGetKernelWorkGroupInfo, tileSum_.get(), device_, CL_KERNEL_LOCAL_MEM_SIZE));
  EXPECT_GE(localBytes, 32 * sizeof(cl_int));
  cl_ulong deviceLocal = 0;
  CL_CHECK(queryInfo(&deviceLocal, clGetDeviceInfo, device_, CL_DEVICE_LOCAL_MEM_SIZE));
  EXPECT_LE(localBytes, deviceLocal);
}

TEST_F(KernelInfoTest, ArgInfoGivesNamesTypesAndQualifiers) {
  struct Expected {
    const char* name;
    const char* type;
    cl_kernel_arg_address_qualifier address;
  };
  const Expected expected[] = {{"out", "int*", CL_KERNEL_ARG_ADDRESS_GLOBAL},
                               {"scratch", "int*", CL_KERNEL_ARG_ADDRESS_LOCAL},
                               {"scale", "int", CL_KERNEL_ARG_ADDRESS_PRIVATE}};
  for (cl_uint i = 0; i < 3; ++i) {
    SCOPED_TRACE("argument " + std::to_string(i));
    std::string name, type;
    CL_CHECK(queryString(&name, clGetKernelArgInfo, tileSum_.get(), i, CL_KERNEL_ARG_NAME));
    EXPECT_EQ(name, expected[i].name);
    CL_CHECK(queryString(&type, clGetKernelArgInfo, tileSum_.get(), i, CL_KERNEL_ARG_TYPE_NAME));
    EXPECT_EQ(type, expected[i].type);
    cl_kernel_arg_address_qualifier address = 0;
    CL_CHECK(queryInfo(&address, clGetKernelArgInfo, tileSum_.get(), i, CL_KERNEL_ARG_ADDRESS_QUALIFIER));
    EXPECT_EQ(address, expected[i].address);
  }
  std::string type;
  CL_CHECK(queryString(&type, clGetKernelArgInfo, copyFloats_.get(), 0u, CL_KERNEL_ARG_TYPE_NAME));
  EXPECT_EQ(type, "float*");
  cl_kernel_arg_type_qualifier qualifiers = 0;
  CL_CHECK(queryInfo(&qualifiers, clGetKernelArgInfo, copyFloats_.get(), 0u, CL_KERNEL_ARG_TYPE_QUALIFIER));
  EXPECT_TRUE(qualifiers & CL_KERNEL_ARG_TYPE_CONST) << qualifiers;
  EXPECT_TRUE(qualifiers & CL_KERNEL_ARG_TYPE_RESTRICT) << qualifiers;
  std::string name;
  CL_EXPECT_ERROR(CL_INVALID_ARG_INDEX, queryString(&name, clGetKernelArgInfo, copyFloats_.get(), 2u,
                                                    CL_KERNEL_ARG_NAME));
}

TEST_F(KernelInfoTest, SetKernelArgRejectsBadIndexAndSize) {
  const cl_int value = 1;
  CL_EXPECT_ERROR(CL_INVALID_ARG_INDEX, clSetKernelArg(tileSum_, 3, sizeof value, &value));
  CL_EXPECT_ERROR(CL_INVALID_ARG_INDEX, clSetKernelArg(copyFloats_, 100, sizeof value, &value));
  // Two ints' worth for an int argument (the bytes are there: an implementation may read them).
  const cl_int twoValues[2] = {1, 2};
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(tileSum_, 2, sizeof twoValues, twoValues));
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(tileSum_, 1, 0, nullptr));
}

TEST_F(KernelInfoTest, ReqdWorkGroupSizeIsEnforcedAndKernelComputes) {
  constexpr size_t kWidth = 16, kHeight = 8;  // 2 x 2 work-groups of 8 x 4.
  Mem out;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_WRITE_ONLY, 4 * sizeof(cl_int), nullptr, &out));
  const cl_int scale = 2;
  CL_CHECK(clSetKernelArg(tileSum_, 0, sizeof(cl_mem), out.address()));
  CL_CHECK(clSetKernelArg(tileSum_, 1, 32 * sizeof(cl_int), nullptr));
  CL_CHECK(clSetKernelArg(tileSum_, 2, sizeof scale, &scale));
  const size_t global[2] = {kWidth, kHeight};
  const size_t wrongLocal[2] = {4, 4};
  CL_EXPECT_ERROR(CL_INVALID_WORK_GROUP_SIZE,
                  clEnqueueNDRangeKernel(queue_, tileSum_, 2, nullptr, global, wrongLocal, 0, nullptr, nullptr));
  const size_t local[2] = {8, 4};
  CL_CHECK(clEnqueueNDRangeKernel(queue_, tileSum_, 2, nullptr, global, local, 0, nullptr, nullptr));
  std::vector<cl_int> sums(4, 0);
  CL_CHECK(clEnqueueReadBuffer(queue_, out, CL_TRUE, 0, sums.size() * sizeof(cl_int), sums.data(), 0, nullptr,
                               nullptr));

  for (size_t gy = 0; gy < 2; ++gy) {
    for (size_t gx = 0; gx < 2; ++gx) {
      cl_int expected = 0;
      for (size_t y = gy * 4; y < gy * 4 + 4; ++y)
        for (size_t x = gx * 8; x < gx * 8 + 8; ++x) expected += static_cast<cl_int>(y * kWidth + x);
      EXPECT_EQ(sums[gy * 2 + gx], expected * scale) << "group " << gx << "," << gy;
    }
  }
}

}  // namespace
}  // namespace rcl::test
