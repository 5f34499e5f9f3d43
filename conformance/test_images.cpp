// images: supported-format queries, every image type (1D, 1D buffer, 1D array, 2D, 2D array, 3D),
// read/write/copy/fill/map, images from buffers, samplers, clGetImageInfo, kernel image access.

#include <algorithm>

#include "conformance.h"

namespace rcl::conformance {
namespace {

class images : public Suite<images> {  // NOLINT(readability-identifier-naming): the area's name
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Suite::SetUp());
    cl_bool support = CL_FALSE;
    CL_CHECK(queryInfo(&support, clGetDeviceInfo, device_, CL_DEVICE_IMAGE_SUPPORT));
    if (support != CL_TRUE) GTEST_SKIP() << "the device reports CL_DEVICE_IMAGE_SUPPORT = CL_FALSE";
  }

  Mem image(cl_mem_flags flags, const cl_image_desc& desc, void* hostPtr = nullptr, cl_int* errorOut = nullptr) {
    cl_int error = CL_SUCCESS;
    Mem result(clCreateImage(context_, flags, &kRgbaU8, &desc, hostPtr, &error));
    if (errorOut != nullptr) {
      *errorOut = error;
    } else {
      EXPECT_EQ(error, CL_SUCCESS) << "clCreateImage: " << clErrorName(error);
    }
    return result;
  }

  static constexpr cl_image_format kRgbaU8{CL_RGBA, CL_UNSIGNED_INT8};
};

constexpr size_t kPixel = 4;  // CL_RGBA x CL_UNSIGNED_INT8

struct Shape {
  const char* name;
  cl_mem_object_type type;
  size_t width, height, depth, arraySize;
  // Extent in (x, y, z) as the enqueue functions count it: arrays use y or z for the layer.
  size_t extent[3];
};

const Shape kShapes[] = {
    {"1D", CL_MEM_OBJECT_IMAGE1D, 16, 0, 0, 0, {16, 1, 1}},
    {"1D buffer", CL_MEM_OBJECT_IMAGE1D_BUFFER, 16, 0, 0, 0, {16, 1, 1}},
    {"1D array", CL_MEM_OBJECT_IMAGE1D_ARRAY, 16, 0, 0, 3, {16, 3, 1}},
    {"2D", CL_MEM_OBJECT_IMAGE2D, 16, 8, 0, 0, {16, 8, 1}},
    {"2D array", CL_MEM_OBJECT_IMAGE2D_ARRAY, 16, 8, 0, 3, {16, 8, 3}},
    {"3D", CL_MEM_OBJECT_IMAGE3D, 16, 8, 4, 0, {16, 8, 4}},
};

cl_image_desc describe(const Shape& shape, cl_mem buffer = nullptr) {
  cl_image_desc desc{};
  desc.image_type = shape.type;
  desc.image_width = shape.width;
  desc.image_height = shape.height;
  desc.image_depth = shape.depth;
  desc.image_array_size = shape.arraySize;
  desc.buffer = buffer;
  return desc;
}

size_t bytesOf(const Shape& shape) { return shape.extent[0] * shape.extent[1] * shape.extent[2] * kPixel; }

TEST_F(images, SupportedFormatQueries) {
  const cl_mem_object_type types[] = {CL_MEM_OBJECT_IMAGE1D,       CL_MEM_OBJECT_IMAGE1D_BUFFER,
                                      CL_MEM_OBJECT_IMAGE1D_ARRAY, CL_MEM_OBJECT_IMAGE2D,
                                      CL_MEM_OBJECT_IMAGE2D_ARRAY, CL_MEM_OBJECT_IMAGE3D};
  const cl_mem_flags flags[] = {CL_MEM_READ_ONLY, CL_MEM_WRITE_ONLY, CL_MEM_READ_WRITE};
  for (cl_mem_object_type type : types) {
    for (cl_mem_flags flag : flags) {
      SCOPED_TRACE("type " + std::to_string(type) + " flags " + std::to_string(flag));
      cl_uint count = 0;
      CL_CHECK(clGetSupportedImageFormats(context_, flag, type, 0, nullptr, &count));
      EXPECT_GT(count, 0u);
      std::vector<cl_image_format> formats(count);
      cl_uint again = 0;
      CL_CHECK(clGetSupportedImageFormats(context_, flag, type, count, formats.data(), &again));
      EXPECT_EQ(again, count);
      if (type == CL_MEM_OBJECT_IMAGE2D) {
        // The minimum list of OpenCL 3.0 for 2D images with images supported.
        for (cl_channel_type channelType : {CL_UNORM_INT8, CL_UNSIGNED_INT8, CL_FLOAT}) {
          EXPECT_TRUE(std::any_of(formats.begin(), formats.end(), [&](const cl_image_format& f) {
            return f.image_channel_order == CL_RGBA && f.image_channel_data_type == channelType;
          })) << "CL_RGBA with channel type " << channelType << " missing";
        }
      }
    }
  }
  cl_uint count = 0;
  CL_EXPECT_ERROR(CL_INVALID_VALUE,
                  clGetSupportedImageFormats(context_, CL_MEM_READ_ONLY, CL_MEM_OBJECT_BUFFER, 0, nullptr, &count));
}

TEST_F(images, ImageInfoEveryType) {
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE(shape.name);
    Mem backing;
    if (shape.type == CL_MEM_OBJECT_IMAGE1D_BUFFER) backing = buffer(CL_MEM_READ_WRITE, bytesOf(shape));
    Mem img = image(CL_MEM_READ_WRITE, describe(shape, backing.get()));
    ASSERT_TRUE(img);
    cl_image_format format{};
    CL_EXPECT(queryInfo(&format, clGetImageInfo, img.get(), CL_IMAGE_FORMAT));
    EXPECT_EQ(format.image_channel_order, static_cast<cl_uint>(CL_RGBA));
    EXPECT_EQ(format.image_channel_data_type, static_cast<cl_uint>(CL_UNSIGNED_INT8));
    size_t value = 0;
    CL_EXPECT(queryInfo(&value, clGetImageInfo, img.get(), CL_IMAGE_ELEMENT_SIZE));
    EXPECT_EQ(value, kPixel);
    CL_EXPECT(queryInfo(&value, clGetImageInfo, img.get(), CL_IMAGE_WIDTH));
    EXPECT_EQ(value, shape.width);
    CL_EXPECT(queryInfo(&value, clGetImageInfo, img.get(), CL_IMAGE_HEIGHT));
    EXPECT_EQ(value, shape.height);
    CL_EXPECT(queryInfo(&value, clGetImageInfo, img.get(), CL_IMAGE_DEPTH));
    EXPECT_EQ(value, shape.depth);
    CL_EXPECT(queryInfo(&value, clGetImageInfo, img.get(), CL_IMAGE_ARRAY_SIZE));
    EXPECT_EQ(value, shape.arraySize);
    CL_EXPECT(queryInfo(&value, clGetImageInfo, img.get(), CL_IMAGE_ROW_PITCH));
    EXPECT_GE(value, shape.width * kPixel);
    cl_uint levels = 99;
    CL_EXPECT(queryInfo(&levels, clGetImageInfo, img.get(), CL_IMAGE_NUM_MIP_LEVELS));
    EXPECT_EQ(levels, 0u);
    cl_mem imageBuffer = reinterpret_cast<cl_mem>(1);
    CL_EXPECT(queryInfo(&imageBuffer, clGetImageInfo, img.get(), CL_IMAGE_BUFFER));
    EXPECT_EQ(imageBuffer, backing.get());
    cl_mem_object_type type = 0;
    CL_EXPECT(queryInfo(&type, clGetMemObjectInfo, img.get(), CL_MEM_TYPE));
    EXPECT_EQ(type, shape.type);
  }
}

TEST_F(images, WriteReadEveryType) {
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE(shape.name);
    const size_t bytes = bytesOf(shape);
    Mem backing;
    if (shape.type == CL_MEM_OBJECT_IMAGE1D_BUFFER) backing = buffer(CL_MEM_READ_WRITE, bytes);
    Mem img = image(CL_MEM_READ_WRITE, describe(shape, backing.get()));
    ASSERT_TRUE(img);
    const std::vector<uint8_t> data = counting(bytes, 1);
    const size_t origin[3] = {0, 0, 0};
    CL_CHECK(clEnqueueWriteImage(queue_, img, CL_TRUE, origin, shape.extent, 0, 0, data.data(), 0, nullptr, nullptr));
    std::vector<uint8_t> seen(bytes, 0xee);
    CL_CHECK(clEnqueueReadImage(queue_, img, CL_TRUE, origin, shape.extent, 0, 0, seen.data(), 0, nullptr, nullptr));
    EXPECT_EQ(seen, data) << "whole image";

    // A sub-region, read into padded host rows (row pitch = width + 3 pixels).
    const size_t sub[3] = {2, shape.extent[1] > 1 ? 1u : 0u, shape.extent[2] > 1 ? 1u : 0u};
    const size_t region[3] = {5, shape.extent[1] > 1 ? 2u : 1u, shape.extent[2] > 1 ? 2u : 1u};
    const size_t rowPitch = (5 + 3) * kPixel;
    const size_t slicePitch = rowPitch * region[1];
    std::vector<uint8_t> part(slicePitch * region[2], 0xee);
    CL_CHECK(clEnqueueReadImage(queue_, img, CL_TRUE, sub, region, rowPitch,
                                shape.extent[2] > 1 || shape.type == CL_MEM_OBJECT_IMAGE1D_ARRAY ? slicePitch : 0,
                                part.data(), 0, nullptr, nullptr));
    for (size_t z = 0; z < region[2]; ++z) {
      for (size_t y = 0; y < region[1]; ++y) {
        const size_t from = (((sub[2] + z) * shape.extent[1] + sub[1] + y) * shape.extent[0] + sub[0]) * kPixel;
        const size_t to = z * slicePitch + y * rowPitch;
        EXPECT_EQ(std::vector<uint8_t>(part.begin() + to, part.begin() + to + 5 * kPixel),
                  std::vector<uint8_t>(data.begin() + from, data.begin() + from + 5 * kPixel))
            << "row y=" << y << " z=" << z;
      }
    }
    if (shape.type == CL_MEM_OBJECT_IMAGE1D_BUFFER) {
      EXPECT_EQ(readBytes(backing, bytes), data) << "the image's buffer holds the written pixels";
    }
  }
}

TEST_F(images, CopyImageAndBufferTransfers) {
  const Shape& shape = kShapes[3];  // 2D 16 x 8
  const size_t bytes = bytesOf(shape);
  const std::vector<uint8_t> data = counting(bytes, 3);
  Mem src = image(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, describe(shape), const_cast<uint8_t*>(data.data()));
  Mem dst = image(CL_MEM_READ_WRITE, describe(shape));
  ASSERT_TRUE(src && dst);
  const std::vector<uint8_t> zeros(bytes, 0);
  const size_t origin[3] = {0, 0, 0};
  CL_CHECK(clEnqueueWriteImage(queue_, dst, CL_TRUE, origin, shape.extent, 0, 0, zeros.data(), 0, nullptr, nullptr));
  const size_t srcOrigin[3] = {1, 2, 0};
  const size_t dstOrigin[3] = {8, 4, 0};
  const size_t region[3] = {6, 3, 1};
  CL_CHECK(clEnqueueCopyImage(queue_, src, dst, srcOrigin, dstOrigin, region, 0, nullptr, nullptr));
  std::vector<uint8_t> expected = zeros;
  for (size_t y = 0; y < region[1]; ++y) {
    std::copy_n(data.begin() + ((srcOrigin[1] + y) * 16 + srcOrigin[0]) * kPixel, region[0] * kPixel,
                expected.begin() + ((dstOrigin[1] + y) * 16 + dstOrigin[0]) * kPixel);
  }
  std::vector<uint8_t> seen(bytes, 0xee);
  CL_CHECK(clEnqueueReadImage(queue_, dst, CL_TRUE, origin, shape.extent, 0, 0, seen.data(), 0, nullptr, nullptr));
  EXPECT_EQ(seen, expected) << "clEnqueueCopyImage";

  // Image -> buffer (tightly packed region at an offset), then buffer -> a fresh image.
  Mem staging = buffer(CL_MEM_READ_WRITE, 64 + region[0] * region[1] * kPixel);
  ASSERT_TRUE(staging);
  CL_CHECK(clEnqueueCopyImageToBuffer(queue_, src, staging, srcOrigin, region, 64, 0, nullptr, nullptr));
  std::vector<uint8_t> packed;
  for (size_t y = 0; y < region[1]; ++y) {
    const auto row = data.begin() + ((srcOrigin[1] + y) * 16 + srcOrigin[0]) * kPixel;
    packed.insert(packed.end(), row, row + region[0] * kPixel);
  }
  EXPECT_EQ(readBytes(staging, packed.size(), 64), packed) << "clEnqueueCopyImageToBuffer";
  Mem back = image(CL_MEM_READ_WRITE, describe(shape));
  ASSERT_TRUE(back);
  CL_CHECK(clEnqueueCopyBufferToImage(queue_, staging, back, 64, origin, region, 0, nullptr, nullptr));
  std::vector<uint8_t> corner(packed.size(), 0xee);
  CL_CHECK(clEnqueueReadImage(queue_, back, CL_TRUE, origin, region, 0, 0, corner.data(), 0, nullptr, nullptr));
  EXPECT_EQ(corner, packed) << "clEnqueueCopyBufferToImage";
}

TEST_F(images, FillImage) {
  const Shape& shape = kShapes[5];  // 3D
  const size_t bytes = bytesOf(shape);
  const std::vector<uint8_t> zeros(bytes, 0);
  Mem img = image(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, describe(shape), const_cast<uint8_t*>(zeros.data()));
  ASSERT_TRUE(img);
  const cl_uint4 color = {{10, 20, 30, 40}};
  const size_t origin[3] = {3, 2, 1};
  const size_t region[3] = {4, 3, 2};
  Event filled;
  CL_CHECK(clEnqueueFillImage(queue_, img, &color, origin, region, 0, nullptr, filled.out()));
  CL_CHECK(clWaitForEvents(1, filled.address()));
  cl_command_type type = 0;
  CL_CHECK(queryInfo(&type, clGetEventInfo, filled.get(), CL_EVENT_COMMAND_TYPE));
  EXPECT_EQ(type, static_cast<cl_command_type>(CL_COMMAND_FILL_IMAGE));
  std::vector<uint8_t> expected = zeros;
  for (size_t z = origin[2]; z < origin[2] + region[2]; ++z) {
    for (size_t y = origin[1]; y < origin[1] + region[1]; ++y) {
      for (size_t x = origin[0]; x < origin[0] + region[0]; ++x) {
        const size_t at = ((z * 8 + y) * 16 + x) * kPixel;
        expected[at] = 10, expected[at + 1] = 20, expected[at + 2] = 30, expected[at + 3] = 40;
      }
    }
  }
  std::vector<uint8_t> seen(bytes, 0xee);
  const size_t zero[3] = {0, 0, 0};
  CL_CHECK(clEnqueueReadImage(queue_, img, CL_TRUE, zero, shape.extent, 0, 0, seen.data(), 0, nullptr, nullptr));
  EXPECT_EQ(seen, expected);
}

// Host-access flags refuse reads and writes at the call, as for buffers (the Khronos CTS's
// mem_host_flags read_only_image and no_access_image; remote-cl used to return CL_SUCCESS and
// report the server's CL_INVALID_OPERATION only in its log).
TEST_F(images, HostAccessFlagsRefuseReadsAndWritesAtTheCall) {
  const Shape& shape = kShapes[3];  // 2D
  const size_t zero[3] = {0, 0, 0};
  std::vector<uint8_t> data(bytesOf(shape), 5);
  struct Case {
    cl_mem_flags flags;
    bool mayRead, mayWrite;
  };
  for (const Case& c : {Case{CL_MEM_HOST_READ_ONLY, true, false}, Case{CL_MEM_HOST_WRITE_ONLY, false, true},
                        Case{CL_MEM_HOST_NO_ACCESS, false, false}}) {
    Mem img = image(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR | c.flags, describe(shape), data.data());
    ASSERT_TRUE(img);
    const cl_int wrote = clEnqueueWriteImage(queue_, img, CL_TRUE, zero, shape.extent, 0, 0, data.data(), 0,
                                             nullptr, nullptr);
    const cl_int read = clEnqueueReadImage(queue_, img, CL_TRUE, zero, shape.extent, 0, 0, data.data(), 0,
                                           nullptr, nullptr);
    EXPECT_EQ(wrote, c.mayWrite ? CL_SUCCESS : CL_INVALID_OPERATION) << "host flags " << c.flags;
    EXPECT_EQ(read, c.mayRead ? CL_SUCCESS : CL_INVALID_OPERATION) << "host flags " << c.flags;
  }
  CL_CHECK(clFinish(queue_));
}

TEST_F(images, MapImageReadWriteAndUseHostPtrRule) {
  const Shape& shape = kShapes[3];  // 2D 16 x 8
  const size_t bytes = bytesOf(shape);
  const std::vector<uint8_t> data = counting(bytes, 17);
  Mem img = image(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, describe(shape), const_cast<uint8_t*>(data.data()));
  ASSERT_TRUE(img);
  const size_t origin[3] = {2, 3, 0};
  const size_t region[3] = {5, 4, 1};
  size_t rowPitch = 0;
  cl_int error = CL_SUCCESS;
  auto* p = static_cast<uint8_t*>(clEnqueueMapImage(queue_, img, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, origin, region,
                                                    &rowPitch, nullptr, 0, nullptr, nullptr, &error));
  CL_CHECK(error);
  ASSERT_GE(rowPitch, region[0] * kPixel);
  std::vector<uint8_t> expected = data;
  for (size_t y = 0; y < region[1]; ++y) {
    const size_t at = ((origin[1] + y) * 16 + origin[0]) * kPixel;
    EXPECT_EQ(std::vector<uint8_t>(p + y * rowPitch, p + y * rowPitch + region[0] * kPixel),
              std::vector<uint8_t>(data.begin() + at, data.begin() + at + region[0] * kPixel))
        << "mapped row " << y;
    std::fill(p + y * rowPitch, p + y * rowPitch + region[0] * kPixel, static_cast<uint8_t>(0xd0 + y));
    std::fill(expected.begin() + at, expected.begin() + at + region[0] * kPixel, static_cast<uint8_t>(0xd0 + y));
  }
  CL_CHECK(clEnqueueUnmapMemObject(queue_, img, p, 0, nullptr, nullptr));
  std::vector<uint8_t> seen(bytes, 0xee);
  const size_t zero[3] = {0, 0, 0};
  CL_CHECK(clEnqueueReadImage(queue_, img, CL_TRUE, zero, shape.extent, 0, 0, seen.data(), 0, nullptr, nullptr));
  EXPECT_EQ(seen, expected) << "after writing through the map";

  // CL_MEM_USE_HOST_PTR: the mapped pointer is host_ptr + origin, with the host row pitch.
  alignas(4096) static uint8_t host[16 * 8 * kPixel];
  std::copy(data.begin(), data.end(), host);
  Mem hostImage = image(CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, describe(shape), host);
  ASSERT_TRUE(hostImage);
  for (cl_map_flags flag : {static_cast<cl_map_flags>(CL_MAP_READ), static_cast<cl_map_flags>(CL_MAP_WRITE),
                            static_cast<cl_map_flags>(CL_MAP_WRITE_INVALIDATE_REGION)}) {
    SCOPED_TRACE("map flags " + std::to_string(flag));
    rowPitch = 0;
    void* mapped = clEnqueueMapImage(queue_, hostImage, CL_TRUE, flag, origin, region, &rowPitch, nullptr, 0, nullptr,
                                     nullptr, &error);
    CL_CHECK(error);
    EXPECT_EQ(mapped, static_cast<void*>(host + (origin[1] * 16 + origin[0]) * kPixel));
    EXPECT_EQ(rowPitch, 16 * kPixel);
    CL_CHECK(clEnqueueUnmapMemObject(queue_, hostImage, mapped, 0, nullptr, nullptr));
  }
  CL_CHECK(clFinish(queue_));
}

TEST_F(images, ImageFromBuffer) {
  // 1D buffer image: bytes written to the buffer are the image's pixels.
  const Shape& shape1d = kShapes[1];
  const size_t bytes = bytesOf(shape1d);
  const std::vector<uint8_t> data = counting(bytes, 50);
  Mem backing = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes, const_cast<uint8_t*>(data.data()));
  ASSERT_TRUE(backing);
  Mem img = image(CL_MEM_READ_ONLY, describe(shape1d, backing));
  ASSERT_TRUE(img);
  std::vector<uint8_t> seen(bytes, 0xee);
  const size_t zero[3] = {0, 0, 0};
  CL_CHECK(clEnqueueReadImage(queue_, img, CL_TRUE, zero, shape1d.extent, 0, 0, seen.data(), 0, nullptr, nullptr));
  EXPECT_EQ(seen, data) << "1D buffer image";

  // 2D image from a buffer (OpenCL 2.0+, CL_DEVICE_IMAGE_PITCH_ALIGNMENT > 0).
  cl_uint pitchAlignment = 0;
  CL_CHECK(queryInfo(&pitchAlignment, clGetDeviceInfo, device_, CL_DEVICE_IMAGE_PITCH_ALIGNMENT));
  if (pitchAlignment == 0) return;
  const size_t width = 16, height = 8;
  const size_t rowPitch = ((width * kPixel + pitchAlignment * kPixel - 1) / (pitchAlignment * kPixel)) *
                          (pitchAlignment * kPixel);
  const std::vector<uint8_t> rows = counting(rowPitch * height, 90);
  Mem backing2d = buffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, rows.size(), const_cast<uint8_t*>(rows.data()));
  ASSERT_TRUE(backing2d);
  cl_image_desc desc{};
  desc.image_type = CL_MEM_OBJECT_IMAGE2D;
  desc.image_width = width;
  desc.image_height = height;
  desc.image_row_pitch = rowPitch;
  desc.buffer = backing2d;
  Mem img2d = image(CL_MEM_READ_ONLY, desc);
  ASSERT_TRUE(img2d);
  std::vector<uint8_t> packed(width * height * kPixel, 0xee);
  const size_t region[3] = {width, height, 1};
  CL_CHECK(clEnqueueReadImage(queue_, img2d, CL_TRUE, zero, region, 0, 0, packed.data(), 0, nullptr, nullptr));
  for (size_t y = 0; y < height; ++y) {
    EXPECT_EQ(std::vector<uint8_t>(packed.begin() + y * width * kPixel, packed.begin() + (y + 1) * width * kPixel),
              std::vector<uint8_t>(rows.begin() + y * rowPitch, rows.begin() + y * rowPitch + width * kPixel))
        << "row " << y;
  }
  cl_mem reported = nullptr;
  CL_CHECK(queryInfo(&reported, clGetImageInfo, img2d.get(), CL_IMAGE_BUFFER));
  EXPECT_EQ(reported, backing2d.get());
}

TEST_F(images, SamplersAndKernelImageAccess) {
  const cl_sampler_properties properties[] = {CL_SAMPLER_NORMALIZED_COORDS, CL_FALSE, CL_SAMPLER_ADDRESSING_MODE,
                                              CL_ADDRESS_CLAMP_TO_EDGE, CL_SAMPLER_FILTER_MODE, CL_FILTER_NEAREST, 0};
  cl_int error = CL_SUCCESS;
  Sampler sampler(clCreateSamplerWithProperties(context_, properties, &error));
  CL_CHECK(error);
  cl_bool normalized = CL_TRUE;
  CL_CHECK(queryInfo(&normalized, clGetSamplerInfo, sampler.get(), CL_SAMPLER_NORMALIZED_COORDS));
  EXPECT_EQ(normalized, static_cast<cl_bool>(CL_FALSE));
  cl_addressing_mode addressing = 0;
  CL_CHECK(queryInfo(&addressing, clGetSamplerInfo, sampler.get(), CL_SAMPLER_ADDRESSING_MODE));
  EXPECT_EQ(addressing, static_cast<cl_addressing_mode>(CL_ADDRESS_CLAMP_TO_EDGE));
  cl_filter_mode filter = 0;
  CL_CHECK(queryInfo(&filter, clGetSamplerInfo, sampler.get(), CL_SAMPLER_FILTER_MODE));
  EXPECT_EQ(filter, static_cast<cl_filter_mode>(CL_FILTER_NEAREST));
  cl_context context = nullptr;
  CL_CHECK(queryInfo(&context, clGetSamplerInfo, sampler.get(), CL_SAMPLER_CONTEXT));
  EXPECT_EQ(context, context_);
  std::vector<cl_sampler_properties> reported;
  CL_CHECK(queryVector(&reported, clGetSamplerInfo, sampler.get(), CL_SAMPLER_PROPERTIES));
  EXPECT_EQ(reported, std::vector<cl_sampler_properties>(std::begin(properties), std::end(properties)));
  Sampler legacy(clCreateSampler(context_, CL_TRUE, CL_ADDRESS_REPEAT, CL_FILTER_LINEAR, &error));
  CL_CHECK(error);
  CL_CHECK(queryInfo(&normalized, clGetSamplerInfo, legacy.get(), CL_SAMPLER_NORMALIZED_COORDS));
  EXPECT_EQ(normalized, static_cast<cl_bool>(CL_TRUE));
  const cl_sampler_properties bad[] = {CL_SAMPLER_NORMALIZED_COORDS, CL_FALSE, CL_SAMPLER_ADDRESSING_MODE,
                                       CL_ADDRESS_REPEAT, 0};
  Sampler invalid(clCreateSamplerWithProperties(context_, bad, &error));
  EXPECT_EQ(invalid.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_VALUE, error) << "CL_ADDRESS_REPEAT needs normalized coordinates";

  // A kernel samples the image (clamped outside) with the sampler passed as an argument and writes
  // what it read into a second image.
  Kernel k = kernel(
      "__kernel void shift(__read_only image2d_t in, sampler_t s, __write_only image2d_t out) {\n"
      "  int2 p = (int2)(get_global_id(0), get_global_id(1));\n"
      "  write_imageui(out, p, read_imageui(in, s, (float2)(p.x - 2 + 0.5f, p.y + 0.5f)));\n"
      "}\n",
      "shift");
  ASSERT_TRUE(k);
  const Shape& shape = kShapes[3];
  const std::vector<uint8_t> data = counting(bytesOf(shape), 1);
  Mem in = image(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, describe(shape), const_cast<uint8_t*>(data.data()));
  Mem out = image(CL_MEM_WRITE_ONLY, describe(shape));
  ASSERT_TRUE(in && out);
  CL_CHECK(clSetKernelArg(k, 0, sizeof(cl_mem), in.address()));
  cl_sampler s = sampler.get();
  CL_CHECK(clSetKernelArg(k, 1, sizeof(cl_sampler), &s));
  CL_CHECK(clSetKernelArg(k, 2, sizeof(cl_mem), out.address()));
  const size_t global[2] = {16, 8};
  CL_CHECK(clEnqueueNDRangeKernel(queue_, k, 2, nullptr, global, nullptr, 0, nullptr, nullptr));
  std::vector<uint8_t> seen(data.size(), 0xee);
  const size_t zero[3] = {0, 0, 0};
  CL_CHECK(clEnqueueReadImage(queue_, out, CL_TRUE, zero, shape.extent, 0, 0, seen.data(), 0, nullptr, nullptr));
  std::vector<uint8_t> expected(data.size());
  for (size_t y = 0; y < 8; ++y) {
    for (size_t x = 0; x < 16; ++x) {
      const size_t from = x >= 2 ? x - 2 : 0;
      std::copy_n(data.begin() + (y * 16 + from) * kPixel, kPixel, expected.begin() + (y * 16 + x) * kPixel);
    }
  }
  EXPECT_EQ(seen, expected);
}

TEST_F(images, InvalidImageArguments) {
  cl_image_desc desc = describe(kShapes[3]);
  cl_int error = CL_SUCCESS;
  desc.image_width = 0;
  Mem zeroWidth(clCreateImage(context_, CL_MEM_READ_WRITE, &kRgbaU8, &desc, nullptr, &error));
  EXPECT_EQ(zeroWidth.get(), nullptr);
  // The spec says CL_INVALID_IMAGE_DESCRIPTOR; PoCL 3.1 answers CL_INVALID_BUFFER_SIZE.
  EXPECT_TRUE(error == CL_INVALID_IMAGE_DESCRIPTOR || error == CL_INVALID_IMAGE_SIZE || error == CL_INVALID_BUFFER_SIZE)
      << "width 0: " << clErrorName(error);
  desc = describe(kShapes[3]);
  const cl_image_format bogus{0x1234, CL_UNSIGNED_INT8};
  Mem badFormat(clCreateImage(context_, CL_MEM_READ_WRITE, &bogus, &desc, nullptr, &error));
  EXPECT_EQ(badFormat.get(), nullptr);
  // The spec says CL_INVALID_IMAGE_FORMAT_DESCRIPTOR; PoCL 3.1 answers CL_INVALID_OPERATION.
  EXPECT_TRUE(error == CL_INVALID_IMAGE_FORMAT_DESCRIPTOR || error == CL_IMAGE_FORMAT_NOT_SUPPORTED ||
              error == CL_INVALID_OPERATION)
      << "unknown channel order: " << clErrorName(error);
  Mem missingPtr(clCreateImage(context_, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, &kRgbaU8, &desc, nullptr, &error));
  EXPECT_EQ(missingPtr.get(), nullptr);
  CL_EXPECT_ERROR(CL_INVALID_HOST_PTR, error);
}

}  // namespace
}  // namespace rcl::conformance
