// Builds, and what the application sees of the -cl-kernel-arg-info the
// server adds to the options of every build, compile and link it replays
// (protocol/kernel_arg_info_option.h): nothing. A program the application
// built with other options answers CL_PROGRAM_BUILD_OPTIONS without the
// added option, and its kernels' clGetKernelArgInfo answers
// CL_KERNEL_ARG_INFO_NOT_AVAILABLE, after the checks PoCL makes first (the
// kernel, then the argument's index). A build the client waits for brings
// the kernels of the build with its reply (protocol/program_kernels.h).
// Shapes and reasons: codegen/opencl_calls.toml.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rcl/icd/custom_calls.h"
#include "rcl/icd/entry/build_options.h"
#include "rcl/icd/entry/info_copy.h"
#include "rcl/icd/entry/kernel_arg_info.h"
#include "rcl/icd/entry/kernel_launch_info.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/transport/call.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/protocol/kernel_arg_info_option.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {

// As generated; the client keeps whether the options ask for uniform
// work-groups and whether the server adds -cl-kernel-arg-info; a build it
// waits for brings its kernels (protocol/program_kernels.h): the first
// clCreateKernel of the build asks nothing.
cl_int CL_API_CALL clBuildProgram(cl_program program, cl_uint num_devices, const cl_device_id* device_list,
                                  const char* options, void(CL_CALLBACK* pfn_notify)(cl_program, void*),
                                  void* user_data) {
  Call call(CallId::clBuildProgram);
  protocol::opencl::clBuildProgramRequest request;
  request.program = call.handleId(program);
  cl_program p = call.unlessFailed(program);
  request.num_devices = num_devices;
  request.device_list = call.handleIds(device_list, num_devices);
  request.options = call.includeBundle(options);  // (forgets the kernels of the last build)
  request.pfn_notify = call.callbackId(CallbackKind::program_notify, pfn_notify, user_data);
  call.request(request);
  if (p != nullptr) {
    p->uniformGroups = asksUniformWorkGroups(options);
    p->argInfoHidden = protocol::addsKernelArgInfo(options);
  }
  Reply reply = call.sync();
  const cl_int status = reply.status();
  if (status != CL_SUCCESS || pfn_notify != nullptr || p == nullptr) return status;
  // (A malformed answer is logged and carries no kernels: the first clCreateKernel asks.)
  const auto answer = reply.decoded<protocol::opencl::clBuildProgramReply>();
  if (answer.body) {
    ProgramKernels kernels = programKernelsOf(*answer.body);
    std::lock_guard lock(p->functionsMutex);
    p->kernelNames = std::move(kernels);
  }
  return status;
}

// As generated; CL_PROGRAM_BINARY_SIZES is asked once after a build the
// client waited for, then answered here until the program is built or
// compiled again. (Not with the build's reply: PoCL makes the device code
// at the first query, which most programs never need.) CL_PROGRAM_BINARIES
// is asked each time: the bytes can be large, and an application that asks
// keeps them itself.
cl_int CL_API_CALL clGetProgramInfo(cl_program program, cl_program_info param_name, size_t param_value_size,
                                    void* param_value, size_t* param_value_size_ret) {
  cl_program p = checked(program);
  if (p != nullptr && param_name == CL_PROGRAM_BINARY_SIZES) {
    std::unique_lock lock(p->functionsMutex);
    if (p->binarySizes) {
      const std::vector<std::size_t> sizes = *p->binarySizes;
      lock.unlock();
      traceLocalAnswer("clGetProgramInfo");
      return copyInfo(sizes.data(), sizes.size() * sizeof(std::size_t), param_value_size, param_value,
                      param_value_size_ret);
    }
  }
  Call call(CallId::clGetProgramInfo);
  call.request(protocol::opencl::clGetProgramInfoRequest{.program = call.handleId(program), .param_name = param_name});
  if (p == nullptr || param_name != CL_PROGRAM_BINARY_SIZES)
    return call.info(param_name, param_value_size, param_value, param_value_size_ret);
  std::unique_lock lock(p->functionsMutex);
  // Kept only for a build waited for (its kernels are known), with a binary
  // for every device, and no build or compile started meanwhile.
  const bool built = p->kernelNames.has_value();
  const std::uint64_t builds = p->builds;
  lock.unlock();
  std::vector<unsigned char> value;
  if (const cl_int status = call.infoValue(param_name, value); status != CL_SUCCESS) return status;
  std::vector<std::size_t> sizes(value.size() / sizeof(std::size_t));
  if (!sizes.empty()) std::memcpy(sizes.data(), value.data(), sizes.size() * sizeof(std::size_t));
  const bool whole = !sizes.empty() && std::find(sizes.begin(), sizes.end(), 0) == sizes.end();
  if (built && whole) {
    lock.lock();
    if (p->builds == builds && p->kernelNames) p->binarySizes = sizes;
    lock.unlock();
  }
  return copyInfo(value.data(), value.size(), param_value_size, param_value, param_value_size_ret);
}

// Asked once per device and name after a build the client waited for, then
// answered here until the program is built or compiled again: a build's
// status, options, log and binary type do not change once it is over.
// CL_PROGRAM_BUILD_OPTIONS answers without the -cl-kernel-arg-info the
// server added.
cl_int CL_API_CALL clGetProgramBuildInfo(cl_program program, cl_device_id device, cl_program_build_info param_name,
                                         size_t param_value_size, void* param_value, size_t* param_value_size_ret) {
  cl_program p = checked(program);
  if (p != nullptr) {
    std::unique_lock lock(p->functionsMutex);
    if (const auto kept = p->buildInfo.find({device, param_name}); kept != p->buildInfo.end()) {
      const std::vector<unsigned char> value = kept->second;
      lock.unlock();
      traceLocalAnswer("clGetProgramBuildInfo");
      return copyInfo(value.data(), value.size(), param_value_size, param_value, param_value_size_ret);
    }
  }
  Call call(CallId::clGetProgramBuildInfo);
  call.request(protocol::opencl::clGetProgramBuildInfoRequest{
      .program = call.handleId(program), .device = call.handleId(device), .param_name = param_name});
  if (p == nullptr) return call.info(param_name, param_value_size, param_value, param_value_size_ret);
  std::unique_lock lock(p->functionsMutex);
  const bool built = p->kernelNames.has_value();
  const std::uint64_t builds = p->builds;
  lock.unlock();
  std::vector<unsigned char> value;
  if (const cl_int status = call.infoValue(param_name, value); status != CL_SUCCESS) return status;
  if (param_name == CL_PROGRAM_BUILD_OPTIONS && p->argInfoHidden) {
    const std::string options = protocol::withoutAddedKernelArgInfo(std::string(value.begin(), value.end()));
    value.assign(options.begin(), options.end());
    value.push_back('\0');
  }
  if (built) {
    lock.lock();
    if (p->builds == builds && p->kernelNames) p->buildInfo[{device, param_name}] = value;
    lock.unlock();
  }
  return copyInfo(value.data(), value.size(), param_value_size, param_value, param_value_size_ret);
}

cl_int CL_API_CALL clGetKernelArgInfo(cl_kernel kernel, cl_uint arg_index, cl_kernel_arg_info param_name,
                                      size_t param_value_size, void* param_value, size_t* param_value_size_ret) {
  cl_kernel k = checked(kernel);
  const bool hidden = k != nullptr && k->argInfoHidden;
  if (hidden) {
    if (const std::optional<cl_uint> count = kernelNumArgs(k, nullptr))
      return arg_index >= *count ? CL_INVALID_ARG_INDEX : CL_KERNEL_ARG_INFO_NOT_AVAILABLE;
  }
  Call call(CallId::clGetKernelArgInfo);
  call.request(protocol::opencl::clGetKernelArgInfoRequest{
      .kernel = call.handleId(kernel), .arg_indx = arg_index, .param_name = param_name});
  if (!hidden) return call.info(param_name, param_value_size, param_value, param_value_size_ret);
  // (The number of arguments unknown: the server's checks, then the refusal.)
  std::vector<unsigned char> value;
  const cl_int status = call.infoValue(param_name, value);
  return status == CL_SUCCESS || status == CL_INVALID_VALUE ? CL_KERNEL_ARG_INFO_NOT_AVAILABLE : status;
}

}  // namespace rcl::icd::custom
