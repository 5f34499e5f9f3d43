// The bytes of one image element, as both sides count them: the client to
// send an image's host memory, the server to check what it was sent.
#pragma once

#include <cstddef>

#include <CL/cl.h>

namespace rcl::protocol {

// Channels of an element of `order`; 0 for an order of none of OpenCL 3.0's.
std::size_t imageChannels(cl_channel_order order);

// Bytes of an element of `channels` channels of `type` (a packed type: the
// element whatever the channels); 0 for a type of none of OpenCL 3.0's.
std::size_t imageElementBytes(cl_channel_type type, std::size_t channels);

// Bytes of an element of `format`; 0 if its order or type is not known.
std::size_t imageElementBytes(const cl_image_format& format);

}  // namespace rcl::protocol
