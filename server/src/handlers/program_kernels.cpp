#include "rcl/server/handlers/program_kernels.h"

#include <CL/cl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rcl/protocol/control_messages.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/custom_handlers.h"

namespace rcl::server {
namespace {

struct ArgInfo {
  cl_kernel_arg_address_qualifier address = 0;
  cl_kernel_arg_access_qualifier access = 0;
  cl_kernel_arg_type_qualifier typeQualifier = 0;
  std::string typeName;
};

std::optional<std::string> typeName(cl_kernel kernel, cl_uint index) {
  std::size_t length = 0;
  if (::clGetKernelArgInfo(kernel, index, CL_KERNEL_ARG_TYPE_NAME, 0, nullptr, &length) != CL_SUCCESS)
    return std::nullopt;
  std::string name(length, '\0');
  if (length != 0 &&
      ::clGetKernelArgInfo(kernel, index, CL_KERNEL_ARG_TYPE_NAME, length, name.data(), nullptr) != CL_SUCCESS)
    return std::nullopt;
  name.resize(name.find('\0') == std::string::npos ? name.size() : name.find('\0'));
  return name;
}

// The argument information of the kernel `name` of `program`, from a kernel
// made for the asking (nullopt: the platform gives none).
std::optional<std::vector<ArgInfo>> argInfoOf(cl_program program, const std::string& name) {
  cl_int status = CL_SUCCESS;
  cl_kernel kernel = ::clCreateKernel(program, name.c_str(), &status);
  if (kernel == nullptr || status != CL_SUCCESS) return std::nullopt;
  std::optional<std::vector<ArgInfo>> args;
  cl_uint count = 0;
  if (::clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, sizeof count, &count, nullptr) == CL_SUCCESS) {
    args.emplace(count);
    for (cl_uint i = 0; i < count && args; ++i) {
      ArgInfo& a = (*args)[i];
      auto name = typeName(kernel, i);
      if (!name || ::clGetKernelArgInfo(kernel, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof a.address, &a.address,
                                        nullptr) != CL_SUCCESS ||
          ::clGetKernelArgInfo(kernel, i, CL_KERNEL_ARG_ACCESS_QUALIFIER, sizeof a.access, &a.access, nullptr) !=
              CL_SUCCESS ||
          ::clGetKernelArgInfo(kernel, i, CL_KERNEL_ARG_TYPE_QUALIFIER, sizeof a.typeQualifier, &a.typeQualifier,
                               nullptr) != CL_SUCCESS) {
        args.reset();
        break;
      }
      a.typeName = std::move(*name);
    }
  }
  ::clReleaseKernel(kernel);
  return args;
}

std::vector<std::string> kernelNames(cl_program program) {
  std::size_t size = 0;
  cl_int status = ::clGetProgramInfo(program, CL_PROGRAM_KERNEL_NAMES, 0, nullptr, &size);
  std::string names(size, '\0');
  if (status == CL_SUCCESS && size != 0)
    status = ::clGetProgramInfo(program, CL_PROGRAM_KERNEL_NAMES, size, names.data(), nullptr);
  if (status != CL_SUCCESS) throw CallError(status, "CL_PROGRAM_KERNEL_NAMES");
  names.resize(names.find('\0') == std::string::npos ? names.size() : names.find('\0'));
  std::vector<std::string> kernels;
  for (std::size_t at = 0; at <= names.size();) {
    const std::size_t end = std::min(names.find(';', at), names.size());
    if (end > at) kernels.push_back(names.substr(at, end - at));
    at = end + 1;
  }
  return kernels;
}

// Answers CL_SUCCESS with the kernels of `program`'s build as the body
// ([replies.ProgramKernels]); CallError if the platform names none.
void replyKernels(CallContext& ctx, cl_program program) {
  std::vector<std::string> names;
  std::vector<std::optional<std::vector<ArgInfo>>> infos;
  ctx.outside([&] {
    names = kernelNames(program);
    infos.reserve(names.size());
    // (A platform that keeps no argument information for one kernel of the
    // build keeps none for the others: PoCL without -cl-kernel-arg-info.)
    bool available = true;
    for (const std::string& name : names) {
      infos.push_back(available ? argInfoOf(program, name) : std::nullopt);
      available = infos.back().has_value();
    }
    return CL_SUCCESS;
  });
  ctx.reply(CL_SUCCESS);
  if (!ctx.replying()) return;
  protocol::calls::ProgramKernelsReply reply;
  reply.kernels.resize(names.size());
  for (std::size_t k = 0; k < names.size(); ++k) {
    reply.kernels[k].name = names[k];
    if (!infos[k]) continue;
    auto& args = reply.kernels[k].args.emplace();
    for (ArgInfo& a : *infos[k]) args.push_back({a.address, a.access, a.typeQualifier, std::move(a.typeName)});
  }
  reply.encodeBody(ctx.replyWriter());
}

}  // namespace

void programKernels(CallContext& ctx, const protocol::calls::ProgramKernels& request) {
  auto program = ctx.handleOf<cl_program>(request.program);
  if (program == nullptr) throw CallError(CL_INVALID_PROGRAM, "no program");
  replyKernels(ctx, program);
}

namespace custom {

// As generated, and a build the client waits for (no callback) that
// succeeds answers with its kernels, as ProgramKernels would: the client's
// first clCreateKernel of the build then asks nothing.
void clBuildProgram(CallContext& ctx) {
  auto program = ctx.handle<cl_program>();
  auto num_devices = ctx.scalar<cl_uint>();
  auto device_list = ctx.handles<cl_device_id>();
  auto options = ctx.buildOptions();
  auto pfn_notify = ctx.callback<CallbackKind::program_notify>();
  ctx.expectLength(device_list, num_devices);
  const cl_int status = ctx.outside([&] {
    return ::clBuildProgram(program, num_devices, device_list.data(), options.c_str(), pfn_notify.function(),
                            pfn_notify.userData());
  });
  if (status != CL_SUCCESS || pfn_notify.function() != nullptr) return ctx.reply(status);
  try {
    replyKernels(ctx, program);
  } catch (const CallError&) {  // (the build stands: the client asks ProgramKernels later)
    ctx.reply(CL_SUCCESS);
  }
}

}  // namespace custom
}  // namespace rcl::server
