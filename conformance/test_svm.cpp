// svm: shared virtual memory. remote-cl forwards coarse-grained buffer SVM (remote devices report
// CL_DEVICE_SVM_COARSE_GRAIN_BUFFER only, README "Limits"), so these cases run both ways.
// QueriesAreConsistent runs everywhere: a device without SVM must also refuse it.

#include "conformance.h"

namespace rcl::conformance {
namespace {

class svm : public Suite<svm> {  // NOLINT(readability-identifier-naming): the area's name
 protected:
  cl_device_svm_capabilities capabilities() {
    cl_device_svm_capabilities caps = 0;
    EXPECT_EQ(queryInfo(&caps, clGetDeviceInfo, device_, CL_DEVICE_SVM_CAPABILITIES), CL_SUCCESS);
    return caps;
  }
};

TEST_F(svm, QueriesAreConsistent) {
  const cl_device_svm_capabilities caps = capabilities();
  if (caps != 0) {
    EXPECT_NE(caps & CL_DEVICE_SVM_COARSE_GRAIN_BUFFER, 0u) << "coarse grain is the minimum SVM support";
    void* pointer = clSVMAlloc(context_, CL_MEM_READ_WRITE, 1024, 0);
    EXPECT_NE(pointer, nullptr);
    clSVMFree(context_, pointer);
    return;
  }
  // No SVM: allocation fails and SVM commands are refused.
  EXPECT_EQ(clSVMAlloc(context_, CL_MEM_READ_WRITE, 1024, 0), nullptr);
  uint8_t host[16] = {};
  const cl_int copy = clEnqueueSVMMemcpy(queue_, CL_TRUE, host, host + 8, 8, 0, nullptr, nullptr);
  EXPECT_EQ(copy, CL_INVALID_OPERATION) << clErrorName(copy);
  const cl_int map = clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_READ, host, 8, 0, nullptr, nullptr);
  EXPECT_EQ(map, CL_INVALID_OPERATION) << clErrorName(map);
}

TEST_F(svm, CoarseGrainBufferMapWriteAndKernel) {
  if ((capabilities() & CL_DEVICE_SVM_COARSE_GRAIN_BUFFER) == 0) GTEST_SKIP() << "the device reports no SVM";
  const size_t count = 64;
  auto* data = static_cast<cl_int*>(clSVMAlloc(context_, CL_MEM_READ_WRITE, count * sizeof(cl_int), 0));
  ASSERT_NE(data, nullptr);
  CL_CHECK(clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_WRITE, data, count * sizeof(cl_int), 0, nullptr, nullptr));
  for (size_t i = 0; i < count; ++i) data[i] = cl_int(i);
  CL_CHECK(clEnqueueSVMUnmap(queue_, data, 0, nullptr, nullptr));
  Kernel k = kernel("__kernel void dbl(__global int* p) { p[get_global_id(0)] *= 2; }", "dbl");
  ASSERT_TRUE(k);
  CL_CHECK(clSetKernelArgSVMPointer(k, 0, data));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 1, nullptr, &count, nullptr, 0, nullptr, nullptr));
  CL_CHECK(clEnqueueSVMMap(queue_, CL_TRUE, CL_MAP_READ, data, count * sizeof(cl_int), 0, nullptr, nullptr));
  for (size_t i = 0; i < count; ++i) EXPECT_EQ(data[i], cl_int(2 * i));
  CL_CHECK(clEnqueueSVMUnmap(queue_, data, 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));
  clSVMFree(context_, data);
}

TEST_F(svm, MemcpyAndFill) {
  if ((capabilities() & CL_DEVICE_SVM_COARSE_GRAIN_BUFFER) == 0) GTEST_SKIP() << "the device reports no SVM";
  auto* a = static_cast<uint8_t*>(clSVMAlloc(context_, CL_MEM_READ_WRITE, 256, 0));
  auto* b = static_cast<uint8_t*>(clSVMAlloc(context_, CL_MEM_READ_WRITE, 256, 0));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const cl_uint pattern = 0xa1b2c3d4;
  CL_CHECK(clEnqueueSVMMemFill(queue_, a, &pattern, sizeof(pattern), 256, 0, nullptr, nullptr));
  CL_CHECK(clEnqueueSVMMemcpy(queue_, CL_TRUE, b, a, 256, 0, nullptr, nullptr));
  std::vector<uint8_t> host(256);
  CL_CHECK(clEnqueueSVMMemcpy(queue_, CL_TRUE, host.data(), b, 256, 0, nullptr, nullptr));
  for (size_t i = 0; i < 256; i += 4) {
    cl_uint word = 0;
    std::memcpy(&word, host.data() + i, 4);
    EXPECT_EQ(word, pattern) << "at " << i;
  }
  Event freed;
  void* pointers[2] = {a, b};
  CL_CHECK(clEnqueueSVMFree(queue_, 2, pointers, nullptr, nullptr, 0, nullptr, freed.out()));
  CL_CHECK(clWaitForEvents(1, freed.address()));
}

}  // namespace
}  // namespace rcl::conformance
