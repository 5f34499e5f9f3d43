#include "rcl/protocol/image_format.h"

namespace rcl::protocol {

std::size_t imageChannels(cl_channel_order order) {
  switch (order) {
    case CL_R: case CL_A: case CL_INTENSITY: case CL_LUMINANCE: case CL_DEPTH: case CL_Rx:
      return 1;
    case CL_RG: case CL_RA: case CL_RGx: case CL_DEPTH_STENCIL:
      return 2;
    case CL_RGB: case CL_RGBx: case CL_sRGB: case CL_sRGBx:
      return 3;
    case CL_RGBA: case CL_BGRA: case CL_ARGB: case CL_ABGR: case CL_sRGBA: case CL_sBGRA:
      return 4;
    default:
      return 0;
  }
}

std::size_t imageElementBytes(cl_channel_type type, std::size_t channels) {
  switch (type) {
    case CL_UNORM_SHORT_565: case CL_UNORM_SHORT_555:
      return 2;  // packed: one element whatever the order
    case CL_UNORM_INT_101010: case CL_UNORM_INT_101010_2: case CL_UNORM_INT24:
      return 4;
    case CL_SNORM_INT8: case CL_UNORM_INT8: case CL_SIGNED_INT8: case CL_UNSIGNED_INT8:
      return channels;
    case CL_SNORM_INT16: case CL_UNORM_INT16: case CL_SIGNED_INT16: case CL_UNSIGNED_INT16: case CL_HALF_FLOAT:
      return 2 * channels;
    case CL_SIGNED_INT32: case CL_UNSIGNED_INT32: case CL_FLOAT:
      return 4 * channels;
    default:
      return 0;
  }
}

std::size_t imageElementBytes(const cl_image_format& format) {
  const std::size_t channels = imageChannels(format.image_channel_order);
  return channels == 0 ? 0 : imageElementBytes(format.image_channel_data_type, channels);
}

}  // namespace rcl::protocol
