// Hand-written entry points about platforms and the ICD itself. Shapes and
// reasons: codegen/opencl_calls.toml.
#include <cstring>
#include <string>
#include <vector>

#include "rcl/icd/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/extension_ops.h"
#include "rcl/icd/info_copy.h"

namespace rcl::icd {
namespace {

cl_int listPlatforms(cl_uint num_entries, cl_platform_id* platforms, cl_uint* num_platforms) {
  if ((num_entries == 0 && platforms != nullptr) || (platforms == nullptr && num_platforms == nullptr))
    return CL_INVALID_VALUE;
  const auto& all = Driver::instance().platforms();
  if (num_platforms != nullptr) *num_platforms = static_cast<cl_uint>(all.size());
  if (platforms != nullptr)
    for (cl_uint i = 0; i < num_entries && i < all.size(); ++i) platforms[i] = all[i];
  return all.empty() ? CL_PLATFORM_NOT_FOUND_KHR : CL_SUCCESS;
}

// The server's value of a platform string.
cl_int realPlatformString(cl_platform_id platform, cl_platform_info param, std::string& out) {
  size_t n = 0;
  {
    Call call(CallId::clGetPlatformInfo);
    call.handle(platform);
    call.scalar(param);
    if (cl_int s = call.info(param, 0, nullptr, &n); s != CL_SUCCESS) return s;
  }
  std::vector<char> bytes(n + 1, '\0');
  Call call(CallId::clGetPlatformInfo);
  call.handle(platform);
  call.scalar(param);
  if (cl_int s = call.info(param, n, bytes.data(), nullptr); s != CL_SUCCESS) return s;
  out = bytes.data();
  return CL_SUCCESS;
}

// Extension functions the client answers for (found by name).
struct NamedFunction {
  const char* name;
  void* function;
};

const std::vector<NamedFunction>& extensionFunctions() {
  static const std::vector<NamedFunction> functions = {
      {"clIcdGetPlatformIDsKHR", reinterpret_cast<void*>(&clIcdGetPlatformIDsKHR)},
      {"clCreateSubDevicesEXT", reinterpret_cast<void*>(kDispatchTable.clCreateSubDevicesEXT)},
      {"clRetainDeviceEXT", reinterpret_cast<void*>(kDispatchTable.clRetainDeviceEXT)},
      {"clReleaseDeviceEXT", reinterpret_cast<void*>(kDispatchTable.clReleaseDeviceEXT)},
      {"clGetKernelSubGroupInfoKHR", reinterpret_cast<void*>(kDispatchTable.clGetKernelSubGroupInfoKHR)},
  };
  return functions;
}

}  // namespace

namespace custom {

cl_int CL_API_CALL clGetPlatformIDs(cl_uint num_entries, cl_platform_id* platforms, cl_uint* num_platforms) {
  return listPlatforms(num_entries, platforms, num_platforms);
}

cl_int CL_API_CALL clGetPlatformInfo(cl_platform_id platform, cl_platform_info param_name, size_t param_value_size,
                                     void* param_value, size_t* param_value_size_ret) {
  cl_platform_id p = checked(platform);
  if (p == nullptr) return CL_INVALID_PLATFORM;
  std::string real;
  switch (param_name) {
    case CL_PLATFORM_NAME: {
      if (cl_int s = realPlatformString(p, param_name, real); s != CL_SUCCESS) return s;
      return copyInfo("remote-cl: " + real + " @ " + p->connection->endpoint(), param_value_size, param_value,
                      param_value_size_ret);
    }
    case CL_PLATFORM_ICD_SUFFIX_KHR:
      return copyInfo(std::string("RCL"), param_value_size, param_value, param_value_size_ret);
    case CL_PLATFORM_EXTENSIONS: {
      if (cl_int s = realPlatformString(p, param_name, real); s != CL_SUCCESS) return s;
      if (real.find("cl_khr_icd") == std::string::npos) real = "cl_khr_icd " + real;
      if (ops::platformOffersOps(p)) real += (real.empty() || real.back() == ' ' ? "" : " ") + std::string("cl_rcl_ops");
      return copyInfo(real, param_value_size, param_value, param_value_size_ret);
    }
    default: {
      Call call(CallId::clGetPlatformInfo);
      call.handle(p);
      call.scalar(param_name);
      return call.info(param_name, param_value_size, param_value, param_value_size_ret);
    }
  }
}

void* CL_API_CALL clGetExtensionFunctionAddress(const char* func_name) {
  if (func_name == nullptr) return nullptr;
  for (const auto& f : extensionFunctions())
    if (std::strcmp(f.name, func_name) == 0) return f.function;
  return ops::function(func_name);  // cl_rcl_ops (CL/cl_remote.h)
}

void* CL_API_CALL clGetExtensionFunctionAddressForPlatform(cl_platform_id platform, const char* func_name) {
  if (checked(platform) == nullptr) return nullptr;
  return clGetExtensionFunctionAddress(func_name);
}

}  // namespace custom
}  // namespace rcl::icd

// The symbols the ICD loader looks up in this library (ocl-icd also wants
// clGetPlatformInfo, to check the platform before it trusts the dispatch table).
extern "C" {

__attribute__((visibility("default"))) cl_int CL_API_CALL clIcdGetPlatformIDsKHR(cl_uint num_entries,
                                                                                 cl_platform_id* platforms,
                                                                                 cl_uint* num_platforms) {
  return rcl::icd::listPlatforms(num_entries, platforms, num_platforms);
}

__attribute__((visibility("default"))) void* CL_API_CALL clGetExtensionFunctionAddress(const char* func_name) {
  return rcl::icd::custom::clGetExtensionFunctionAddress(func_name);
}

__attribute__((visibility("default"))) cl_int CL_API_CALL clGetPlatformInfo(cl_platform_id platform,
                                                                            cl_platform_info param_name,
                                                                            size_t param_value_size, void* param_value,
                                                                            size_t* param_value_size_ret) {
  return rcl::icd::custom::clGetPlatformInfo(platform, param_name, param_value_size, param_value,
                                             param_value_size_ret);
}

}  // extern "C"
