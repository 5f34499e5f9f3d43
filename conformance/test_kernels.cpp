// kernels: kernel info, argument info (-cl-kernel-arg-info), work-group info, clCloneKernel,
// clCreateKernelsInProgram, clSetKernelArg validation.

#include <algorithm>

#include "conformance.h"

namespace rcl::conformance {
namespace {

class kernels : public Suite<kernels> {  // NOLINT(readability-identifier-naming): the area's name
 protected:
  static constexpr const char* kSource = R"CL(
__kernel __attribute__((reqd_work_group_size(4, 2, 1)))
void described(__global const float* restrict input, __constant int* table, __local uint* scratch,
               __read_only image2d_t picture, int count, __global volatile int* output) {
  output[0] = count + table[0];
}
__kernel void scale(__global int* p, int factor) { p[get_global_id(0)] *= factor; }
__kernel void fill(__global int* p, int value) { p[get_global_id(0)] = value; }
)CL";
};

TEST_F(kernels, ArgumentInfo) {
  cl_program built = program(kSource, "-cl-kernel-arg-info");
  ASSERT_NE(built, nullptr);
  cl_int error = CL_SUCCESS;
  Kernel k(clCreateKernel(built, "described", &error));
  CL_CHECK(error);
  struct Expected {
    cl_kernel_arg_address_qualifier address;
    cl_kernel_arg_access_qualifier access;
    const char* typeName;
    cl_kernel_arg_type_qualifier typeQualifier;
    const char* name;
  };
  const Expected expected[] = {
      {CL_KERNEL_ARG_ADDRESS_GLOBAL, CL_KERNEL_ARG_ACCESS_NONE, "float*",
       CL_KERNEL_ARG_TYPE_CONST | CL_KERNEL_ARG_TYPE_RESTRICT, "input"},
      {CL_KERNEL_ARG_ADDRESS_CONSTANT, CL_KERNEL_ARG_ACCESS_NONE, "int*", CL_KERNEL_ARG_TYPE_CONST, "table"},
      {CL_KERNEL_ARG_ADDRESS_LOCAL, CL_KERNEL_ARG_ACCESS_NONE, "uint*", CL_KERNEL_ARG_TYPE_NONE, "scratch"},
      {CL_KERNEL_ARG_ADDRESS_GLOBAL, CL_KERNEL_ARG_ACCESS_READ_ONLY, "image2d_t", CL_KERNEL_ARG_TYPE_NONE, "picture"},
      {CL_KERNEL_ARG_ADDRESS_PRIVATE, CL_KERNEL_ARG_ACCESS_NONE, "int", CL_KERNEL_ARG_TYPE_NONE, "count"},
      {CL_KERNEL_ARG_ADDRESS_GLOBAL, CL_KERNEL_ARG_ACCESS_NONE, "int*", CL_KERNEL_ARG_TYPE_VOLATILE, "output"},
  };
  for (cl_uint i = 0; i < 6; ++i) {
    SCOPED_TRACE("argument " + std::to_string(i));
    cl_kernel_arg_address_qualifier address = 0;
    CL_EXPECT(queryInfo(&address, clGetKernelArgInfo, k.get(), i, CL_KERNEL_ARG_ADDRESS_QUALIFIER));
    EXPECT_EQ(address, expected[i].address);
    cl_kernel_arg_access_qualifier access = 0;
    CL_EXPECT(queryInfo(&access, clGetKernelArgInfo, k.get(), i, CL_KERNEL_ARG_ACCESS_QUALIFIER));
    EXPECT_EQ(access, expected[i].access);
    std::string typeName;
    CL_EXPECT(queryString(&typeName, clGetKernelArgInfo, k.get(), i, CL_KERNEL_ARG_TYPE_NAME));
    EXPECT_EQ(typeName, expected[i].typeName);
    cl_kernel_arg_type_qualifier typeQualifier = 0;
    CL_EXPECT(queryInfo(&typeQualifier, clGetKernelArgInfo, k.get(), i, CL_KERNEL_ARG_TYPE_QUALIFIER));
    EXPECT_EQ(typeQualifier, expected[i].typeQualifier);
    std::string name;
    CL_EXPECT(queryString(&name, clGetKernelArgInfo, k.get(), i, CL_KERNEL_ARG_NAME));
    EXPECT_EQ(name, expected[i].name);
  }
  cl_uint value = 0;
  CL_EXPECT_ERROR(CL_INVALID_ARG_INDEX,
                  clGetKernelArgInfo(k, 6, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof(value), &value, nullptr));
}

TEST_F(kernels, KernelInfoAndWorkGroupInfo) {
  cl_program built = program(kSource);
  ASSERT_NE(built, nullptr);
  cl_int error = CL_SUCCESS;
  Kernel k(clCreateKernel(built, "described", &error));
  CL_CHECK(error);
  std::string name;
  CL_CHECK(queryString(&name, clGetKernelInfo, k.get(), CL_KERNEL_FUNCTION_NAME));
  EXPECT_EQ(name, "described");
  cl_uint numArgs = 0;
  CL_CHECK(queryInfo(&numArgs, clGetKernelInfo, k.get(), CL_KERNEL_NUM_ARGS));
  EXPECT_EQ(numArgs, 6u);
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetKernelInfo, k.get(), CL_KERNEL_CONTEXT));
  EXPECT_EQ(context, context_);
  cl_program owner = nullptr;
  CL_CHECK(queryInfo(&owner, clGetKernelInfo, k.get(), CL_KERNEL_PROGRAM));
  EXPECT_EQ(owner, built);
  std::string attributes;
  CL_CHECK(queryString(&attributes, clGetKernelInfo, k.get(), CL_KERNEL_ATTRIBUTES));
  std::string compact;
  for (char c : attributes) {
    if (c != ' ') compact += c;
  }
  EXPECT_NE(compact.find("reqd_work_group_size(4,2,1)"), std::string::npos) << attributes;

  size_t compileSize[3] = {};
  CL_CHECK(queryInfo(&compileSize, clGetKernelWorkGroupInfo, k.get(), device_, CL_KERNEL_COMPILE_WORK_GROUP_SIZE));
  EXPECT_EQ(compileSize[0], 4u);
  EXPECT_EQ(compileSize[1], 2u);
  EXPECT_EQ(compileSize[2], 1u);
  size_t wgSize = 0;
  CL_CHECK(queryInfo(&wgSize, clGetKernelWorkGroupInfo, k.get(), device_, CL_KERNEL_WORK_GROUP_SIZE));
  EXPECT_GE(wgSize, 1u);
  size_t multiple = 0;
  CL_CHECK(queryInfo(&multiple, clGetKernelWorkGroupInfo, k.get(), device_,
                     CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE));
  EXPECT_GE(multiple, 1u);
  cl_ulong localMem = 0;
  CL_CHECK(queryInfo(&localMem, clGetKernelWorkGroupInfo, k.get(), device_, CL_KERNEL_LOCAL_MEM_SIZE));
  cl_ulong privateMem = 0;
  CL_CHECK(queryInfo(&privateMem, clGetKernelWorkGroupInfo, k.get(), device_, CL_KERNEL_PRIVATE_MEM_SIZE));
  size_t value = 0;
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clGetKernelWorkGroupInfo(k, device_, 0x7777, sizeof(value), &value, nullptr));
}

TEST_F(kernels, CloneKernelKeepsArgumentsIndependently) {
  Kernel original = kernel(kSource, "scale");
  ASSERT_TRUE(original);
  Mem a = buffer(CL_MEM_READ_WRITE, 8 * sizeof(cl_int));
  Mem b = buffer(CL_MEM_READ_WRITE, 8 * sizeof(cl_int));
  const std::vector<cl_int> ones(8, 1);
  CL_CHECK(clEnqueueWriteBuffer(queue_, a, CL_TRUE, 0, 8 * sizeof(cl_int), ones.data(), 0, nullptr, nullptr));
  CL_CHECK(clEnqueueWriteBuffer(queue_, b, CL_TRUE, 0, 8 * sizeof(cl_int), ones.data(), 0, nullptr, nullptr));
  const cl_int three = 3;
  CL_CHECK(clSetKernelArg(original, 0, sizeof(cl_mem), a.address()));
  CL_CHECK(clSetKernelArg(original, 1, sizeof(three), &three));
  cl_int error = CL_SUCCESS;
  Kernel clone(clCloneKernel(original, &error));
  CL_CHECK(error);
  std::string name;
  CL_CHECK(queryString(&name, clGetKernelInfo, clone.get(), CL_KERNEL_FUNCTION_NAME));
  EXPECT_EQ(name, "scale");
  // Changing the original's arguments after cloning leaves the clone's alone.
  const cl_int five = 5;
  CL_CHECK(clSetKernelArg(original, 0, sizeof(cl_mem), b.address()));
  CL_CHECK(clSetKernelArg(original, 1, sizeof(five), &five));
  const size_t global = 8;
  CL_CHECK(clEnqueueNDRangeKernel(queue_, clone, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, original, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  EXPECT_EQ(read<cl_int>(a, 8), std::vector<cl_int>(8, 3)) << "the clone ran with the arguments set before cloning";
  EXPECT_EQ(read<cl_int>(b, 8), std::vector<cl_int>(8, 5));
  // And the other way round.
  const cl_int seven = 7;
  CL_CHECK(clSetKernelArg(clone, 1, sizeof(seven), &seven));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, original, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  EXPECT_EQ(read<cl_int>(b, 8), std::vector<cl_int>(8, 25));
}

TEST_F(kernels, CreateKernelsInProgram) {
  cl_program built = program(kSource);
  ASSERT_NE(built, nullptr);
  cl_uint count = 0;
  CL_CHECK(clCreateKernelsInProgram(built, 0, nullptr, &count));
  EXPECT_EQ(count, 3u);
  std::vector<cl_kernel> raw(count);
  CL_CHECK(clCreateKernelsInProgram(built, count, raw.data(), nullptr));
  std::vector<Kernel> owned;
  std::vector<std::string> names;
  for (cl_kernel k : raw) {
    owned.emplace_back(k);
    std::string name;
    CL_EXPECT(queryString(&name, clGetKernelInfo, k, CL_KERNEL_FUNCTION_NAME));
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"described", "fill", "scale"}));
  std::vector<cl_kernel> tooFew(1);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, clCreateKernelsInProgram(built, 1, tooFew.data(), nullptr));
  cl_int error = CL_SUCCESS;
  Kernel missing(clCreateKernel(built, "no_such_kernel", &error));
  EXPECT_EQ(missing.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_KERNEL_NAME, error);
}

TEST_F(kernels, SetKernelArgValidation) {
  Kernel k = kernel(kSource, "fill");
  ASSERT_TRUE(k);
  const cl_int value = 1;
  CL_EXPECT_ERROR(CL_INVALID_ARG_INDEX, clSetKernelArg(k, 2, sizeof(value), &value));
  CL_EXPECT_ERROR(CL_INVALID_ARG_SIZE, clSetKernelArg(k, 1, 2, &value));
  const size_t global = 4;
  Kernel unset = kernel(kSource, "fill");
  CL_EXPECT_ERROR(CL_INVALID_KERNEL_ARGS,
                  clEnqueueNDRangeKernel(queue_, unset, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  // A NULL buffer argument is allowed for a __global pointer.
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), nullptr));
  CL_CHECK(clSetKernelArg(k, 1, sizeof(value), &value));
  Mem mem = buffer(CL_MEM_READ_WRITE, 4 * sizeof(cl_int));
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), mem.address()));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  EXPECT_EQ(read<cl_int>(mem, 4), std::vector<cl_int>(4, 1));
}

}  // namespace
}  // namespace rcl::conformance
