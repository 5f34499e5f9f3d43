// [DeviceInfoAll]: every information of a device in one reply
// (protocol/device_info.h).
#pragma once

namespace rcl::protocol::calls {
struct DeviceInfoAll;  // its request ([requests.DeviceInfoAll] in codegen/messages.toml)
}  // namespace rcl::protocol::calls

namespace rcl::server {

class CallContext;

void deviceInfoAll(CallContext& ctx, const protocol::calls::DeviceInfoAll& request);

}  // namespace rcl::server
