// The size of one image element, from its format.
#pragma once

#include <cstddef>

#include <CL/cl.h>

namespace rcl::icd {

std::size_t imageElementSize(const cl_image_format& format);

}  // namespace rcl::icd
