// Hand-written entry points for command queues: a host queue whose device
// and properties the client knows the platform takes is created without
// waiting (pipelined.h); its context, device and properties are answered
// here, and what the client's own checks need of it (its device, whether it
// runs in order) is known from the start. On-device queues and properties
// the client does not check (sizes, priorities, throttles) wait for the
// server's verdict. Shapes and reasons: codegen/opencl_calls.toml.
#include <algorithm>
#include <mutex>
#include <string>
#include <utility>

#include <CL/cl.h>
#include <CL/cl_ext.h>

#include "rcl/icd/custom_calls.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {
namespace {

// Whether the platform surely makes a queue of `properties` on `device` in
// `context`: the device is one of the context's, and the properties are
// among those it supports on the host (CL_DEVICE_QUEUE_ON_HOST_PROPERTIES,
// which is CL_DEVICE_QUEUE_PROPERTIES of OpenCL 1.x); CL_QUEUE_ON_DEVICE and
// unknown bits go to the server.
bool surelyTaken(cl_context context, cl_device_id device, cl_command_queue_properties properties) {
  constexpr cl_command_queue_properties kHost = CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE | CL_QUEUE_PROFILING_ENABLE;
  if (context == nullptr || device == nullptr || (properties & ~kHost) != 0) return false;
  const auto devices = contextDevices(context);
  if (std::find(devices.begin(), devices.end(), device) == devices.end()) return false;
  cl_command_queue_properties supported = 0;
  return deviceValue(device, CL_DEVICE_QUEUE_ON_HOST_PROPERTIES, supported) && (properties & ~supported) == 0;
}

// The CL_QUEUE_PROPERTIES a property list names: false unless that is its
// only key, named once (a NULL or empty list: 0).
bool readProperties(const cl_queue_properties* list, cl_command_queue_properties& properties) {
  properties = 0;
  if (list == nullptr) return true;
  bool seen = false;
  for (std::size_t i = 0; list[i] != 0; i += 2) {
    if (list[i] != CL_QUEUE_PROPERTIES || std::exchange(seen, true)) return false;
    properties = static_cast<cl_command_queue_properties>(list[i + 1]);
  }
  return true;
}

// What never changes of a queue made without waiting: answered here, and
// known to the client's own checks (queue_device.h, queue_progress.h).
void keepQueue(cl_command_queue queue, cl_context context, cl_device_id device,
               cl_command_queue_properties properties, const cl_queue_properties* list) {
  constexpr CallId info = CallId::clGetCommandQueueInfo;
  keepSentInfo(info, queue, CL_QUEUE_CONTEXT, context);
  keepSentInfo(info, queue, CL_QUEUE_DEVICE, device);
  keepSentInfo(info, queue, CL_QUEUE_PROPERTIES, properties);
  keepSentProperties(info, queue, CL_QUEUE_PROPERTIES_ARRAY, list);
  queue->inOrder = (properties & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) == 0 ? 1 : 0;
  std::lock_guard lock(queue->lastMutex);
  queue->device = device;
}

// Whether `device` lists `extension` in its CL_DEVICE_EXTENSIONS (kept by the client).
bool lists(cl_device_id device, const std::string& extension) {
  std::size_t n = 0;
  if (kDispatchTable.clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, 0, nullptr, &n) != CL_SUCCESS || n == 0)
    return false;
  std::string list(n, '\0');
  if (kDispatchTable.clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, n, list.data(), nullptr) != CL_SUCCESS)
    return false;
  list = " " + std::string(list.c_str()) + " ";
  return list.find(" " + extension + " ") != std::string::npos;
}

// clCreateCommandQueueWithProperties and its cl_khr_create_command_queue
// twin (`id`): the same checks, and for the twin a device that lists the
// extension (otherwise the server has no such function: its error, one round trip).
template <class Request>
cl_command_queue createWithProperties(CallId id, cl_context context, cl_device_id device,
                                      const cl_queue_properties* properties, cl_int* errcode_ret) {
  cl_command_queue_properties bits = 0;
  const bool known = readProperties(properties, bits);
  Call call(id);
  auto* created = call.newObject<_cl_command_queue>();
  call.request(Request{.created_id = created->id,
                       .context = call.handleId(context),
                       .device = call.handleId(device),
                       .properties = call.propertyValues(properties)});
  const bool twin = id == CallId::clCreateCommandQueueWithPropertiesKHR;
  const bool pipelined = known && !call.failed() && surelyTaken(context, device, bits) &&
                         (!twin || lists(device, "cl_khr_create_command_queue"));
  cl_command_queue q = createPipelined(call, created, pipelined, errcode_ret);
  if (q != nullptr && pipelined) keepQueue(q, context, device, bits, properties);
  return q;
}

}  // namespace

cl_command_queue CL_API_CALL clCreateCommandQueue(cl_context context, cl_device_id device,
                                                  cl_command_queue_properties properties, cl_int* errcode_ret) {
  Call call(CallId::clCreateCommandQueue);
  auto* created = call.newObject<_cl_command_queue>();
  call.request(protocol::opencl::clCreateCommandQueueRequest{.created_id = created->id,
                                                             .context = call.handleId(context),
                                                             .device = call.handleId(device),
                                                             .properties = properties});
  const bool pipelined = !call.failed() && surelyTaken(context, device, properties);
  cl_command_queue q = createPipelined(call, created, pipelined, errcode_ret);
  if (q != nullptr && pipelined) keepQueue(q, context, device, properties, nullptr);
  return q;
}

cl_command_queue CL_API_CALL clCreateCommandQueueWithProperties(cl_context context, cl_device_id device,
                                                                const cl_queue_properties* properties,
                                                                cl_int* errcode_ret) {
  return createWithProperties<protocol::opencl::clCreateCommandQueueWithPropertiesRequest>(
      CallId::clCreateCommandQueueWithProperties, context, device, properties, errcode_ret);
}

cl_command_queue CL_API_CALL clCreateCommandQueueWithPropertiesKHR(cl_context context, cl_device_id device,
                                                                   const cl_queue_properties_khr* properties,
                                                                   cl_int* errcode_ret) {
  return createWithProperties<protocol::opencl::clCreateCommandQueueWithPropertiesKHRRequest>(
      CallId::clCreateCommandQueueWithPropertiesKHR, context, device, properties, errcode_ret);
}

}  // namespace rcl::icd::custom
