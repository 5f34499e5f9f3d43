// The device a command queue runs on, as the client learns it.
#pragma once

#include <CL/cl.h>

namespace rcl::icd {

// The device `queue` runs on (CL_QUEUE_DEVICE never changes): asked of the
// server once, then kept on the queue; nullptr if the server did not answer.
cl_device_id deviceOf(cl_command_queue queue);

}  // namespace rcl::icd
