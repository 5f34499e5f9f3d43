// Hand-written entry points about platforms and the ICD itself. Shapes and
// reasons: codegen/opencl_calls.toml.
#include <cstring>
#include <string>
#include <vector>

#include <CL/cl_remote.h>

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

// The server's value of a platform query, as bytes.
cl_int realPlatformValue(cl_platform_id platform, cl_platform_info param, std::vector<unsigned char>& out) {
  size_t n = 0;
  {
    Call call(CallId::clGetPlatformInfo);
    call.handle(platform);
    call.scalar(param);
    if (cl_int s = call.info(param, 0, nullptr, &n); s != CL_SUCCESS) return s;
  }
  out.assign(n, 0);
  if (n == 0) return CL_SUCCESS;  // e.g. no extension with a version
  Call call(CallId::clGetPlatformInfo);
  call.handle(platform);
  call.scalar(param);
  return call.info(param, n, out.data(), nullptr);
}

// The server's value of a platform string.
cl_int realPlatformString(cl_platform_id platform, cl_platform_info param, std::string& out) {
  std::vector<unsigned char> bytes;
  if (cl_int s = realPlatformValue(platform, param, bytes); s != CL_SUCCESS) return s;
  bytes.push_back('\0');
  out = reinterpret_cast<const char*>(bytes.data());
  return CL_SUCCESS;
}

// The extensions this platform has beyond the real one's: cl_khr_icd (it is
// reached through the ICD loader) and cl_rcl_ops when its server offers it.
std::vector<std::string> addedExtensions(cl_platform_id platform, const auto& lists) {
  std::vector<std::string> added;
  if (!lists("cl_khr_icd")) added.emplace_back("cl_khr_icd");
  if (ops::platformOffersOps(platform)) added.emplace_back(CL_RCL_OPS_EXTENSION_NAME);
  return added;
}

cl_int platformExtensions(cl_platform_id platform, size_t size, void* value, size_t* sizeRet) {
  std::string list;
  if (cl_int s = realPlatformString(platform, CL_PLATFORM_EXTENSIONS, list); s != CL_SUCCESS) return s;
  const auto lists = [&list](const char* name) {
    return (" " + list + " ").find(std::string(" ") + name + " ") != std::string::npos;
  };
  for (const auto& name : addedExtensions(platform, lists))
    list += (list.empty() || list.back() == ' ' ? "" : " ") + name;
  return copyInfo(list, size, value, sizeRet);
}

// The same list with versions (OpenCL 3.0: both queries name the same extensions).
cl_int platformExtensionsWithVersion(cl_platform_id platform, size_t size, void* value, size_t* sizeRet) {
  std::vector<unsigned char> bytes;
  if (cl_int s = realPlatformValue(platform, CL_PLATFORM_EXTENSIONS_WITH_VERSION, bytes); s != CL_SUCCESS) return s;
  bytes.resize(bytes.size() - bytes.size() % sizeof(cl_name_version));
  const auto lists = [&bytes](const char* name) {
    for (std::size_t off = 0; off < bytes.size(); off += sizeof(cl_name_version)) {
      cl_name_version nv;
      std::memcpy(&nv, bytes.data() + off, sizeof nv);
      if (std::strncmp(nv.name, name, sizeof nv.name) == 0) return true;
    }
    return false;
  };
  for (const auto& name : addedExtensions(platform, lists)) {
    cl_name_version nv{};
    nv.version = CL_MAKE_VERSION(1, 0, 0);
    std::strncpy(nv.name, name.c_str(), sizeof nv.name - 1);
    const auto* p = reinterpret_cast<const unsigned char*>(&nv);
    bytes.insert(bytes.end(), p, p + sizeof nv);
  }
  return copyInfo(bytes.data(), bytes.size(), size, value, sizeRet);
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
  // The real platform's identity (name, vendor, version, profile, numeric
  // version) goes through unchanged: applications switch workarounds on it
  // (PyOpenCL's get_pocl_version wants the name to be exactly PoCL's). Where
  // the platform is has queries of its own (CL/cl_remote.h).
  switch (param_name) {
    case CL_PLATFORM_REMOTE_ENDPOINT_RCL:
      return copyInfo(p->connection->endpoint(), param_value_size, param_value, param_value_size_ret);
    case CL_PLATFORM_REMOTE_SERVER_RCL:
      return copyInfo(p->connection->serverName(), param_value_size, param_value, param_value_size_ret);
    case CL_PLATFORM_ICD_SUFFIX_KHR:
      // Ours, not the real one: ocl-icd sends clGetExtensionFunctionAddress
      // of names ending in it to this ICD, which is right for cl_rcl_ops'
      // functions and would be wrong for the real platform's (they are not
      // forwarded). The server also skips platforms with this suffix.
      return copyInfo(std::string("RCL"), param_value_size, param_value, param_value_size_ret);
    case CL_PLATFORM_EXTENSIONS:
      return platformExtensions(p, param_value_size, param_value, param_value_size_ret);
    case CL_PLATFORM_EXTENSIONS_WITH_VERSION:
      return platformExtensionsWithVersion(p, param_value_size, param_value, param_value_size_ret);
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
