#include "rcl/server/handlers/device_info_all.h"

#include <utility>
#include <vector>

#include "rcl/protocol/device_info.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/calls/info_filters.h"

namespace rcl::server {

void deviceInfoAll(CallContext& ctx) {
  auto device = ctx.handle<cl_device_id>();
  const InfoQuery query = [device](cl_uint param, size_t size, void* value, size_t* sizeRet) {
    return ::clGetDeviceInfo(device, param, size, value, sizeRet);
  };
  std::vector<std::pair<cl_uint, std::vector<unsigned char>>> values;
  std::vector<std::pair<cl_uint, cl_int>> refused;
  for (const auto& range : protocol::kDeviceInfoRanges) {
    for (cl_uint param = range.first; param <= range.last; ++param) {
      std::vector<unsigned char> value;
      const cl_int status = ctx.infoValue(param, query, &maskDeviceInfo, value);
      if (status == CL_SUCCESS) values.emplace_back(param, std::move(value));
      else if (status != CL_INVALID_VALUE) refused.emplace_back(param, status);
    }
  }
  cl_bool unified = CL_FALSE;  // unmasked: protocol::kDeviceSharesHostMemory
  if (::clGetDeviceInfo(device, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, nullptr) == CL_SUCCESS) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(&unified);
    values.emplace_back(protocol::kDeviceSharesHostMemory, std::vector<unsigned char>(bytes, bytes + sizeof unified));
  }
  ctx.reply(CL_SUCCESS);
  if (!ctx.replying()) return;
  protocol::Writer& w = ctx.replyWriter();
  w.array(static_cast<std::uint32_t>(values.size()));
  for (const auto& [param, value] : values) {
    w.array(2);
    w.u64(param);
    w.bin(value.data(), value.size());
  }
  w.array(static_cast<std::uint32_t>(refused.size()));
  for (const auto& [param, status] : refused) {
    w.array(2);
    w.u64(param);
    w.i64(status);
  }
}

}  // namespace rcl::server
