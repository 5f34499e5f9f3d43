// The by-value argument types both sides size by their name alone: OpenCL C's
// built-in scalars and vectors. The client checks clSetKernelArg's size of
// such an argument at the call (icd entry/kernel_arg_info.h); the server
// probes the size of every other by-value argument with its kernels
// (protocol/program_kernels.h), so that the client checks those too.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace rcl::protocol {

// `s` without a leading `prefix` (true if it had one).
inline bool dropTypePrefix(std::string& s, std::string_view prefix) {
  if (s.compare(0, prefix.size(), prefix) != 0) return false;
  s.erase(0, prefix.size());
  return true;
}

// A CL_KERNEL_ARG_TYPE_NAME without its spaces around and its const and
// volatile qualifiers.
inline std::string trimmedTypeName(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (dropTypePrefix(s, "const ") || dropTypePrefix(s, "volatile ")) {
  }
  return s;
}

// The size of a by-value built-in scalar or vector type (a 3-vector takes a
// 4-vector's), 0 for any other (a typedef, a struct, an opaque type).
inline std::size_t builtinValueSize(std::string name) {
  name = trimmedTypeName(std::move(name));
  if (dropTypePrefix(name, "unsigned ")) name = "u" + name;
  static constexpr std::pair<std::string_view, std::size_t> kScalars[] = {
      {"uchar", 1}, {"char", 1}, {"ushort", 2}, {"short", 2}, {"uint", 4},   {"int", 4},
      {"ulong", 8}, {"long", 8}, {"float", 4},  {"double", 8}, {"half", 2},
  };
  for (const auto& [scalar, size] : kScalars) {
    std::string rest = name;
    if (!dropTypePrefix(rest, scalar)) continue;
    if (rest.empty()) return size;
    if (rest == "2" || rest == "4" || rest == "8" || rest == "16") return size * std::stoul(rest);
    if (rest == "3") return size * 4;
    return 0;  // e.g. "int_typedef": not a built-in type
  }
  return 0;
}

// Whether a type name is one of OpenCL C's opaque types, which are no bytes
// to probe (images, samplers, device queues, events, reservation ids).
inline bool isOpaqueTypeName(std::string name) {
  name = trimmedTypeName(std::move(name));
  return name.rfind("image", 0) == 0 || name == "sampler_t" || name == "queue_t" || name == "clk_event_t" ||
         name == "reserve_id_t" || name == "event_t";
}

}  // namespace rcl::protocol
