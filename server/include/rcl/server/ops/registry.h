// The operations of the cl_rcl_ops extension a server offers: the built-in
// ones (builtin_ops.h) and those of plugins (include/rcl/rcl_plugin.h).
// Built once at start, read-only afterwards: sessions share it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CL/cl.h>

#include "rcl/rcl_plugin.h"

namespace rcl::server::ops {

struct ArgSpec {
  cl_rcl_arg_kind kind = CL_RCL_ARG_SCALAR;
  std::size_t size = 0;  // scalars: exact; host: exact or 0 for any; mem: 0
  std::string name;
};

using RunFn = std::function<cl_int(cl_command_queue queue, const rcl_plugin_arg* args, cl_uint numArgs,
                                   cl_uint numEvents, const cl_event* waitList, cl_event* event)>;

struct Op {
  std::string name;
  std::string description;
  std::string requiredExtension;  // a device extension the op needs, or empty
  std::vector<ArgSpec> args;
  RunFn run;
  std::string origin;  // "built-in" or the plugin's path
};

class Registry {
 public:
  // The built-in operations only.
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Adds an operation; std::runtime_error if its name is taken or its
  // signature is malformed.
  void add(Op op);
  // Loads every *.so of `dir` (sorted by name); std::runtime_error if one
  // cannot be loaded or offers a bad operation.
  void loadPlugins(const std::string& dir);

  const Op* find(std::string_view name) const;
  const std::vector<Op>& all() const { return ops_; }

 private:
  std::vector<Op> ops_;
  std::vector<std::shared_ptr<void>> libraries_;  // dlopen handles, kept for the server's life
};

// Checks `args` against `op`'s signature; throws CallError with the OpenCL
// error and a message naming the argument.
void checkArgs(const Op& op, const std::vector<rcl_plugin_arg>& args);

// True if `device` lists `extension` in CL_DEVICE_EXTENSIONS.
bool deviceHasExtension(cl_device_id device, const std::string& extension);

}  // namespace rcl::server::ops
