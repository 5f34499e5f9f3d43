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
#include "rcl/protocol/kernel_arg_types.h"
#include "rcl/protocol/opencl_wire.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/custom_handlers.h"

namespace rcl::server {
namespace {

struct ArgInfo {
  cl_kernel_arg_address_qualifier address = 0;
  cl_kernel_arg_access_qualifier access = 0;
  cl_kernel_arg_type_qualifier typeQualifier = 0;
  std::string typeName;
  protocol::control::ArgValueSize valueSize;  // probed (by-value arguments of no built-in type)
};

// What the server learns of one kernel of the build from a kernel made for
// the asking.
struct KernelFacts {
  std::optional<std::vector<ArgInfo>> args;  // nullopt: the platform gives no argument information
  std::optional<protocol::control::KernelOfBuild> details;  // nullopt: no kernel could be made
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

// The probe of a by-value argument's size (protocol/program_kernels.h): the
// platform's own clSetKernelArg on the scratch kernel, with every size of
// 1..kProbeBound + 1 over zeroed bytes, and kFarSize. The size is the largest
// it takes when every larger one probed is refused with CL_INVALID_ARG_SIZE;
// it takes any size when it took every one probed. At most
// kMaxProbedArgs arguments of a build are probed (kProbeBound + 2 calls
// each, ~0.1 ms on PoCL); the others stay unsized (the client waits for the
// server's verdict once per shape, as for a platform that refuses otherwise).
constexpr std::size_t kProbeBound = 1024;  // CL_DEVICE_MAX_PARAMETER_SIZE's least (and PoCL's)
constexpr std::size_t kFarSize = std::size_t{1} << 16;
constexpr std::size_t kMaxProbedArgs = 64;

protocol::control::ArgValueSize probeSize(cl_kernel kernel, cl_uint index, const std::vector<unsigned char>& zeros) {
  std::size_t largest = 0;
  bool takesAll = true;
  bool refusedAbove = true;  // every size probed above `largest` refused with CL_INVALID_ARG_SIZE
  for (std::size_t size = 1; size <= kProbeBound + 1; ++size) {
    const cl_int status = ::clSetKernelArg(kernel, index, size, zeros.data());
    if (status == CL_SUCCESS) {
      largest = size;
      refusedAbove = true;
    } else {
      takesAll = false;
      refusedAbove = refusedAbove && status == CL_INVALID_ARG_SIZE;
    }
  }
  protocol::control::ArgValueSize probed;
  if (takesAll) {
    probed.any_size = ::clSetKernelArg(kernel, index, kFarSize, zeros.data()) == CL_SUCCESS;
  } else if (largest != 0 && largest <= kProbeBound && refusedAbove &&
             ::clSetKernelArg(kernel, index, kFarSize, zeros.data()) == CL_INVALID_ARG_SIZE) {
    probed.size = largest;
  }
  return probed;
}

// Whether argument `a` is one the client cannot size by its type name: by
// value, of no built-in type and no opaque one.
bool unsized(const ArgInfo& a) {
  return a.address == CL_KERNEL_ARG_ADDRESS_PRIVATE && (a.typeQualifier & CL_KERNEL_ARG_TYPE_PIPE) == 0 &&
         !a.typeName.empty() && a.typeName.back() != '*' && protocol::builtinValueSize(a.typeName) == 0 &&
         !protocol::isOpaqueTypeName(a.typeName);
}

std::optional<std::vector<ArgInfo>> argInfoOf(cl_kernel kernel, cl_uint count) {
  std::optional<std::vector<ArgInfo>> args(count);
  for (cl_uint i = 0; i < count; ++i) {
    ArgInfo& a = (*args)[i];
    auto name = typeName(kernel, i);
    if (!name ||
        ::clGetKernelArgInfo(kernel, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof a.address, &a.address, nullptr) !=
            CL_SUCCESS ||
        ::clGetKernelArgInfo(kernel, i, CL_KERNEL_ARG_ACCESS_QUALIFIER, sizeof a.access, &a.access, nullptr) !=
            CL_SUCCESS ||
        ::clGetKernelArgInfo(kernel, i, CL_KERNEL_ARG_TYPE_QUALIFIER, sizeof a.typeQualifier, &a.typeQualifier,
                             nullptr) != CL_SUCCESS)
      return std::nullopt;
    a.typeName = std::move(*name);
  }
  return args;
}

// CL_KERNEL_*'s values on `device` that never change after the build
// (nullopt: the platform refuses one, as for a device it was not built for).
// The scratch kernel has no __local argument set: its CL_KERNEL_LOCAL_MEM_SIZE
// is its own __local variables.
std::optional<protocol::control::KernelOnDevice> onDevice(cl_kernel kernel, cl_device_id device) {
  std::size_t groupSize = 0, preferred = 0;
  std::size_t compileSize[3] = {0, 0, 0};
  cl_ulong privateBytes = 0, localBytes = 0;
  if (::clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_WORK_GROUP_SIZE, sizeof groupSize, &groupSize, nullptr) !=
          CL_SUCCESS ||
      ::clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof compileSize, compileSize,
                                 nullptr) != CL_SUCCESS ||
      ::clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, sizeof preferred,
                                 &preferred, nullptr) != CL_SUCCESS ||
      ::clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_PRIVATE_MEM_SIZE, sizeof privateBytes, &privateBytes,
                                 nullptr) != CL_SUCCESS ||
      ::clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_LOCAL_MEM_SIZE, sizeof localBytes, &localBytes, nullptr) !=
          CL_SUCCESS)
    return std::nullopt;
  protocol::control::KernelOnDevice on{.device = 0, .work_group_size = groupSize, .compile_size = {},
                                       .preferred_multiple = preferred, .private_mem_size = privateBytes,
                                       .static_local_bytes = localBytes};
  for (int d = 0; d < 3; ++d) on.compile_size[d] = compileSize[d];
  return on;
}

std::vector<cl_device_id> programDevices(cl_program program) {
  std::size_t size = 0;
  if (::clGetProgramInfo(program, CL_PROGRAM_DEVICES, 0, nullptr, &size) != CL_SUCCESS) return {};
  std::vector<cl_device_id> devices(size / sizeof(cl_device_id));
  if (::clGetProgramInfo(program, CL_PROGRAM_DEVICES, size, devices.data(), nullptr) != CL_SUCCESS) return {};
  return devices;
}

// The facts of the kernel `name` of `program`, from a kernel made for the
// asking; `wantArgs` false: the platform keeps no argument information for
// the build (one kernel of it said so). `probeBudget`: arguments the build may
// still probe. `devices` pairs each device with its values (the handle, for
// its id: the caller finds it in the session's table).
KernelFacts factsOf(cl_program program, const std::string& name, bool wantArgs, const std::vector<cl_device_id>& devices,
                    std::size_t& probeBudget, std::vector<cl_device_id>& onDevices,
                    const std::vector<unsigned char>& zeros) {
  KernelFacts facts;
  cl_int status = CL_SUCCESS;
  cl_kernel kernel = ::clCreateKernel(program, name.c_str(), &status);
  if (kernel == nullptr || status != CL_SUCCESS) return facts;
  cl_uint count = 0;
  if (::clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, sizeof count, &count, nullptr) == CL_SUCCESS) {
    auto& details = facts.details.emplace();
    details.num_args = count;
    // (Work-group information first: the probe leaves arguments set.)
    for (cl_device_id device : devices) {
      if (auto on = onDevice(kernel, device)) {
        details.devices.push_back(*on);
        onDevices.push_back(device);
      }
    }
    if (wantArgs) facts.args = argInfoOf(kernel, count);
    if (facts.args) {
      details.value_sizes.resize(count);
      for (cl_uint i = 0; i < count; ++i) {
        if (!unsized((*facts.args)[i]) || probeBudget == 0) continue;
        --probeBudget;
        details.value_sizes[i] = probeSize(kernel, i, zeros);
      }
    }
  }
  ::clReleaseKernel(kernel);
  return facts;
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

// The kernels of `program`'s build ([replies.ProgramKernels]), a reply's
// body; CallError if the platform names none.
protocol::calls::ProgramKernelsReply kernelsOf(CallContext& ctx, cl_program program) {
  std::vector<std::string> names;
  std::vector<KernelFacts> facts;
  std::vector<std::vector<cl_device_id>> onDevices;  // per kernel, the device of each of its details' devices
  ctx.outside([&] {
    names = kernelNames(program);
    facts.reserve(names.size());
    onDevices.resize(names.size());
    const std::vector<cl_device_id> devices = programDevices(program);
    const std::vector<unsigned char> zeros(kFarSize, 0);
    std::size_t probeBudget = kMaxProbedArgs;
    // (A platform that keeps no argument information for one kernel of the
    // build keeps none for the others: PoCL without -cl-kernel-arg-info.)
    bool available = true;
    for (std::size_t k = 0; k < names.size(); ++k) {
      facts.push_back(factsOf(program, names[k], available, devices, probeBudget, onDevices[k], zeros));
      available = facts.back().args.has_value();
    }
    return CL_SUCCESS;
  });
  protocol::calls::ProgramKernelsReply reply;
  reply.kernels.resize(names.size());
  auto& details = reply.details.emplace();
  const bool detailed = std::all_of(facts.begin(), facts.end(), [](const KernelFacts& f) { return f.details.has_value(); });
  for (std::size_t k = 0; k < names.size(); ++k) {
    reply.kernels[k].name = names[k];
    if (detailed) {
      details.push_back(std::move(*facts[k].details));
      // (Each device as the session knows it; one it does not know is left out.)
      auto& on = details.back().devices;
      std::size_t kept = 0;
      for (std::size_t d = 0; d < on.size(); ++d) {
        const std::uint64_t id = ctx.session().table().idOf(onDevices[k][d]);
        if (id == 0) continue;
        on[kept] = on[d];
        on[kept++].device = id;
      }
      on.resize(kept);
    }
    if (!facts[k].args) continue;
    auto& args = reply.kernels[k].args.emplace();
    for (ArgInfo& a : *facts[k].args) args.push_back({a.address, a.access, a.typeQualifier, std::move(a.typeName)});
  }
  return reply;
}

}  // namespace

void programKernels(CallContext& ctx, const protocol::calls::ProgramKernels& request) {
  auto program = ctx.handleOf<cl_program>(request.program);
  if (program == nullptr) throw CallError(CL_INVALID_PROGRAM, "no program");
  const auto reply = kernelsOf(ctx, program);
  ctx.reply(CL_SUCCESS);
  if (ctx.replying()) reply.encodeBody(ctx.replyWriter());
}

namespace custom {

// protocol::opencl::clBuildProgramRequest, and a build the client waits for
// (no callback) that succeeds answers with its kernels as clBuildProgramReply's
// body, as ProgramKernels would: the client's first clCreateKernel of the
// build then asks nothing.
void clBuildProgram(CallContext& ctx) {
  const auto request = ctx.request<protocol::opencl::clBuildProgramRequest>();
  auto program = ctx.handleOf<cl_program>(request.program);
  const cl_uint num_devices = request.num_devices;
  auto device_list = ctx.handlesOf<cl_device_id>(request.device_list);
  auto options = ctx.buildOptionsOf(request.options);
  auto pfn_notify = ctx.callbackOf<CallbackKind::program_notify>(request.pfn_notify);
  ctx.expectLength(device_list, num_devices);
  const cl_int status = ctx.outside([&] {
    return ::clBuildProgram(program, num_devices, device_list.data(), options.c_str(), pfn_notify.function(),
                            pfn_notify.userData());
  });
  protocol::opencl::clBuildProgramReply answer;
  answer.status = status;
  if (status == CL_SUCCESS && pfn_notify.function() == nullptr) {
    try {
      answer.body = kernelsOf(ctx, program);
    } catch (const CallError&) {  // (the build stands: the client asks ProgramKernels later)
    }
  }
  ctx.reply(answer);
}

}  // namespace custom
}  // namespace rcl::server
