#include "rcl/icd/entry/kernel_arg_info.h"

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "rcl/icd/support/log.h"
#include "rcl/icd/transport/call.h"
#include "rcl/protocol/control_messages.h"

namespace rcl::icd {
namespace {

// `s` without a leading `prefix` (true if it had one).
bool dropPrefix(std::string& s, std::string_view prefix) {
  if (s.compare(0, prefix.size(), prefix) != 0) return false;
  s.erase(0, prefix.size());
  return true;
}

std::string trimmed(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (dropPrefix(s, "const ") || dropPrefix(s, "volatile ")) {
  }
  return s;
}

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

std::size_t builtinValueSize(std::string name) {
  name = trimmed(std::move(name));
  if (dropPrefix(name, "unsigned ")) name = "u" + name;
  static const std::pair<const char*, std::size_t> kScalars[] = {
      {"uchar", 1}, {"char", 1}, {"ushort", 2}, {"short", 2}, {"uint", 4},   {"int", 4},
      {"ulong", 8}, {"long", 8}, {"float", 4},  {"double", 8}, {"half", 2},
  };
  for (const auto& [scalar, size] : kScalars) {
    std::string rest = name;
    if (!dropPrefix(rest, scalar)) continue;
    if (rest.empty()) return size;
    if (rest == "2" || rest == "4" || rest == "8" || rest == "16") return size * std::stoul(rest);
    if (rest == "3") return size * 4;
    return 0;  // e.g. "int_typedef": not a built-in type
  }
  return 0;
}

KernelArg classifyArg(cl_kernel_arg_address_qualifier address, cl_kernel_arg_type_qualifier typeQualifier,
                      std::string typeName) {
  KernelArg a;
  typeName = trimmed(std::move(typeName));
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
    a.valueSize = builtinValueSize(typeName);
    if (a.valueSize != 0) a.type = KernelArg::Type::Value;
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
      if (size > declared.valueSize) return error(CL_INVALID_ARG_SIZE);
      // (Fewer bytes than the type has: PoCL 3.1 takes them; the platform judges.)
      return size == declared.valueSize ? error(CL_SUCCESS) : ArgVerdict{};
    case Type::Unknown:
      break;
  }
  return ArgVerdict{};
}

std::optional<ProgramKernels> readProgramKernels(protocol::Reader* body) {
  if (body == nullptr) return std::nullopt;
  try {
    ProgramKernels kernels;
    for (const auto& kernel : protocol::calls::ProgramKernelsReply::decodeBody(*body, 0).kernels) {
      auto& args = kernels[kernel.name];
      if (!kernel.args) continue;
      args.emplace();
      for (const auto& a : *kernel.args) args->push_back(classifyArg(a.address, a.type_qualifier, a.type_name));
    }
    return kernels;
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed kernels of a program: {}", e.what());
    return std::nullopt;
  }
}

std::optional<ProgramKernels> fetchProgramKernels(cl_program program) {
  Call call(CallId::ProgramKernels);
  call.request(protocol::calls::ProgramKernels{.program = call.handleId(program)});
  if (call.failed()) return std::nullopt;
  Reply reply = call.sync();
  if (reply.status() != CL_SUCCESS) return std::nullopt;
  return readProgramKernels(reply.reader());
}

}  // namespace rcl::icd
