// [PlatformInfoAll]: every information of the session's platforms and
// devices, asked by the client with its Attach (protocol/platform_info.h).
#include <string>
#include <vector>

#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/platform_info.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/calls/info_filters.h"
#include "rcl/server/handlers/device_info_all.h"
#include "rcl/server/session/session.h"

namespace rcl::server {

void Session::answerPlatformInfo(std::uint64_t seq) {
  protocol::control::PlatformInfoAllReply reply{.seq = seq};
  for (const auto& ids : platformIds_) {
    const auto platform = table_.get<cl_platform_id>(ids.platform);
    const InfoQuery query = [platform](cl_uint param, size_t size, void* value, size_t* sizeRet) {
      return ::clGetPlatformInfo(platform, param, size, value, sizeRet);
    };
    protocol::control::SessionPlatformInfo info{.platform = ids.platform};
    for (const auto& range : protocol::kPlatformInfoRanges) {
      for (cl_uint param = range.first; param <= range.last; ++param) {
        std::vector<unsigned char> value;
        const cl_int status =
            sessionInfoValue(*this, protocol::CallId::clGetPlatformInfo, param, query, &maskPlatformInfo, value);
        if (status == CL_SUCCESS) info.values.push_back({param, std::string(value.begin(), value.end())});
        else if (status != CL_INVALID_VALUE) info.refused.push_back({param, status});
      }
    }
    for (const auto id : ids.devices) {
      protocol::control::SessionDeviceInfo device{.device = id};
      allDeviceInfo(*this, table_.get<cl_device_id>(id), device);
      info.devices.push_back(std::move(device));
    }
    reply.platforms.push_back(std::move(info));
  }
  send(reply.frames());
}

}  // namespace rcl::server
