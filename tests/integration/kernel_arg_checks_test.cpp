// clSetKernelArg's errors, which the client finds from the kernel's argument
// information (icd/include/rcl/icd/entry/kernel_arg_info.h) without asking the
// server: the same codes natively and remotely, at the call. And arguments
// the client accepts that way work in a launch.

#include <cstring>

#include "rcl_test.h"

namespace rcl::test {
namespace {

constexpr const char* kSource = R"CLC(
kernel void k(global float4* out, constant float* c, local float4* tmp, float4 v, float3 w, int n, sampler_t s,
              read_only image2d_t img) {
  tmp[0] = v + (float4)(w, 0.0f) + (float4)(n) + (float4)(c ? c[0] : 0.0f);
  out[0] = tmp[0];
}
)CLC";

enum Arg : cl_uint { kOut, kConstant, kLocal, kFloat4, kFloat3, kInt, kSampler, kImage, kArgCount };

class KernelArgChecksTest : public ClTest {
 protected:
  void SetUp() override {
    ClTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // (PoCL gives the arguments' information only with -cl-kernel-arg-info.)
    ASSERT_NO_FATAL_FAILURE(buildOrFail(kSource, &program_, "-cl-kernel-arg-info"));
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "k", &kernel_));
    ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, sizeof(cl_float4), nullptr, &buffer_));
    cl_int error = CL_SUCCESS;
    sampler_ = clCreateSampler(context_, CL_FALSE, CL_ADDRESS_CLAMP, CL_FILTER_NEAREST, &error);
    CL_CHECK(error);
    const cl_image_format format{CL_RGBA, CL_UNORM_INT8};
    cl_image_desc desc{};
    desc.image_type = CL_MEM_OBJECT_IMAGE2D;
    desc.image_width = 4;
    desc.image_height = 4;
    image_.reset(clCreateImage(context_, CL_MEM_READ_ONLY, &format, &desc, nullptr, &error));
    CL_CHECK(error);
  }
  void TearDown() override {
    if (sampler_ != nullptr) clReleaseSampler(sampler_);
    ClTest::TearDown();
  }

  Program program_;
  Kernel kernel_;
  Mem buffer_;
  Mem image_;
  cl_sampler sampler_ = nullptr;
};

TEST_F(KernelArgChecksTest, AnIndexPastTheLastArgument) {
  const cl_int n = 1;
  CL_EXPECT_ERROR(CL_INVALID_ARG_INDEX, clSetKernelArg(kernel_, kArgCount, sizeof n, &n));
  CL_EXPECT_ERROR(CL_INVALID_ARG_INDEX, clSetKernelArg(kernel_, 1000, sizeof n, &n));
}

// (Fewer bytes than the type has are the platform's to judge: PoCL 3.1 takes them.)
TEST_F(KernelArgChecksTest, AByValueArgumentLargerThanItsType) {
  const cl_float v[8] = {};
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kFloat4, 8 * sizeof(cl_float), v));
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kFloat4, 5 * sizeof(cl_float), v));
  // A 3-vector takes a 4-vector's size.
  CL_EXPECT_ERROR(CL_SUCCESS, clSetKernelArg(kernel_, kFloat3, sizeof(cl_float3), v));
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kFloat3, 5 * sizeof(cl_float), v));
  const cl_long wide = 1;
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kInt, sizeof wide, &wide));
  CL_EXPECT_ERROR(CL_INVALID_ARG_VALUE, clSetKernelArg(kernel_, kInt, sizeof(cl_int), nullptr));
}

TEST_F(KernelArgChecksTest, APointerArgumentOfAnotherSize) {
  const cl_mem two[2] = {buffer_, buffer_};
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kOut, sizeof(cl_int), two));
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kConstant, sizeof two, two));
  // A NULL buffer is allowed, as a NULL value or a value that is NULL.
  CL_EXPECT_ERROR(CL_SUCCESS, clSetKernelArg(kernel_, kConstant, sizeof(cl_mem), nullptr));
  const cl_mem none = nullptr;
  CL_EXPECT_ERROR(CL_SUCCESS, clSetKernelArg(kernel_, kConstant, sizeof none, &none));
}

TEST_F(KernelArgChecksTest, ALocalArgumentWithAValueOrNoSize) {
  const cl_float4 v{};
  CL_EXPECT_ERROR(CL_INVALID_ARG_VALUE, clSetKernelArg(kernel_, kLocal, sizeof v, &v));
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kLocal, 0, nullptr));
  CL_EXPECT_ERROR(CL_SUCCESS, clSetKernelArg(kernel_, kLocal, sizeof v, nullptr));
}

// (A buffer for a sampler, or a sampler for a buffer, is the platform's to
// judge: PoCL 3.1 takes both, where the specification says CL_INVALID_SAMPLER
// and CL_INVALID_MEM_OBJECT.)
TEST_F(KernelArgChecksTest, AnObjectArgumentOfAnotherSize) {
  const cl_mem two[2] = {buffer_, buffer_};
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kOut, sizeof two, two));
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kSampler, sizeof(cl_int), &sampler_));
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(kernel_, kImage, sizeof(cl_int), image_.address()));
}

TEST_F(KernelArgChecksTest, AcceptedArgumentsRunAndNewKernelsStartUnset) {
  const cl_float c = 100.0f;
  cl_int error = CL_SUCCESS;
  Mem constant(clCreateBuffer(context_, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof c,
                              const_cast<cl_float*>(&c), &error));
  CL_CHECK(error);
  const cl_float4 v = {{1.0f, 2.0f, 3.0f, 4.0f}};
  const cl_float3 w = {{10.0f, 20.0f, 30.0f}};
  const cl_int n = 5;
  for (int round = 0; round < 2; ++round) {
    Kernel kernel;
    ASSERT_NO_FATAL_FAILURE(kernelOrFail(program_, "k", &kernel));
    CL_CHECK(clSetKernelArg(kernel, kOut, sizeof(cl_mem), buffer_.address()));
    CL_CHECK(clSetKernelArg(kernel, kConstant, sizeof(cl_mem), round == 0 ? constant.address() : nullptr));
    CL_CHECK(clSetKernelArg(kernel, kLocal, sizeof(cl_float4), nullptr));
    CL_CHECK(clSetKernelArg(kernel, kFloat4, sizeof v, &v));
    CL_CHECK(clSetKernelArg(kernel, kFloat3, sizeof w, &w));
    const size_t one = 1;
    // An argument left unset: refused at the call, natively and remotely.
    CL_EXPECT_ERROR(CL_INVALID_KERNEL_ARGS,
                    clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &one, &one, 0, nullptr, nullptr));
    CL_CHECK(clSetKernelArg(kernel, kInt, sizeof n, &n));
    CL_CHECK(clSetKernelArg(kernel, kSampler, sizeof sampler_, &sampler_));
    CL_CHECK(clSetKernelArg(kernel, kImage, sizeof(cl_mem), image_.address()));
    CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &one, &one, 0, nullptr, nullptr));
    cl_float4 result{};
    CL_CHECK(clEnqueueReadBuffer(queue_, buffer_, CL_TRUE, 0, sizeof result, &result, 0, nullptr, nullptr));
    const float add = 5.0f + (round == 0 ? 100.0f : 0.0f);
    const float expected[4] = {11.0f + add, 22.0f + add, 33.0f + add, 4.0f + add};
    for (int i = 0; i < 4; ++i) EXPECT_EQ(result.s[i], expected[i]) << "round " << round << ", component " << i;
  }
}

}  // namespace
}  // namespace rcl::test
