// [KernelLaunchInfo]: what the client checks a kernel's launches against on
// one device, in one reply (protocol/kernel_launch_info.h).
#pragma once

namespace rcl::server {

class CallContext;

void kernelLaunchInfo(CallContext& ctx);

}  // namespace rcl::server
