// [PlatformInfoAll]: every information of the session's platforms and
// devices, asked by the client with its Attach (protocol/platform_info.h).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/platform_info.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/calls/info_filters.h"
#include "rcl/server/calls/object_info.h"
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
    sessionInfoRanges(*this, protocol::CallId::clGetPlatformInfo, protocol::kPlatformInfoRanges, query,
                      &maskPlatformInfo, info.values, info.refused);
    for (const auto id : ids.devices) {
      protocol::control::SessionDeviceInfo device{.device = id};
      allDeviceInfo(*this, table_.get<cl_device_id>(id), device);
      info.devices.push_back(std::move(device));
    }
    reply.platforms.push_back(std::move(info));
  }
  answerDeviceTypes(reply);
  send(reply.frames());
}

namespace {

// The ids of `real` devices (HandleTable::idOf), in `real`'s order; nothing
// if one is not among the platform's `ids`.
std::optional<std::vector<std::uint64_t>> idsOf(const HandleTable& table, const std::vector<std::uint64_t>& ids,
                                                const std::vector<cl_device_id>& real) {
  std::vector<std::uint64_t> out;
  for (cl_device_id d : real) {
    const auto id = table.idOf(d);
    if (id == 0 || std::find(ids.begin(), ids.end(), id) == ids.end()) return std::nullopt;
    out.push_back(id);
  }
  return out;
}

}  // namespace

// Each platform's clGetDeviceIDs of kAnsweredDeviceTypes, as the real
// platform answers (a type whose devices are not all the session's is left
// out: the client asks), and the platform a context of NULL properties is
// made on: the loader's default, whose devices clGetDeviceIDs(NULL, ...)
// lists (ocl-icd; a loader that refuses it: 0, the client asks).
void Session::answerDeviceTypes(protocol::control::PlatformInfoAllReply& reply) {
  std::vector<protocol::control::PlatformDeviceTypes> answered;
  for (const auto& ids : platformIds_) {
    const auto platform = table_.get<cl_platform_id>(ids.platform);
    protocol::control::PlatformDeviceTypes types{.platform = ids.platform};
    for (const cl_device_type type : protocol::kAnsweredDeviceTypes) {
      std::vector<cl_device_id> devices;
      const cl_int status = devicesOfType(platform, type, devices);
      auto known = idsOf(table_, ids.devices, devices);
      if (known) types.types.push_back({type, status, std::move(*known)});
    }
    answered.push_back(std::move(types));
  }
  reply.device_types = std::move(answered);
  std::vector<cl_device_id> defaults;
  cl_platform_id real = nullptr;
  if (devicesOfType(nullptr, CL_DEVICE_TYPE_ALL, defaults) == CL_SUCCESS && !defaults.empty() &&
      ::clGetDeviceInfo(defaults.front(), CL_DEVICE_PLATFORM, sizeof real, &real, nullptr) != CL_SUCCESS)
    real = nullptr;
  reply.null_platform = 0;
  for (const auto& ids : platformIds_)
    if (real != nullptr && table_.get<cl_platform_id>(ids.platform) == real) reply.null_platform = ids.platform;
}

}  // namespace rcl::server
