#include "rcl/icd/entry/kernel_launch_info.h"

#include <mutex>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/support/log.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/kernel_launch_info.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd {
namespace {

// CL_KERNEL_NUM_ARGS alone (no device known).
void askNumArgs(cl_kernel k, KernelFunction& f) {
  Call call(CallId::clGetKernelInfo);
  call.request(protocol::opencl::clGetKernelInfoRequest{.kernel = call.handleId(k), .param_name = CL_KERNEL_NUM_ARGS});
  cl_uint n = 0;
  if (call.info(CL_KERNEL_NUM_ARGS, sizeof n, &n, nullptr) == CL_SUCCESS) f.numArgs = n;
}

// Everything at once for `device` (under f.mutex). A server that cannot say
// leaves the device unknown; it is not asked again.
void askOnDevice(cl_kernel k, cl_device_id device, KernelFunction& f) {
  KernelFunction::OnDevice& on = f.devices[device->id];
  Call call(CallId::KernelLaunchInfo);
  call.request(protocol::calls::KernelLaunchInfo{.kernel = call.handleId(k), .device = call.handleId(device)});
  Reply reply = call.sync();
  protocol::Reader* r = reply.reader();
  if (reply.status() != CL_SUCCESS || r == nullptr) return;
  try {
    const auto info = protocol::calls::KernelLaunchInfoReply::decodeBody(*r, 0);
    f.numArgs = info.num_args;
    on.groupSize = info.work_group_size;
    for (int d = 0; d < 3; ++d) on.requiredSize[d] = info.compile_size[d];
    on.staticLocalBytes = info.static_local_bytes;
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed kernel launch information: {}", e.what());
  }
}

}  // namespace

std::optional<cl_uint> kernelNumArgs(cl_kernel k, cl_device_id device) {
  KernelFunction& f = *k->function;
  std::lock_guard lock(f.mutex);
  if (!f.numArgs && device != nullptr && f.devices.count(device->id) == 0) askOnDevice(k, device, f);
  if (!f.numArgs) askNumArgs(k, f);
  return f.numArgs;
}

std::optional<KernelFunction::OnDevice> kernelOnDevice(cl_kernel k, cl_device_id device) {
  if (device == nullptr) return std::nullopt;
  KernelFunction& f = *k->function;
  std::lock_guard lock(f.mutex);
  if (f.devices.count(device->id) == 0) askOnDevice(k, device, f);
  const KernelFunction::OnDevice& on = f.devices[device->id];
  if (on.groupSize == 0) return std::nullopt;
  return on;
}

}  // namespace rcl::icd
