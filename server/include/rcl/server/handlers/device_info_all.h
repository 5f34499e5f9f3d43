// [DeviceInfoAll]: every information of a device in one reply
// (protocol/device_info.h); and the same with the session's set-up
// ([PlatformInfoAll], protocol/platform_info.h).
#pragma once

#include <CL/cl.h>

namespace rcl::protocol::calls {
struct DeviceInfoAll;  // its request ([requests.DeviceInfoAll] in codegen/messages.toml)
}  // namespace rcl::protocol::calls

namespace rcl::protocol::control {
struct SessionDeviceInfo;  // [records.SessionDeviceInfo]
}  // namespace rcl::protocol::control

namespace rcl::server {

class CallContext;
class Session;

void deviceInfoAll(CallContext& ctx, const protocol::calls::DeviceInfoAll& request);

// Every param of kDeviceInfoRanges of `device` as clGetDeviceInfo of it alone
// answers it (filtered, handles as the session's ids) into `out` (its values,
// refusals and the real host-unified memory; `out.device` is left as it is).
void allDeviceInfo(Session& session, cl_device_id device, protocol::control::SessionDeviceInfo& out);

}  // namespace rcl::server
