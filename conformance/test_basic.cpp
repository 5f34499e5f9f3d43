// basic: kernels run and compute the right values: work-item functions, global offsets, local
// memory arguments and barriers, struct and vector arguments, constant memory, clEnqueueTask.

#include "conformance.h"

namespace rcl::conformance {
namespace {

class basic : public Suite<basic> {  // NOLINT(readability-identifier-naming): the area's name
 protected:
  static constexpr const char* kSource = R"CL(
typedef struct { int a; float b; long c; } Params;

__kernel void ids(__global int* out) {
  size_t x = get_global_id(0), y = get_global_id(1);
  size_t w = get_global_size(0);
  __global int* o = out + 8 * (y * w + x);
  o[0] = (int)get_local_id(0); o[1] = (int)get_local_id(1);
  o[2] = (int)get_group_id(0); o[3] = (int)get_group_id(1);
  o[4] = (int)get_num_groups(0); o[5] = (int)get_local_size(1);
  o[6] = (int)get_work_dim(); o[7] = (int)get_global_offset(0);
}
__kernel void offset_ids(__global int* out) { out[get_global_id(0)] = (int)get_global_id(0); }
__kernel void reduce(__global const int* in, __local int* scratch, __global int* out) {
  size_t l = get_local_id(0), n = get_local_size(0);
  scratch[l] = in[get_global_id(0)];
  barrier(CLK_LOCAL_MEM_FENCE);
  for (size_t s = n / 2; s > 0; s /= 2) {
    if (l < s) scratch[l] += scratch[l + s];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (l == 0) out[get_group_id(0)] = scratch[0];
}
__kernel void with_struct(Params p, int4 v, __global long* out) {
  out[0] = p.a; out[1] = (long)(p.b * 4.0f); out[2] = p.c; out[3] = v.x + v.y + v.z + v.w;
}
__kernel void with_constant(__constant int* table, __global int* out) {
  out[get_global_id(0)] = table[get_global_id(0) % 4] * 10;
}
__kernel void task(__global int* out) { for (int i = 0; i < 16; ++i) out[i] = 100 + i; }
)CL";
};

TEST_F(basic, WorkItemFunctions2D) {
  Kernel k = kernel(kSource, "ids");
  ASSERT_TRUE(k);
  const size_t global[2] = {8, 6};
  const size_t local[2] = {4, 3};
  Mem out = buffer(CL_MEM_WRITE_ONLY, 8 * 6 * 8 * sizeof(cl_int));
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), out.address()));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 2, nullptr, global, local, 0, nullptr, nullptr));
  const std::vector<cl_int> seen = read<cl_int>(out, 8 * 6 * 8);
  for (size_t y = 0; y < 6; ++y) {
    for (size_t x = 0; x < 8; ++x) {
      const cl_int* o = seen.data() + 8 * (y * 8 + x);
      SCOPED_TRACE("x=" + std::to_string(x) + " y=" + std::to_string(y));
      EXPECT_EQ(o[0], cl_int(x % 4));
      EXPECT_EQ(o[1], cl_int(y % 3));
      EXPECT_EQ(o[2], cl_int(x / 4));
      EXPECT_EQ(o[3], cl_int(y / 3));
      EXPECT_EQ(o[4], 2);
      EXPECT_EQ(o[5], 3);
      EXPECT_EQ(o[6], 2);
      EXPECT_EQ(o[7], 0);
    }
  }
}

TEST_F(basic, GlobalWorkOffset) {
  Kernel k = kernel(kSource, "offset_ids");
  ASSERT_TRUE(k);
  std::vector<cl_int> initial(64, -1);
  Mem out = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, 64 * sizeof(cl_int), initial.data());
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), out.address()));
  const size_t offset = 16, global = 32;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, &offset, &global, nullptr, 0, nullptr, nullptr));
  std::vector<cl_int> expected = initial;
  for (size_t i = 16; i < 48; ++i) expected[i] = cl_int(i);
  EXPECT_EQ(read<cl_int>(out, 64), expected);
}

TEST_F(basic, LocalMemoryArgumentAndBarrier) {
  Kernel k = kernel(kSource, "reduce");
  ASSERT_TRUE(k);
  const size_t global = 256, local = 64;
  std::vector<cl_int> in(global);
  for (size_t i = 0; i < global; ++i) in[i] = cl_int(i);
  Mem input = buffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, global * sizeof(cl_int), in.data());
  Mem out = buffer(CL_MEM_WRITE_ONLY, 4 * sizeof(cl_int));
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), input.address()));
  CL_CHECK(clSetKernelArg(k, 1, local * sizeof(cl_int), nullptr));
  CL_CHECK(clSetKernelArg(k, 2, sizeof(cl_mem), out.address()));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &global, &local, 0, nullptr, nullptr));
  std::vector<cl_int> expected(4);
  for (size_t g = 0; g < 4; ++g) {
    for (size_t i = 0; i < local; ++i) expected[g] += in[g * local + i];
  }
  EXPECT_EQ(read<cl_int>(out, 4), expected);
  CL_EXPECT_ERROR(CL_INVALID_ARG_VALUE, clSetKernelArg(k, 1, local * sizeof(cl_int), in.data()))
      << "a __local argument takes no value";
}

TEST_F(basic, StructAndVectorArguments) {
  Kernel k = kernel(kSource, "with_struct");
  ASSERT_TRUE(k);
  struct Params {
    cl_int a;
    cl_float b;
    cl_long c;
  } params{-12, 2.5f, 1LL << 40};
  const cl_int4 v = {{1, 2, 3, 4}};
  Mem out = buffer(CL_MEM_WRITE_ONLY, 4 * sizeof(cl_long));
  CL_CHECK(clSetKernelArg(k, 0, sizeof(params), &params));
  CL_CHECK(clSetKernelArg(k, 1, sizeof(v), &v));
  CL_CHECK(clSetKernelArg(k, 2, sizeof(cl_mem), out.address()));
  const size_t global = 1;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  EXPECT_EQ(read<cl_long>(out, 4), (std::vector<cl_long>{-12, 10, 1LL << 40, 10}));
}

TEST_F(basic, ConstantMemoryAndEnqueueTask) {
  Kernel k = kernel(kSource, "with_constant");
  ASSERT_TRUE(k);
  cl_int table[4] = {1, 2, 3, 4};
  Mem constants = buffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof(table), table);
  Mem out = buffer(CL_MEM_WRITE_ONLY, 16 * sizeof(cl_int));
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), constants.address()));
  CL_CHECK(clSetKernelArg(k, 1, sizeof(cl_mem), out.address()));
  const size_t global = 16;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  std::vector<cl_int> expected(16);
  for (size_t i = 0; i < 16; ++i) expected[i] = table[i % 4] * 10;
  EXPECT_EQ(read<cl_int>(out, 16), expected);

  Kernel task = kernel(kSource, "task");
  ASSERT_TRUE(task);
  CL_CHECK(clSetKernelArg(task, 0, sizeof(cl_mem), out.address()));
  Event ran;
  CL_CHECK(clEnqueueTask(queue_, task, 0, nullptr, ran.out()));
  CL_CHECK(clWaitForEvents(1, ran.address()));
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, ran.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_TRUE(type == CL_COMMAND_TASK || type == CL_COMMAND_NDRANGE_KERNEL) << type;
  for (size_t i = 0; i < 16; ++i) expected[i] = cl_int(100 + i);
  EXPECT_EQ(read<cl_int>(out, 16), expected);
}

TEST_F(basic, LargeNDRange) {
  Kernel k = kernel(kSource, "offset_ids");
  ASSERT_TRUE(k);
  const size_t global = 1 << 20;
  Mem out = buffer(CL_MEM_WRITE_ONLY, global * sizeof(cl_int));
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), out.address()));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  const std::vector<cl_int> seen = read<cl_int>(out, global);
  size_t wrong = 0;
  for (size_t i = 0; i < global; ++i) wrong += seen[i] != cl_int(i) ? 1 : 0;
  EXPECT_EQ(wrong, 0u);
  CL_EXPECT_ERROR(CL_INVALID_WORK_DIMENSION,
                  clEnqueueNDRangeKernel(queue_, k, 0, nullptr, &global, nullptr, 0, nullptr, nullptr));
  const size_t zero = 0;
  const cl_int zeroError = clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &zero, nullptr, 0, nullptr, nullptr);
  EXPECT_TRUE(zeroError == CL_INVALID_GLOBAL_WORK_SIZE || zeroError == CL_SUCCESS) << clErrorName(zeroError);
  const size_t odd = 10, local = 4;
  cl_int oddError = clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &odd, &local, 0, nullptr, nullptr);
  // OpenCL 2.0+ allows non-uniform work-groups unless -cl-uniform-work-group-size; 1.2 builds don't.
  EXPECT_TRUE(oddError == CL_INVALID_WORK_GROUP_SIZE || oddError == CL_SUCCESS) << clErrorName(oddError);
  CL_CHECK(clFinish(queue_));
}

}  // namespace
}  // namespace rcl::conformance
