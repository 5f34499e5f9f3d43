// clGetKernelWorkGroupInfo, answered from the kernel's function
// (objects.h: KernelFunction) once asked: every answer depends only on the
// kernel function (one build of a program, one name), the device, the
// parameter and the sizes of the __local arguments set so far
// (CL_KERNEL_LOCAL_MEM_SIZE adds them to the kernel's own). A new kernel of
// the same function with the same __local sizes asks nothing. Refusals are
// asked again. The values that never change after the build
// (CL_KERNEL_WORK_GROUP_SIZE, _COMPILE_WORK_GROUP_SIZE,
// _PREFERRED_WORK_GROUP_SIZE_MULTIPLE, CL_KERNEL_PRIVATE_MEM_SIZE) on a device
// of the build come with the program's kernels (protocol/program_kernels.h):
// the first query asks nothing either; so does CL_KERNEL_LOCAL_MEM_SIZE's
// while no __local argument is set (the kernel's own __local variables). Shape and reason: codegen/opencl_calls.toml.
#include <cstring>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/icd/entry/info_copy.h"
#include "rcl/icd/entry/kernel_args.h"
#include "rcl/icd/support/trace.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {
namespace {

template <class T>
std::vector<unsigned char> bytesOf(const T& value) {
  std::vector<unsigned char> bytes(sizeof value);
  std::memcpy(bytes.data(), &value, sizeof value);
  return bytes;
}

// `param`'s value on `device` as the build's reply gave it (nullopt: not
// given). CL_KERNEL_LOCAL_MEM_SIZE only while no __local argument is set
// (`noLocalSet`): the server's kernel had none set either, so its answer is
// the kernel's own __local variables, exactly.
std::optional<std::vector<unsigned char>> ofBuild(KernelFunction& function, std::uint64_t device,
                                                  cl_kernel_work_group_info param, bool noLocalSet) {
  std::lock_guard lock(function.mutex);
  const auto it = function.devices.find(device);
  if (it == function.devices.end() || !it->second.ofBuild) return std::nullopt;
  const KernelFunction::OnDevice& on = it->second;
  switch (param) {
    case CL_KERNEL_WORK_GROUP_SIZE:
      return bytesOf(on.groupSize);
    case CL_KERNEL_COMPILE_WORK_GROUP_SIZE:
      return bytesOf(on.requiredSize);
    case CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE:
      return bytesOf(on.preferredMultiple);
    case CL_KERNEL_PRIVATE_MEM_SIZE:
      return bytesOf(on.privateBytes);
    case CL_KERNEL_LOCAL_MEM_SIZE:
      if (noLocalSet) return bytesOf(on.staticLocalBytes);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

cl_int CL_API_CALL clGetKernelWorkGroupInfo(cl_kernel kernel, cl_device_id device,
                                            cl_kernel_work_group_info param_name, size_t param_value_size,
                                            void* param_value, size_t* param_value_size_ret) {
  cl_kernel k = checked(kernel);
  if (k == nullptr) return CL_INVALID_KERNEL;
  cl_device_id d = checked(device);
  if (device != nullptr && d == nullptr) return CL_INVALID_DEVICE;
  KernelFunction& function = *k->function;
  KernelFunction::WorkGroupKey key{d != nullptr ? static_cast<std::uint64_t>(d->id) : 0, param_name,
                                   localArgSizes(k)};
  if (d != nullptr) {
    if (const auto value = ofBuild(function, d->id, param_name, std::get<2>(key).empty())) {
      traceLocalAnswer("clGetKernelWorkGroupInfo");
      return copyInfo(value->data(), value->size(), param_value_size, param_value, param_value_size_ret);
    }
  }
  std::vector<unsigned char> value;
  {
    std::lock_guard lock(function.mutex);
    if (const auto it = function.workGroupInfo.find(key); it != function.workGroupInfo.end()) value = it->second;
  }
  if (!value.empty()) {
    traceLocalAnswer("clGetKernelWorkGroupInfo");
    return copyInfo(value.data(), value.size(), param_value_size, param_value, param_value_size_ret);
  }
  Call call(CallId::clGetKernelWorkGroupInfo);
  call.request(protocol::opencl::clGetKernelWorkGroupInfoRequest{
      .kernel = call.handleId(kernel), .device = call.optionalHandleId(device), .param_name = param_name});
  if (const cl_int status = call.infoValue(param_name, value); status != CL_SUCCESS) return status;
  if (!value.empty()) {
    std::lock_guard lock(function.mutex);
    function.workGroupInfo.emplace(std::move(key), value);
  }
  return copyInfo(value.data(), value.size(), param_value_size, param_value, param_value_size_ret);
}

}  // namespace rcl::icd::custom
