#include "rcl/server/ops/registry.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "rcl/server/support/call_error.h"
#include "rcl/server/ops/builtin_ops.h"

namespace rcl::server::ops {
namespace {

const char* kindName(cl_rcl_arg_kind kind) {
  switch (kind) {
    case CL_RCL_ARG_SCALAR: return "scalar";
    case CL_RCL_ARG_MEM: return "cl_mem";
    case CL_RCL_ARG_HOST_IN: return "host-in";
    case CL_RCL_ARG_HOST_OUT: return "host-out";
    default: return "?";
  }
}

bool validKind(cl_rcl_arg_kind kind) { return kind >= CL_RCL_ARG_SCALAR && kind <= CL_RCL_ARG_HOST_OUT; }

}  // namespace

Registry::Registry() {
  for (auto& op : builtinOps()) add(std::move(op));
}

void Registry::add(Op op) {
  if (op.name.empty() || op.name.size() >= CL_RCL_OP_NAME_SIZE)
    throw std::runtime_error("operation name '" + op.name + "' is empty or too long");
  if (find(op.name) != nullptr) throw std::runtime_error("operation '" + op.name + "' is defined twice");
  if (op.args.size() > CL_RCL_OP_MAX_ARGS) throw std::runtime_error("operation '" + op.name + "' has too many arguments");
  if (!op.run) throw std::runtime_error("operation '" + op.name + "' has no run function");
  for (const auto& a : op.args) {
    if (!validKind(a.kind)) throw std::runtime_error("operation '" + op.name + "': argument of unknown kind");
    if (a.kind == CL_RCL_ARG_SCALAR && a.size == 0)
      throw std::runtime_error("operation '" + op.name + "': scalar argument '" + a.name + "' of size 0");
    // ListOps describes a size in 32 bits ([records.OpArg], codegen/messages.toml).
    if (a.size > std::numeric_limits<std::uint32_t>::max())
      throw std::runtime_error("operation '" + op.name + "': argument '" + a.name + "' of size " +
                               std::to_string(a.size) + ", over what ListOps can describe");
  }
  ops_.push_back(std::move(op));
}

void Registry::loadPlugins(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".so") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) throw std::runtime_error("cannot load plugin " + path.string() + ": " + dlerror());
    std::shared_ptr<void> library(handle, [](void* h) { dlclose(h); });
    auto entry = reinterpret_cast<rcl_plugin_ops_fn>(dlsym(handle, RCL_PLUGIN_ENTRY));
    if (entry == nullptr) throw std::runtime_error("plugin " + path.string() + " does not export " RCL_PLUGIN_ENTRY);
    const rcl_plugin* plugin = entry();
    if (plugin == nullptr || plugin->api_version != RCL_PLUGIN_API_VERSION)
      throw std::runtime_error("plugin " + path.string() + " speaks another plugin API version");
    for (cl_uint i = 0; i < plugin->num_ops; ++i) {
      const rcl_plugin_op& p = plugin->ops[i];
      if (p.name == nullptr || p.run == nullptr || (p.num_args != 0 && p.args == nullptr))
        throw std::runtime_error("plugin " + path.string() + " offers a malformed operation");
      Op op;
      op.name = p.name;
      op.description = p.description != nullptr ? p.description : "";
      op.requiredExtension = p.required_extension != nullptr ? p.required_extension : "";
      for (cl_uint a = 0; a < p.num_args; ++a)
        op.args.push_back(ArgSpec{p.args[a].kind, p.args[a].size,
                                  std::string(p.args[a].name, strnlen(p.args[a].name, CL_RCL_ARG_NAME_SIZE))});
      op.run = p.run;
      op.origin = path.string();
      add(std::move(op));
      spdlog::info("operation {} from plugin {}", p.name, path.string());
    }
    libraries_.push_back(std::move(library));
  }
}

const Op* Registry::find(std::string_view name) const {
  for (const auto& op : ops_)
    if (op.name == name) return &op;
  return nullptr;
}

void checkArgs(const Op& op, const std::vector<rcl_plugin_arg>& args) {
  if (args.size() != op.args.size())
    throw CallError(CL_INVALID_VALUE, "operation " + op.name + " takes " + std::to_string(op.args.size()) +
                                          " arguments, not " + std::to_string(args.size()));
  for (std::size_t i = 0; i < args.size(); ++i) {
    const ArgSpec& spec = op.args[i];
    const rcl_plugin_arg& a = args[i];
    const std::string which = "operation " + op.name + ", argument " + std::to_string(i) + " (" + spec.name + ")";
    if (a.kind != spec.kind)
      throw CallError(CL_INVALID_ARG_VALUE,
                      which + ": a " + kindName(a.kind) + " where a " + kindName(spec.kind) + " is expected");
    if (spec.kind != CL_RCL_ARG_MEM && spec.size != 0 && a.size != spec.size)
      throw CallError(CL_INVALID_ARG_SIZE, which + ": " + std::to_string(a.size) + " bytes where " +
                                               std::to_string(spec.size) + " are expected");
    if (spec.kind == CL_RCL_ARG_MEM && a.mem == nullptr) throw CallError(CL_INVALID_MEM_OBJECT, which + ": no buffer");
  }
}

bool deviceHasExtension(cl_device_id device, const std::string& extension) {
  std::size_t size = 0;
  if (clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, 0, nullptr, &size) != CL_SUCCESS) return false;
  std::string list(size, '\0');
  if (clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, size, list.data(), nullptr) != CL_SUCCESS) return false;
  list.resize(strnlen(list.c_str(), list.size()));
  list = " " + list + " ";
  return list.find(" " + extension + " ") != std::string::npos;
}

}  // namespace rcl::server::ops
