// [KernelLaunchInfo]: what the client checks a kernel's launches against on
// one device, in one reply (protocol/kernel_launch_info.h).
#pragma once

namespace rcl::protocol::calls {
struct KernelLaunchInfo;  // its request ([requests.KernelLaunchInfo] in codegen/messages.toml)
}  // namespace rcl::protocol::calls

namespace rcl::server {

class CallContext;

void kernelLaunchInfo(CallContext& ctx, const protocol::calls::KernelLaunchInfo& request);

}  // namespace rcl::server
