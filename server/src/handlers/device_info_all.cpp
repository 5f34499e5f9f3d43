#include "rcl/server/handlers/device_info_all.h"

#include <string>
#include <utility>
#include <vector>

#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/device_info.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/calls/info_filters.h"

namespace rcl::server {

void allDeviceInfo(Session& session, cl_device_id device, protocol::control::SessionDeviceInfo& out) {
  const InfoQuery query = [device](cl_uint param, size_t size, void* value, size_t* sizeRet) {
    return ::clGetDeviceInfo(device, param, size, value, sizeRet);
  };
  sessionInfoRanges(session, protocol::CallId::clGetDeviceInfo, protocol::kDeviceInfoRanges, query, &maskDeviceInfo,
                    out.values, out.refused);
  cl_bool unified = CL_FALSE;  // unmasked (the application's answer is CL_FALSE)
  out.shares_host_memory =
      ::clGetDeviceInfo(device, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, nullptr) == CL_SUCCESS &&
      unified != CL_FALSE;
}

void deviceInfoAll(CallContext& ctx, const protocol::calls::DeviceInfoAll& request) {
  auto device = ctx.handleOf<cl_device_id>(request.device);
  protocol::control::SessionDeviceInfo all;
  allDeviceInfo(ctx.session(), device, all);
  protocol::calls::DeviceInfoAllReply reply;
  reply.values = std::move(all.values);
  reply.refused = std::move(all.refused);
  reply.shares_host_memory = all.shares_host_memory;
  ctx.reply(CL_SUCCESS);
  if (!ctx.replying()) return;
  reply.encodeBody(ctx.replyWriter());
}

}  // namespace rcl::server
