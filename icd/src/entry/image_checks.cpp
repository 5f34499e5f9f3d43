#include "rcl/icd/entry/image_checks.h"

#include <algorithm>
#include <mutex>

#include "rcl/icd/custom_calls.h"
#include "rcl/icd/entry/image_format.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/icd/transport/call.h"

namespace rcl::icd {
namespace {

constexpr cl_mem_flags kDeviceAccess = CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY | CL_MEM_READ_ONLY;
constexpr cl_mem_flags kHostAccess = CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_NO_ACCESS;
// Enough for any platform's list in one round trip (a longer one takes a second).
constexpr cl_uint kFormatsAsked = 256;

// One clGetSupportedImageFormats round trip for up to `entries` formats: its
// status, the formats and their full count.
cl_int askFormats(cl_context context, cl_mem_flags flags, cl_mem_object_type type, cl_uint entries,
                  std::vector<cl_image_format>& formats, cl_uint& count) {
  formats.assign(entries, cl_image_format{});
  return forwarded::clGetSupportedImageFormats(context, flags, type, entries, formats.data(), &count);
}

bool fits(std::size_t value, std::size_t limit) { return value >= 1 && value <= limit; }

// Whether `device` takes an image of `desc` with `bytes` of data.
bool deviceTakes(cl_device_id device, const cl_image_desc& desc, cl_ulong bytes) {
  cl_bool images = CL_FALSE;
  cl_ulong maxAlloc = 0;
  std::size_t width2d = 0, height2d = 0, width3d = 0, height3d = 0, depth3d = 0, arrays = 0;
  if (!deviceValue(device, CL_DEVICE_IMAGE_SUPPORT, images) || images != CL_TRUE ||
      !deviceValue(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, maxAlloc) || bytes > maxAlloc ||
      !deviceValue(device, CL_DEVICE_IMAGE2D_MAX_WIDTH, width2d) ||
      !deviceValue(device, CL_DEVICE_IMAGE2D_MAX_HEIGHT, height2d))
    return false;
  switch (desc.image_type) {
    case CL_MEM_OBJECT_IMAGE1D:
      return fits(desc.image_width, width2d);
    case CL_MEM_OBJECT_IMAGE2D:
      return fits(desc.image_width, width2d) && fits(desc.image_height, height2d);
    case CL_MEM_OBJECT_IMAGE1D_ARRAY:
    case CL_MEM_OBJECT_IMAGE2D_ARRAY:
      return deviceValue(device, CL_DEVICE_IMAGE_MAX_ARRAY_SIZE, arrays) && fits(desc.image_width, width2d) &&
             (desc.image_type == CL_MEM_OBJECT_IMAGE1D_ARRAY || fits(desc.image_height, height2d)) &&
             fits(desc.image_array_size, arrays);
    case CL_MEM_OBJECT_IMAGE3D:
      return deviceValue(device, CL_DEVICE_IMAGE3D_MAX_WIDTH, width3d) &&
             deviceValue(device, CL_DEVICE_IMAGE3D_MAX_HEIGHT, height3d) &&
             deviceValue(device, CL_DEVICE_IMAGE3D_MAX_DEPTH, depth3d) && fits(desc.image_width, width3d) &&
             fits(desc.image_height, height3d) && fits(desc.image_depth, depth3d);
    default:
      return false;  // image buffers: the buffer behind them is the server's to judge
  }
}

// The image's bytes (every dimension at least 1 here).
cl_ulong imageBytes(const cl_image_desc& desc, std::size_t element) {
  cl_ulong n = static_cast<cl_ulong>(desc.image_width) * element;
  switch (desc.image_type) {
    case CL_MEM_OBJECT_IMAGE2D: return n * desc.image_height;
    case CL_MEM_OBJECT_IMAGE3D: return n * desc.image_height * desc.image_depth;
    case CL_MEM_OBJECT_IMAGE1D_ARRAY: return n * desc.image_array_size;
    case CL_MEM_OBJECT_IMAGE2D_ARRAY: return n * desc.image_height * desc.image_array_size;
    default: return n;
  }
}

// The extent an origin and a region of the image are checked against.
void setImageExtent(cl_mem m, const cl_image_desc& desc) {
  std::size_t extent[3] = {desc.image_width, 1, 1};
  switch (desc.image_type) {
    case CL_MEM_OBJECT_IMAGE1D_ARRAY: extent[1] = desc.image_array_size; break;
    case CL_MEM_OBJECT_IMAGE2D: extent[1] = desc.image_height; break;
    case CL_MEM_OBJECT_IMAGE2D_ARRAY: extent[1] = desc.image_height; extent[2] = desc.image_array_size; break;
    case CL_MEM_OBJECT_IMAGE3D: extent[1] = desc.image_height; extent[2] = desc.image_depth; break;
    default: break;  // 1D, 1D buffer
  }
  std::copy(extent, extent + 3, m->imageExtent);
}

}  // namespace

void keepImageFacts(cl_mem m, const cl_image_format& format, const cl_image_desc& desc) {
  m->image = true;
  m->elementSize = imageElementSize(format);
  m->format = format;
  m->hostRowPitch = desc.image_row_pitch != 0 ? desc.image_row_pitch : desc.image_width * m->elementSize;
  const bool hasSlices = desc.image_type == CL_MEM_OBJECT_IMAGE3D || desc.image_type == CL_MEM_OBJECT_IMAGE2D_ARRAY ||
                         desc.image_type == CL_MEM_OBJECT_IMAGE1D_ARRAY;
  const std::size_t rows = desc.image_type == CL_MEM_OBJECT_IMAGE1D_ARRAY ? 1 : desc.image_height;
  m->hostSlicePitch = hasSlices ? (desc.image_slice_pitch != 0 ? desc.image_slice_pitch : m->hostRowPitch * rows) : 0;
  m->imageType = desc.image_type;
  setImageExtent(m, desc);
}

std::optional<std::vector<cl_image_format>> supportedImageFormats(cl_context context, cl_mem_flags flags,
                                                                  cl_mem_object_type type) {
  const auto key = std::make_pair(flags, type);
  {
    std::lock_guard lock(context->formatsMutex);
    if (const auto it = context->imageFormats.find(key); it != context->imageFormats.end()) return it->second;
  }
  std::vector<cl_image_format> formats;
  cl_uint count = 0;
  if (askFormats(context, flags, type, kFormatsAsked, formats, count) != CL_SUCCESS) return std::nullopt;
  if (count > kFormatsAsked && askFormats(context, flags, type, count, formats, count) != CL_SUCCESS)
    return std::nullopt;
  formats.resize(std::min<std::size_t>(count, formats.size()));
  std::lock_guard lock(context->formatsMutex);
  context->imageFormats[key] = formats;
  return formats;
}

bool imageSurelyTaken(cl_context context, cl_mem_flags flags, const cl_image_format* format,
                      const cl_image_desc* desc, const void* host_ptr) {
  constexpr cl_mem_flags kKnown = kDeviceAccess | kHostAccess | CL_MEM_ALLOC_HOST_PTR | CL_MEM_COPY_HOST_PTR;
  const auto atMostOne = [](cl_mem_flags bits) { return (bits & (bits - 1)) == 0; };
  if (context == nullptr || format == nullptr || desc == nullptr || desc->mem_object != nullptr ||
      desc->num_mip_levels != 0 || desc->num_samples != 0 || desc->image_row_pitch != 0 ||
      desc->image_slice_pitch != 0 || (flags & ~kKnown) != 0 || !atMostOne(flags & kDeviceAccess) ||
      !atMostOne(flags & kHostAccess) || ((flags & CL_MEM_COPY_HOST_PTR) != 0) != (host_ptr != nullptr))
    return false;
  const std::size_t element = imageElementSize(*format);
  if (element == 0) return false;
  const auto devices = contextDevices(context);
  if (devices.empty()) return false;
  const cl_ulong bytes = imageBytes(*desc, element);
  for (cl_device_id device : devices)
    if (!deviceTakes(device, *desc, bytes)) return false;
  const auto formats = supportedImageFormats(context, flags & kDeviceAccess ? flags & kDeviceAccess : CL_MEM_READ_WRITE,
                                             desc->image_type);
  return formats && std::any_of(formats->begin(), formats->end(), [&](const cl_image_format& f) {
           return f.image_channel_order == format->image_channel_order &&
                  f.image_channel_data_type == format->image_channel_data_type;
         });
}

}  // namespace rcl::icd

namespace rcl::icd::custom {

// Answered from the context's kept list once asked (its first query, or an
// image creation's check, asks the server); errors are the platform's.
cl_int CL_API_CALL clGetSupportedImageFormats(cl_context context, cl_mem_flags flags, cl_mem_object_type image_type,
                                              cl_uint num_entries, cl_image_format* image_formats,
                                              cl_uint* num_image_formats) {
  cl_context c = checked(context);
  if (c != nullptr && !(num_entries == 0 && image_formats != nullptr)) {
    if (const auto formats = supportedImageFormats(c, flags, image_type)) {
      if (image_formats != nullptr)
        std::copy_n(formats->begin(), std::min<std::size_t>(num_entries, formats->size()), image_formats);
      if (num_image_formats != nullptr) *num_image_formats = static_cast<cl_uint>(formats->size());
      return CL_SUCCESS;
    }
  }
  // The platform's own error.
  return forwarded::clGetSupportedImageFormats(context, flags, image_type, num_entries, image_formats,
                                               num_image_formats);
}

}  // namespace rcl::icd::custom
