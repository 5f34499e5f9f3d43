#include "rcl/icd/image_format.h"

namespace rcl::icd {
namespace {

std::size_t channelCount(cl_channel_order order) {
  switch (order) {
    case CL_R: case CL_A: case CL_INTENSITY: case CL_LUMINANCE: case CL_DEPTH: case CL_Rx:
      return 1;
    case CL_RG: case CL_RA: case CL_RGx: case CL_DEPTH_STENCIL:
      return 2;
    case CL_RGB: case CL_RGBx: case CL_sRGB: case CL_sRGBx:
      return 3;
    default:
      return 4;  // RGBA, BGRA, ARGB, ABGR, sRGBA, sBGRA
  }
}

}  // namespace

std::size_t imageElementSize(const cl_image_format& format) {
  switch (format.image_channel_data_type) {
    case CL_UNORM_SHORT_565:
    case CL_UNORM_SHORT_555:
      return 2;
    case CL_UNORM_INT_101010:
    case CL_UNORM_INT_101010_2:
    case CL_UNORM_INT24:
      return 4;
    case CL_SNORM_INT8: case CL_UNORM_INT8: case CL_SIGNED_INT8: case CL_UNSIGNED_INT8:
      return channelCount(format.image_channel_order);
    case CL_SNORM_INT16: case CL_UNORM_INT16: case CL_SIGNED_INT16: case CL_UNSIGNED_INT16: case CL_HALF_FLOAT:
      return 2 * channelCount(format.image_channel_order);
    default:  // 32-bit channels
      return 4 * channelCount(format.image_channel_order);
  }
}

}  // namespace rcl::icd
