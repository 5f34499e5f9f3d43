// What an image creation is checked against on the client, so that it can
// be sent without waiting (pipelined.h): the context's supported formats
// (clGetSupportedImageFormats, asked once per context, flags and image type,
// then answered here) and the devices' kept image limits.
#pragma once

#include <optional>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/objects/objects.h"

namespace rcl::icd {

// The formats `context` supports for `flags` and `type`, asked once and then
// kept (nullopt: the server refused; nothing is kept).
std::optional<std::vector<cl_image_format>> supportedImageFormats(cl_context context, cl_mem_flags flags,
                                                                  cl_mem_object_type type);

// Whether the platform surely makes this image, so that only resources can
// fail it: no properties, no mip-maps, samples or memory object behind it,
// valid flags (no USE_HOST_PTR, COPY_HOST_PTR exactly with host memory,
// packed host memory), a format the context supports for them, and sizes
// within every device's limits. Anything else goes to the server.
bool imageSurelyTaken(cl_context context, cl_mem_flags flags, const cl_image_format* format,
                      const cl_image_desc* desc, const void* host_ptr);

// What the client keeps of an image it made: its format, element size, host
// pitches, type and extent (what transfers and kernel arguments are checked against).
void keepImageFacts(cl_mem m, const cl_image_format& format, const cl_image_desc& desc);

}  // namespace rcl::icd
