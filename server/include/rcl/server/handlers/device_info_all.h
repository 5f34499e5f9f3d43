// [DeviceInfoAll]: every information of a device in one reply
// (protocol/device_info.h).
#pragma once

namespace rcl::server {

class CallContext;

void deviceInfoAll(CallContext& ctx);

}  // namespace rcl::server
