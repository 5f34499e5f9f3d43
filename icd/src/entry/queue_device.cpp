#include "rcl/icd/entry/queue_device.h"

#include <mutex>

#include "rcl/icd/transport/call.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd {

cl_device_id deviceOf(cl_command_queue queue) {
  {
    std::lock_guard lock(queue->lastMutex);
    if (queue->device != nullptr) return queue->device;
  }
  Call call(CallId::clGetCommandQueueInfo);
  call.request(protocol::opencl::clGetCommandQueueInfoRequest{.command_queue = call.handleId(queue),
                                                              .param_name = CL_QUEUE_DEVICE});
  cl_device_id device = nullptr;
  if (call.info(CL_QUEUE_DEVICE, sizeof device, &device, nullptr) != CL_SUCCESS) return nullptr;
  std::lock_guard lock(queue->lastMutex);
  queue->device = device;
  return device;
}

}  // namespace rcl::icd
