// clGetKernelWorkGroupInfo, answered from the kernel's function
// (objects.h: KernelFunction) once asked: every answer depends only on the
// kernel function (one build of a program, one name), the device, the
// parameter and the sizes of the __local arguments set so far
// (CL_KERNEL_LOCAL_MEM_SIZE adds them to the kernel's own). A new kernel of
// the same function with the same __local sizes asks nothing. Refusals are
// asked again. Shape and reason: codegen/opencl_calls.toml.
#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/icd/entry/info_copy.h"
#include "rcl/icd/entry/kernel_args.h"
#include "rcl/icd/support/trace.h"

namespace rcl::icd::custom {

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
  call.handle(kernel);
  call.optionalHandle(device);
  call.scalar(param_name);
  if (const cl_int status = call.infoValue(param_name, value); status != CL_SUCCESS) return status;
  if (!value.empty()) {
    std::lock_guard lock(function.mutex);
    function.workGroupInfo.emplace(std::move(key), value);
  }
  return copyInfo(value.data(), value.size(), param_value_size, param_value, param_value_size_ret);
}

}  // namespace rcl::icd::custom
