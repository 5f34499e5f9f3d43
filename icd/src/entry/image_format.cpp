#include "rcl/icd/entry/image_format.h"

#include "rcl/protocol/image_format.h"

namespace rcl::icd {

std::size_t imageElementSize(const cl_image_format& format) {
  // A format the protocol does not know (an extension's) still gets a size:
  // an unknown order counts as four channels, an unknown type as 32-bit channels.
  std::size_t channels = protocol::imageChannels(format.image_channel_order);
  if (channels == 0) channels = 4;
  const std::size_t bytes = protocol::imageElementBytes(format.image_channel_data_type, channels);
  return bytes != 0 ? bytes : 4 * channels;
}

}  // namespace rcl::icd
