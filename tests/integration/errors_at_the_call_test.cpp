// Errors that the specification gives for an async call, returned at the call
// natively: through remote-cl too (the client checks them from what it knows),
// not later through the command's event. And the bytes of a 1D image array
// laid out with the application's own pitches.

#include <cstring>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

class ErrorsAtTheCallTest : public ClTest {
 protected:
  // A 16 x 8 RGBA8 2D image.
  void imageOrFail(Mem* image) {
    const cl_image_format format{CL_RGBA, CL_UNORM_INT8};
    cl_image_desc desc{};
    desc.image_type = CL_MEM_OBJECT_IMAGE2D;
    desc.image_width = 16;
    desc.image_height = 8;
    cl_int error = CL_SUCCESS;
    image->reset(clCreateImage(context_, CL_MEM_READ_WRITE, &format, &desc, nullptr, &error));
    CL_CHECK(error);
  }
};

TEST_F(ErrorsAtTheCallTest, AGroupThatDoesNotDivideTheRangeOnAUniformDevice) {
  cl_bool nonUniform = CL_FALSE;
  if (queryInfo(&nonUniform, clGetDeviceInfo, device_, CL_DEVICE_NON_UNIFORM_WORK_GROUP_SUPPORT) != CL_SUCCESS ||
      nonUniform == CL_TRUE)
    GTEST_SKIP() << "the device runs non-uniform work-groups";
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail("kernel void k(global int* p) { p[get_global_id(0)] = 1; }", &program));
  Kernel kernel;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "k", &kernel));
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 64 * sizeof(int), nullptr, &buffer));
  cl_mem b = buffer;
  CL_CHECK(clSetKernelArg(kernel, 0, sizeof b, &b));
  const size_t global = 10, local = 3, dividing = 5;
  CL_CHECK_ERROR(CL_INVALID_WORK_GROUP_SIZE,
                 clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, &local, 0, nullptr, nullptr));
  CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, &dividing, 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));
}

TEST_F(ErrorsAtTheCallTest, MigratingAMemoryObjectOfAnotherContext) {
  cl_int error = CL_SUCCESS;
  Context other = createContext(platform_, device_, &error);
  CL_CHECK(error);
  Mem foreign(clCreateBuffer(other, CL_MEM_READ_WRITE, 64, nullptr, &error));
  CL_CHECK(error);
  cl_mem m = foreign;
  CL_CHECK_ERROR(CL_INVALID_CONTEXT, clEnqueueMigrateMemObjects(queue_, 1, &m, 0, 0, nullptr, nullptr));
}

TEST_F(ErrorsAtTheCallTest, ImageRegionsOutsideTheImage) {
  Mem image;
  ASSERT_NO_FATAL_FAILURE(imageOrFail(&image));
  const float color[4] = {1, 1, 1, 1};
  const size_t origin[3] = {0, 0, 0}, wide[3] = {17, 8, 1}, deep[3] = {16, 8, 2};
  const size_t sliceOne[3] = {0, 0, 1}, one[3] = {1, 1, 1};
  CL_CHECK_ERROR(CL_INVALID_VALUE, clEnqueueFillImage(queue_, image, color, origin, wide, 0, nullptr, nullptr));
  CL_CHECK_ERROR(CL_INVALID_VALUE, clEnqueueFillImage(queue_, image, color, origin, deep, 0, nullptr, nullptr));
  CL_CHECK_ERROR(CL_INVALID_VALUE, clEnqueueFillImage(queue_, image, color, sliceOne, one, 0, nullptr, nullptr));
  std::vector<unsigned char> bytes(17 * 8 * 4);
  CL_CHECK_ERROR(CL_INVALID_VALUE,
                 clEnqueueReadImage(queue_, image, CL_TRUE, origin, wide, 0, 0, bytes.data(), 0, nullptr, nullptr));
  CL_CHECK_ERROR(CL_INVALID_VALUE,
                 clEnqueueWriteImage(queue_, image, CL_TRUE, origin, wide, 0, 0, bytes.data(), 0, nullptr, nullptr));
  Mem buffer;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 16 * 8 * 4 - 4, nullptr, &buffer));
  const size_t all[3] = {16, 8, 1};
  CL_CHECK_ERROR(CL_INVALID_VALUE,
                 clEnqueueCopyImageToBuffer(queue_, image, buffer, origin, all, 0, 0, nullptr, nullptr));
  CL_CHECK_ERROR(CL_INVALID_VALUE,
                 clEnqueueCopyBufferToImage(queue_, buffer, image, 0, origin, all, 0, nullptr, nullptr));
  Mem other;
  ASSERT_NO_FATAL_FAILURE(imageOrFail(&other));
  const size_t shifted[3] = {1, 0, 0};
  CL_CHECK_ERROR(CL_INVALID_VALUE, clEnqueueCopyImage(queue_, image, other, origin, shifted, all, 0, nullptr, nullptr));
  // The whole image is fine.
  CL_CHECK(clEnqueueFillImage(queue_, image, color, origin, all, 0, nullptr, nullptr));
  CL_CHECK(clFinish(queue_));
}

// A 1D image array written and read with pitches larger than a row: each
// image of the array starts a pitch after the last, in host memory. (The row
// and slice pitches are equal here: PoCL 3.1 steps a 1D array's images by the
// row pitch, where the specification says the slice pitch; remote-cl's
// client does as PoCL does, since applications tested on PoCL size their
// memory that way.)
TEST_F(ErrorsAtTheCallTest, AOneDimensionalImageArrayKeepsTheApplicationsPitches) {
  const cl_image_format format{CL_R, CL_UNSIGNED_INT8};
  cl_image_desc desc{};
  desc.image_type = CL_MEM_OBJECT_IMAGE1D_ARRAY;
  desc.image_width = 37;
  desc.image_array_size = 5;
  cl_int error = CL_SUCCESS;
  Mem image(clCreateImage(context_, CL_MEM_READ_WRITE, &format, &desc, nullptr, &error));
  CL_CHECK(error);
  const size_t pitch = 64;  // between the images of the array, in host memory
  std::vector<unsigned char> in(pitch * desc.image_array_size, 0xee), out(in.size(), 0);
  for (size_t i = 0; i < desc.image_array_size; ++i)
    for (size_t x = 0; x < desc.image_width; ++x) in[i * pitch + x] = static_cast<unsigned char>(i * 40 + x);
  const size_t origin[3] = {0, 0, 0}, region[3] = {desc.image_width, desc.image_array_size, 1};
  CL_CHECK(clEnqueueWriteImage(queue_, image, CL_TRUE, origin, region, pitch, pitch, in.data(), 0, nullptr, nullptr));
  CL_CHECK(clEnqueueReadImage(queue_, image, CL_TRUE, origin, region, pitch, pitch, out.data(), 0, nullptr, nullptr));
  for (size_t i = 0; i < desc.image_array_size; ++i)
    for (size_t x = 0; x < desc.image_width; ++x)
      ASSERT_EQ(out[i * pitch + x], in[i * pitch + x]) << "image " << i << " of the array, x = " << x;
  // And packed (no pitches): the images one after the other.
  std::vector<unsigned char> packed(desc.image_width * desc.image_array_size);
  CL_CHECK(clEnqueueReadImage(queue_, image, CL_TRUE, origin, region, 0, 0, packed.data(), 0, nullptr, nullptr));
  for (size_t i = 0; i < desc.image_array_size; ++i)
    for (size_t x = 0; x < desc.image_width; ++x)
      ASSERT_EQ(packed[i * desc.image_width + x], in[i * pitch + x]) << "packed: image " << i << ", x = " << x;
}

}  // namespace
}  // namespace rcl::test
