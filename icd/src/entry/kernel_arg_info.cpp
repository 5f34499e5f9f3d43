#include "rcl/icd/entry/kernel_arg_info.h"

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "rcl/icd/support/log.h"
#include "rcl/icd/transport/call.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/kernel_arg_types.h"

namespace rcl::icd {
namespace {

using protocol::trimmedTypeName;

cl_mem_object_type imageTypeOf(const std::string& name) {
  if (name == "image1d_t") return CL_MEM_OBJECT_IMAGE1D;
  if (name == "image1d_buffer_t") return CL_MEM_OBJECT_IMAGE1D_BUFFER;
  if (name == "image1d_array_t") return CL_MEM_OBJECT_IMAGE1D_ARRAY;
  if (name == "image2d_t") return CL_MEM_OBJECT_IMAGE2D;
  if (name == "image2d_array_t") return CL_MEM_OBJECT_IMAGE2D_ARRAY;
  if (name == "image3d_t") return CL_MEM_OBJECT_IMAGE3D;
  return 0;  // depth and multisample images: the server judges
}

}  // namespace

KernelArg classifyArg(cl_kernel_arg_address_qualifier address, cl_kernel_arg_type_qualifier typeQualifier,
                      std::string typeName) {
  KernelArg a;
  typeName = trimmedTypeName(std::move(typeName));
  if ((typeQualifier & CL_KERNEL_ARG_TYPE_PIPE) != 0) return a;
  if (const cl_mem_object_type image = imageTypeOf(typeName); image != 0) {
    a.type = KernelArg::Type::Image;
    a.imageType = image;
  } else if (typeName == "sampler_t") {
    a.type = KernelArg::Type::Sampler;
  } else if (address == CL_KERNEL_ARG_ADDRESS_LOCAL) {
    a.type = KernelArg::Type::Local;
  } else if (address == CL_KERNEL_ARG_ADDRESS_GLOBAL || address == CL_KERNEL_ARG_ADDRESS_CONSTANT) {
    if (!typeName.empty() && typeName.back() == '*') a.type = KernelArg::Type::Pointer;
  } else if (address == CL_KERNEL_ARG_ADDRESS_PRIVATE) {
    a.valueSize = protocol::builtinValueSize(typeName);
    if (a.valueSize != 0) a.type = KernelArg::Type::Value;
  }
  return a;
}

KernelArg withProbedSize(KernelArg a, cl_kernel_arg_address_qualifier address,
                         const protocol::control::ArgValueSize& probed) {
  if (a.type != KernelArg::Type::Unknown || address != CL_KERNEL_ARG_ADDRESS_PRIVATE) return a;
  if (probed.any_size) {
    a.type = KernelArg::Type::Value;
    a.anyValueSize = true;
  } else if (probed.size != 0) {
    a.type = KernelArg::Type::Value;
    a.valueSize = static_cast<std::size_t>(probed.size);
  }
  return a;
}

ArgVerdict judgeArg(const KernelArg& declared, std::size_t size, const void* value, const Object* object) {
  using Type = KernelArg::Type;
  const auto error = [](cl_int e) { return ArgVerdict{true, e}; };
  const auto* mem = object != nullptr && object->kind == ObjectKind::Mem ? static_cast<const _cl_mem*>(object) : nullptr;
  switch (declared.type) {
    case Type::Local:
      if (value != nullptr) return error(CL_INVALID_ARG_VALUE);
      return error(size == 0 ? CL_INVALID_ARG_SIZE : CL_SUCCESS);
    case Type::Pointer: {
      if (size != sizeof(cl_mem)) return error(CL_INVALID_ARG_SIZE);
      if (value == nullptr) return error(CL_SUCCESS);  // a NULL buffer
      if (object == nullptr) {
        void* raw;
        std::memcpy(&raw, value, sizeof raw);
        return raw == nullptr ? error(CL_SUCCESS) : ArgVerdict{};  // another pointer: the server judges
      }
      // (Another kind of object: PoCL 3.1 takes a sampler there; the platform judges.)
      return mem != nullptr && !mem->image ? error(CL_SUCCESS) : ArgVerdict{};
    }
    case Type::Image:
      if (size != sizeof(cl_mem)) return error(CL_INVALID_ARG_SIZE);
      if (mem == nullptr) return ArgVerdict{};
      return mem->image && mem->imageType == declared.imageType ? error(CL_SUCCESS) : ArgVerdict{};
    case Type::Sampler:
      if (size != sizeof(cl_sampler)) return error(CL_INVALID_ARG_SIZE);
      return object != nullptr && object->kind == ObjectKind::Sampler ? error(CL_SUCCESS) : ArgVerdict{};
    case Type::Value:
      if (value == nullptr) return error(CL_INVALID_ARG_VALUE);
      if (declared.anyValueSize) return size != 0 ? error(CL_SUCCESS) : ArgVerdict{};
      if (size > declared.valueSize) return error(CL_INVALID_ARG_SIZE);
      // (Fewer bytes than the type has: PoCL 3.1 takes them; the platform judges.)
      return size == declared.valueSize ? error(CL_SUCCESS) : ArgVerdict{};
    case Type::Unknown:
      break;
  }
  return ArgVerdict{};
}

ProgramKernels programKernelsOf(const protocol::calls::ProgramKernelsReply& reply) {
  ProgramKernels kernels;
  // (Details that do not match the kernels one for one are not used.)
  const bool detailed = reply.details && reply.details->size() == reply.kernels.size();
  for (std::size_t k = 0; k < reply.kernels.size(); ++k) {
    const auto& kernel = reply.kernels[k];
    KernelOfBuild& built = kernels[kernel.name];
    const protocol::control::KernelOfBuild* details = detailed ? &(*reply.details)[k] : nullptr;
    if (details != nullptr) {
      built.numArgs = details->num_args;
      for (const auto& d : details->devices) {
        KernelFunction::OnDevice& on = built.devices[d.device];
        on.groupSize = static_cast<std::size_t>(d.work_group_size);
        for (int i = 0; i < 3; ++i) on.requiredSize[i] = static_cast<std::size_t>(d.compile_size[i]);
        on.staticLocalBytes = d.static_local_bytes;
        on.preferredMultiple = static_cast<std::size_t>(d.preferred_multiple);
        on.privateBytes = d.private_mem_size;
        on.ofBuild = on.groupSize != 0;
      }
    }
    if (!kernel.args) continue;
    auto& args = built.args.emplace();
    const bool sized = details != nullptr && details->value_sizes.size() == kernel.args->size();
    for (std::size_t i = 0; i < kernel.args->size(); ++i) {
      const auto& a = (*kernel.args)[i];
      KernelArg arg = classifyArg(a.address, a.type_qualifier, a.type_name);
      args.push_back(sized ? withProbedSize(arg, a.address, details->value_sizes[i]) : arg);
    }
    // Without the build's count, the arguments' information has one for each.
    if (!built.numArgs) built.numArgs = static_cast<cl_uint>(args.size());
  }
  return kernels;
}

std::optional<ProgramKernels> fetchProgramKernels(cl_program program) {
  Call call(CallId::ProgramKernels);
  call.request(protocol::calls::ProgramKernels{.program = call.handleId(program)});
  if (call.failed()) return std::nullopt;
  Reply reply = call.sync();
  if (reply.status() != CL_SUCCESS || reply.reader() == nullptr) return std::nullopt;
  try {
    return programKernelsOf(protocol::calls::ProgramKernelsReply::decodeBody(*reply.reader(), 0));
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed kernels of a program: {}", e.what());
    return std::nullopt;
  }
}

}  // namespace rcl::icd
