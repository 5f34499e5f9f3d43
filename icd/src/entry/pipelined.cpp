#include "rcl/icd/entry/pipelined.h"

#include "rcl/icd/objects/info_cache.h"
#include "rcl/protocol/info_results.h"

namespace rcl::icd {

void keepSentInfo(CallId infoCall, const Object* object, cl_uint param, const void* value, std::size_t size) {
  if (object == nullptr || !protocol::infoImmutable(infoCall, param)) return;
  const auto* bytes = static_cast<const unsigned char*>(value);
  Driver::instance().infoCache().store(object, param, std::vector<unsigned char>(bytes, bytes + size));
}

std::vector<cl_device_id> contextDevices(cl_context context) {
  if (!context->devices.empty()) return context->devices;  // as clCreateContext named them
  std::size_t bytes = 0;
  if (kDispatchTable.clGetContextInfo(context, CL_CONTEXT_DEVICES, 0, nullptr, &bytes) != CL_SUCCESS || bytes == 0)
    return {};
  std::vector<cl_device_id> devices(bytes / sizeof(cl_device_id));
  if (kDispatchTable.clGetContextInfo(context, CL_CONTEXT_DEVICES, bytes, devices.data(), nullptr) != CL_SUCCESS)
    return {};
  return devices;
}

}  // namespace rcl::icd
