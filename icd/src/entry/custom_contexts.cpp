// Hand-written entry point for contexts: a context whose devices and
// properties the client knows the platform takes is created without waiting
// (pipelined.h); its devices and properties are answered here. Anything the
// client is not sure of (a device twice, one not available, devices of two
// platforms, a property it does not know) waits for the server's verdict,
// so the error is the platform's own. Shapes and reasons:
// codegen/opencl_calls.toml.
#include <algorithm>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/custom_calls.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {
namespace {

// The platform a device belongs to (a root device knows it; a sub-device
// asks its kept information), nullptr if unknown.
cl_platform_id platformOf(cl_device_id device) {
  if (device->platform != nullptr) return device->platform;
  cl_platform_id platform = nullptr;
  return deviceValue(device, CL_DEVICE_PLATFORM, platform) ? platform : nullptr;
}

// The one platform of `devices`, if the platform surely makes a context of
// them: each a known device, available, named once (PoCL 3.1 drops a second
// naming: the context's devices would differ from the list), all of one
// platform. nullptr otherwise.
cl_platform_id devicesPlatform(const cl_device_id* devices, cl_uint count) {
  if (devices == nullptr || count == 0) return nullptr;
  cl_platform_id platform = nullptr;
  for (cl_uint i = 0; i < count; ++i) {
    cl_device_id d = checked(devices[i]);
    if (d == nullptr || std::find(devices, devices + i, devices[i]) != devices + i) return nullptr;
    cl_platform_id p = platformOf(d);
    if (p == nullptr || (platform != nullptr && p != platform)) return nullptr;
    platform = p;
    cl_bool available = CL_FALSE;
    if (!deviceValue(d, CL_DEVICE_AVAILABLE, available) || available != CL_TRUE) return nullptr;
  }
  return platform;
}

// Whether the platform surely takes a property list for a context of
// `platform`'s devices: NULL or empty, or keys it knows, each once:
// CL_CONTEXT_PLATFORM naming that platform, CL_CONTEXT_INTEROP_USER_SYNC
// true or false (PoCL 3.1 refuses a key twice and unknown keys,
// CL_INVALID_PROPERTY).
bool propertiesTaken(const cl_context_properties* list, cl_platform_id platform) {
  if (list == nullptr) return true;
  bool named = false, sync = false;
  for (std::size_t i = 0; list[i] != 0; i += 2) {
    const cl_context_properties value = list[i + 1];
    switch (list[i]) {
      case CL_CONTEXT_PLATFORM:
        if (std::exchange(named, true) || reinterpret_cast<cl_platform_id>(value) != platform) return false;
        break;
      case CL_CONTEXT_INTEROP_USER_SYNC:
        if (std::exchange(sync, true) || (value != CL_TRUE && value != CL_FALSE)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

// What never changes of a context made without waiting, answered here.
void keepContext(cl_context context, const cl_context_properties* properties, const cl_device_id* devices,
                 cl_uint count) {
  constexpr CallId info = CallId::clGetContextInfo;
  keepSentInfo(info, context, CL_CONTEXT_NUM_DEVICES, count);
  keepSentInfo(info, context, CL_CONTEXT_DEVICES, devices, count * sizeof(cl_device_id));
  keepSentProperties(info, context, CL_CONTEXT_PROPERTIES, properties);
}

// The platform a context of `properties` is made on: the one
// CL_CONTEXT_PLATFORM names (the loader refuses a list without it), or for
// NULL the server's default, if the set-up said which of the session's it
// is; nullptr otherwise (the server's choice: asked).
cl_platform_id propertiesPlatform(const cl_context_properties* properties) {
  if (properties == nullptr) {
    Connection* connection = Driver::instance().defaultConnection();
    const auto* info = connection != nullptr ? connection->platformInfo().get() : nullptr;
    if (info == nullptr || info->null_platform.value_or(0) == 0) return nullptr;
    Object* p = connection->find(*info->null_platform);
    return p != nullptr && p->kind == ObjectKind::Platform ? static_cast<cl_platform_id>(p) : nullptr;
  }
  for (std::size_t i = 0; properties[i] != 0; i += 2)
    if (properties[i] == CL_CONTEXT_PLATFORM) return checked(reinterpret_cast<cl_platform_id>(properties[i + 1]));
  return nullptr;
}

// The platform's kept answer of clGetDeviceIDs for `type` (the set-up's, or
// asked once): false if it has none.
bool keptDevicesOfType(cl_platform_id platform, cl_device_type type, cl_int& status,
                       std::vector<cl_device_id>& devices) {
  if (platform == nullptr) return false;
  std::lock_guard lock(platform->deviceListsMutex);
  const auto it = platform->deviceLists.find(type);
  if (it == platform->deviceLists.end()) return false;
  std::tie(status, devices) = it->second;
  return true;
}

}  // namespace

cl_context CL_API_CALL clCreateContext(const cl_context_properties* properties, cl_uint num_devices,
                                       const cl_device_id* devices,
                                       void(CL_CALLBACK* pfn_notify)(const char*, const void*, size_t, void*),
                                       void* user_data, cl_int* errcode_ret) {
  cl_platform_id platform = devicesPlatform(devices, num_devices);
  const bool known = platform != nullptr && propertiesTaken(properties, platform);
  Call call(CallId::clCreateContext);
  auto* created = call.newObject<_cl_context>();
  // (A braced list runs its initializers in order: the checks as the parameters come.)
  call.request(protocol::opencl::clCreateContextRequest{
      .created_id = created->id,
      .properties = call.propertyValues(properties),
      .num_devices = num_devices,
      .devices = call.handleIds(devices, num_devices),
      .pfn_notify = call.callbackId(CallbackKind::context_notify, pfn_notify, user_data)});
  const bool pipelined = known && !call.failed();
  cl_context c = createPipelined(call, created, pipelined, errcode_ret);
  if (c != nullptr && pipelined) keepContext(c, properties, devices, num_devices);
  return c;
}

// A context of a type whose devices the client kept (clGetDeviceIDs of the
// platform the properties name, or the server's default for NULL; the
// set-up's answers, protocol/platform_info.h): a type without a device is
// refused here with the platform's error, before any other check, as PoCL
// 3.1 does (it counts the type's devices first, then makes a context of
// them as clCreateContext); a context of its devices is sent without waiting
// as clCreateContext's, with the same checks. Otherwise a round trip.
cl_context CL_API_CALL clCreateContextFromType(const cl_context_properties* properties, cl_device_type device_type,
                                               void(CL_CALLBACK* pfn_notify)(const char*, const void*, size_t, void*),
                                               void* user_data, cl_int* errcode_ret) {
  const cl_platform_id named = propertiesPlatform(properties);
  cl_int typeStatus = CL_SUCCESS;
  std::vector<cl_device_id> devices;
  const bool kept = keptDevicesOfType(named, device_type, typeStatus, devices);
  if (kept && typeStatus != CL_SUCCESS) {
    traceLocalAnswer("clCreateContextFromType", typeStatus);
    if (errcode_ret != nullptr) *errcode_ret = typeStatus;
    return nullptr;
  }
  const auto count = static_cast<cl_uint>(devices.size());
  cl_platform_id platform = devicesPlatform(devices.data(), count);
  const bool known = kept && platform != nullptr && platform == named && propertiesTaken(properties, platform);
  Call call(CallId::clCreateContextFromType);
  auto* created = call.newObject<_cl_context>();
  call.request(protocol::opencl::clCreateContextFromTypeRequest{
      .created_id = created->id,
      .properties = call.propertyValues(properties),
      .device_type = device_type,
      .pfn_notify = call.callbackId(CallbackKind::context_notify, pfn_notify, user_data)});
  const bool pipelined = known && !call.failed();
  if (pipelined) created->devices = devices;  // (otherwise asked once needed: pipelined.h)
  cl_context c = createPipelined(call, created, pipelined, errcode_ret);
  if (c != nullptr && pipelined) keepContext(c, properties, devices.data(), count);
  return c;
}

}  // namespace rcl::icd::custom
