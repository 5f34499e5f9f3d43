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

// A map for writing of memory the host may not read (CL_MEM_HOST_WRITE_ONLY)
// shows the object's bytes (an unmap writes the whole region back), and what
// the host writes there arrives; a map for reading is refused at the call.
TEST_F(ErrorsAtTheCallTest, MappingForWritingWhatTheHostMayNotRead) {
  std::vector<cl_int> initial(256);
  for (size_t i = 0; i < initial.size(); ++i) initial[i] = static_cast<cl_int>(i * 3 + 1);
  const size_t bytes = initial.size() * sizeof(cl_int);
  cl_int error = CL_SUCCESS;
  Mem buffer(clCreateBuffer(context_, CL_MEM_READ_WRITE | CL_MEM_HOST_WRITE_ONLY | CL_MEM_COPY_HOST_PTR, bytes,
                            initial.data(), &error));
  CL_CHECK(error);
  Mem readable;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, bytes, nullptr, &readable));

  // The whole buffer, then a sub-buffer of its second half.
  auto* mapped = static_cast<cl_int*>(
      clEnqueueMapBuffer(queue_, buffer, CL_TRUE, CL_MAP_WRITE, 0, bytes, 0, nullptr, nullptr, &error));
  CL_CHECK(error);
  ASSERT_NE(mapped, nullptr);
  for (size_t i = 0; i < initial.size(); ++i) ASSERT_EQ(mapped[i], initial[i]) << "element " << i << " of the map";
  mapped[5] = -5;  // one element changed: the others must stay
  CL_CHECK(clEnqueueUnmapMemObject(queue_, buffer, mapped, 0, nullptr, nullptr));
  initial[5] = -5;
  const cl_buffer_region half{bytes / 2, bytes / 2};
  Mem sub(clCreateSubBuffer(buffer, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &half, &error));
  CL_CHECK(error);
  mapped = static_cast<cl_int*>(
      clEnqueueMapBuffer(queue_, sub, CL_TRUE, CL_MAP_WRITE, 0, bytes / 2, 0, nullptr, nullptr, &error));
  CL_CHECK(error);
  ASSERT_NE(mapped, nullptr);
  for (size_t i = 0; i < initial.size() / 2; ++i)
    ASSERT_EQ(mapped[i], initial[initial.size() / 2 + i]) << "element " << i << " of the sub-buffer's map";
  mapped[1] = -7;
  CL_CHECK(clEnqueueUnmapMemObject(queue_, sub, mapped, 0, nullptr, nullptr));
  initial[initial.size() / 2 + 1] = -7;

  CL_CHECK(clEnqueueCopyBuffer(queue_, buffer, readable, 0, 0, bytes, 0, nullptr, nullptr));
  std::vector<cl_int> out(initial.size());
  CL_CHECK(clEnqueueReadBuffer(queue_, readable, CL_TRUE, 0, bytes, out.data(), 0, nullptr, nullptr));
  EXPECT_EQ(out, initial);

  // Reading is refused at the call, as writing is for CL_MEM_HOST_READ_ONLY.
  EXPECT_EQ(clEnqueueMapBuffer(queue_, buffer, CL_TRUE, CL_MAP_READ, 0, bytes, 0, nullptr, nullptr, &error), nullptr);
  EXPECT_EQ(error, CL_INVALID_OPERATION) << clErrorName(error);

  // An image: its region's bytes, at the map's pitch.
  const cl_image_format format{CL_RGBA, CL_UNSIGNED_INT8};
  cl_image_desc desc{};
  desc.image_type = CL_MEM_OBJECT_IMAGE2D;
  desc.image_width = 16;
  desc.image_height = 8;
  std::vector<unsigned char> pixels(16 * 8 * 4);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<unsigned char>(i * 7);
  Mem image(clCreateImage(context_, CL_MEM_READ_WRITE | CL_MEM_HOST_WRITE_ONLY | CL_MEM_COPY_HOST_PTR, &format, &desc,
                          pixels.data(), &error));
  CL_CHECK(error);
  const size_t origin[3] = {2, 1, 0}, region[3] = {5, 3, 1};
  size_t rowPitch = 0;
  auto* texels = static_cast<unsigned char*>(clEnqueueMapImage(queue_, image, CL_TRUE, CL_MAP_WRITE, origin, region,
                                                               &rowPitch, nullptr, 0, nullptr, nullptr, &error));
  CL_CHECK(error);
  ASSERT_NE(texels, nullptr);
  for (size_t y = 0; y < region[1]; ++y)
    for (size_t x = 0; x < region[0] * 4; ++x)
      ASSERT_EQ(texels[y * rowPitch + x], pixels[(origin[1] + y) * 16 * 4 + origin[0] * 4 + x])
          << "byte " << x << " of row " << y << " of the image's map";
  // The region's second row's first texel changed: the unmap writes it back.
  for (size_t x = 0; x < 4; ++x) {
    texels[rowPitch + x] = static_cast<unsigned char>(0xA0 + x);
    pixels[(origin[1] + 1) * 16 * 4 + origin[0] * 4 + x] = static_cast<unsigned char>(0xA0 + x);
  }
  CL_CHECK(clEnqueueUnmapMemObject(queue_, image, texels, 0, nullptr, nullptr));
  EXPECT_EQ(clEnqueueMapImage(queue_, image, CL_TRUE, CL_MAP_READ, origin, region, &rowPitch, nullptr, 0, nullptr,
                              nullptr, &error),
            nullptr);
  EXPECT_EQ(error, CL_INVALID_OPERATION) << clErrorName(error);
  // The image, seen through a buffer the host may read: the changed texel, the rest as it was.
  Mem seen;
  ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, pixels.size(), nullptr, &seen));
  const size_t zero[3] = {0, 0, 0}, whole[3] = {16, 8, 1};
  CL_CHECK(clEnqueueCopyImageToBuffer(queue_, image, seen, zero, whole, 0, 0, nullptr, nullptr));
  std::vector<unsigned char> back(pixels.size());
  CL_CHECK(clEnqueueReadBuffer(queue_, seen, CL_TRUE, 0, back.size(), back.data(), 0, nullptr, nullptr));
  for (size_t i = 0; i < pixels.size(); ++i)
    ASSERT_EQ(back[i], pixels[i]) << "byte " << i << " of the image after the unmap wrote its map back";
  CL_CHECK(clFinish(queue_));
}

// A program built (or compiled, then linked) with -cl-uniform-work-group-size
// refuses groups that do not divide the range, at the call, whatever the device.
TEST_F(ErrorsAtTheCallTest, AKernelBuiltForUniformWorkGroups) {
  const char* source = "kernel void k(global int* p) { p[get_global_id(0)] = 1; }";
  cl_device_id device = device_;
  auto check = [&](cl_program program) {
    cl_int error = CL_SUCCESS;
    Kernel kernel(clCreateKernel(program, "k", &error));
    CL_CHECK(error);
    Mem buffer;
    ASSERT_NO_FATAL_FAILURE(bufferOrFail(CL_MEM_READ_WRITE, 64 * sizeof(int), nullptr, &buffer));
    CL_CHECK(clSetKernelArg(kernel, 0, sizeof(cl_mem), buffer.address()));
    const size_t global = 10, local = 3, dividing = 5;
    CL_CHECK_ERROR(CL_INVALID_WORK_GROUP_SIZE,
                   clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, &local, 0, nullptr, nullptr));
    CL_CHECK(clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, &dividing, 0, nullptr, nullptr));
    CL_CHECK(clFinish(queue_));
  };
  Program built;
  ASSERT_NO_FATAL_FAILURE(buildOrFail(source, &built, "-cl-std=CL3.0 -cl-uniform-work-group-size"));
  ASSERT_NO_FATAL_FAILURE(check(built));
  cl_int error = CL_SUCCESS;
  Program compiled(clCreateProgramWithSource(context_, 1, &source, nullptr, &error));
  CL_CHECK(error);
  CL_CHECK(clCompileProgram(compiled, 1, &device, "-cl-uniform-work-group-size", 0, nullptr, nullptr, nullptr,
                            nullptr));
  cl_program input = compiled;
  Program linked(clLinkProgram(context_, 1, &device, "", 1, &input, nullptr, nullptr, &error));
  CL_CHECK(error);
  ASSERT_NO_FATAL_FAILURE(check(linked));
}

// A buffer using an SVM allocation's memory, larger than the allocation:
// CL_INVALID_BUFFER_SIZE (the size is judged before the pointer). And
// CL_KERNEL_EXEC_INFO_SVM_PTRS with no list unsets the pointers.
TEST_F(ErrorsAtTheCallTest, SvmBufferSizesAndAnEmptyExecInfoList) {
  cl_device_svm_capabilities caps = 0;
  if (queryInfo(&caps, clGetDeviceInfo, device_, CL_DEVICE_SVM_CAPABILITIES) != CL_SUCCESS ||
      (caps & CL_DEVICE_SVM_COARSE_GRAIN_BUFFER) == 0)
    GTEST_SKIP() << "no coarse-grained SVM";
  void* svm = clSVMAlloc(context_, CL_MEM_READ_WRITE, 1024, 0);
  ASSERT_NE(svm, nullptr);
  cl_int error = CL_SUCCESS;
  Mem tooLarge(clCreateBuffer(context_, CL_MEM_USE_HOST_PTR, 2048, svm, &error));
  EXPECT_EQ(error, CL_INVALID_BUFFER_SIZE) << clErrorName(error);
  Mem fits(clCreateBuffer(context_, CL_MEM_USE_HOST_PTR, 1024, svm, &error));
  EXPECT_EQ(error, CL_SUCCESS) << clErrorName(error);
  fits.reset();
  Program program;
  ASSERT_NO_FATAL_FAILURE(buildOrFail("kernel void k(global int* p) { p[0] = 1; }", &program, "-cl-std=CL2.0"));
  Kernel kernel;
  ASSERT_NO_FATAL_FAILURE(kernelOrFail(program, "k", &kernel));
  CL_CHECK(clSetKernelExecInfo(kernel, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof svm, &svm));
  CL_CHECK(clSetKernelExecInfo(kernel, CL_KERNEL_EXEC_INFO_SVM_PTRS, 0, nullptr));
  clSVMFree(context_, svm);
}

// clSetDefaultDeviceCommandQueue on a device without device-side enqueue:
// CL_INVALID_OPERATION, also for a NULL queue (the device is judged first).
TEST_F(ErrorsAtTheCallTest, ADefaultDeviceQueueWithoutDeviceSideEnqueue) {
  cl_device_device_enqueue_capabilities caps = 0;
  if (clGetDeviceInfo(device_, CL_DEVICE_DEVICE_ENQUEUE_CAPABILITIES, sizeof caps, &caps, nullptr) != CL_SUCCESS ||
      caps != 0)
    GTEST_SKIP() << "the device has device-side enqueue";
  CL_CHECK_ERROR(CL_INVALID_OPERATION, clSetDefaultDeviceCommandQueue(context_, device_, nullptr));
  CL_CHECK_ERROR(CL_INVALID_OPERATION, clSetDefaultDeviceCommandQueue(context_, device_, queue_));
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
