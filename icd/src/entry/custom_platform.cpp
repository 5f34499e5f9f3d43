// Hand-written entry points about platforms and the ICD itself. Shapes and
// reasons: codegen/opencl_calls.toml.
#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <CL/cl_remote.h>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/entry/extension_ops.h"
#include "rcl/icd/entry/info_copy.h"
#include "rcl/protocol/opencl_wire.h"

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
    call.request(protocol::opencl::clGetPlatformInfoRequest{.platform = call.handleId(platform), .param_name = param});
    if (cl_int s = call.info(param, 0, nullptr, &n); s != CL_SUCCESS) return s;
  }
  out.assign(n, 0);
  if (n == 0) return CL_SUCCESS;  // e.g. no extension with a version
  Call call(CallId::clGetPlatformInfo);
  call.request(protocol::opencl::clGetPlatformInfoRequest{.platform = call.handleId(platform), .param_name = param});
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

// The platform's extensions, as both lists name them: the real platform's
// (the server masked those that do not work remotely), each name of either
// list in both (PoCL names cl_pocl_content_size in the string only; OpenCL
// 3.0 wants the same set), then cl_khr_icd (it is reached through the ICD
// loader) and cl_rcl_ops when its server offers it.
struct PlatformExtensions {
  std::string list;                    // the real string, names appended
  std::vector<unsigned char> versions; // the real cl_name_version list, names appended
};

cl_int platformExtensionLists(cl_platform_id platform, PlatformExtensions& out) {
  if (cl_int s = realPlatformString(platform, CL_PLATFORM_EXTENSIONS, out.list); s != CL_SUCCESS) return s;
  if (cl_int s = realPlatformValue(platform, CL_PLATFORM_EXTENSIONS_WITH_VERSION, out.versions); s != CL_SUCCESS)
    return s;
  out.versions.resize(out.versions.size() - out.versions.size() % sizeof(cl_name_version));
  const auto inString = [&out](const std::string& name) {
    return (" " + out.list + " ").find(" " + name + " ") != std::string::npos;
  };
  std::vector<std::string> versioned;
  for (std::size_t off = 0; off < out.versions.size(); off += sizeof(cl_name_version)) {
    cl_name_version nv;
    std::memcpy(&nv, out.versions.data() + off, sizeof nv);
    versioned.emplace_back(nv.name, strnlen(nv.name, sizeof nv.name));
  }
  const auto inVersions = [&versioned](const std::string& name) {
    return std::find(versioned.begin(), versioned.end(), name) != versioned.end();
  };
  const auto addToString = [&out](const std::string& name) {
    out.list += (out.list.empty() || out.list.back() == ' ' ? "" : " ") + name;
  };
  const auto addToVersions = [&out, &versioned](const std::string& name) {
    cl_name_version nv{};
    nv.version = CL_MAKE_VERSION(1, 0, 0);  // the real platform gives none
    std::strncpy(nv.name, name.c_str(), sizeof nv.name - 1);
    const auto* p = reinterpret_cast<const unsigned char*>(&nv);
    out.versions.insert(out.versions.end(), p, p + sizeof nv);
    versioned.push_back(name);
  };
  std::vector<std::string> stringNames;
  for (std::size_t at = 0; at < out.list.size();) {
    const std::size_t start = out.list.find_first_not_of(' ', at);
    if (start == std::string::npos) break;
    const std::size_t end = std::min(out.list.find(' ', start), out.list.size());
    stringNames.push_back(out.list.substr(start, end - start));
    at = end;
  }
  for (const auto& name : stringNames)
    if (!inVersions(name)) addToVersions(name);
  for (const auto& name : std::vector<std::string>(versioned))
    if (!inString(name)) addToString(name);
  std::vector<std::string> added{"cl_khr_icd"};
  if (ops::platformOffersOps(platform)) added.emplace_back(CL_RCL_OPS_EXTENSION_NAME);
  for (const auto& name : added) {
    if (!inString(name)) addToString(name);
    if (!inVersions(name)) addToVersions(name);
  }
  return CL_SUCCESS;
}

cl_int platformExtensions(cl_platform_id platform, size_t size, void* value, size_t* sizeRet) {
  PlatformExtensions lists;
  if (cl_int s = platformExtensionLists(platform, lists); s != CL_SUCCESS) return s;
  return copyInfo(lists.list, size, value, sizeRet);
}

cl_int platformExtensionsWithVersion(cl_platform_id platform, size_t size, void* value, size_t* sizeRet) {
  PlatformExtensions lists;
  if (cl_int s = platformExtensionLists(platform, lists); s != CL_SUCCESS) return s;
  return copyInfo(lists.versions.data(), lists.versions.size(), size, value, sizeRet);
}

// The platform's answer for `type` (status, devices): asked once with room
// for all its devices, then kept (a platform's root devices do not change).
// CL_DEVICE_TYPE_ALL is the session's list of the platform's devices (the
// hello's, which the server made with clGetDeviceIDs of CL_DEVICE_TYPE_ALL,
// in its order): answered without asking; another type depends on each
// device's type (and the platform's choice of a default), asked once.
// `asked`: the server was asked for it now.
bool keptDeviceIDs(cl_platform_id p, cl_device_type type, cl_int& status, std::vector<cl_device_id>& list,
                   bool& asked) {
  {
    std::lock_guard lock(p->deviceListsMutex);
    if (const auto it = p->deviceLists.find(type); it != p->deviceLists.end()) {
      std::tie(status, list) = it->second;
      return true;
    }
    if (type == CL_DEVICE_TYPE_ALL && !p->devices.empty()) {
      status = CL_SUCCESS;
      list = p->devices;
      p->deviceLists.emplace(type, std::make_pair(status, list));
      return true;
    }
  }
  std::vector<cl_device_id> all(std::max<std::size_t>(p->devices.size(), 1), nullptr);
  cl_uint n = 0;
  asked = true;
  status = forwarded::clGetDeviceIDs(p, type, static_cast<cl_uint>(all.size()), all.data(), &n);
  if (status == CL_SUCCESS && n > all.size()) return false;  // more than the session knows: not kept
  list.assign(all.begin(), all.begin() + (status == CL_SUCCESS ? n : 0));
  std::lock_guard lock(p->deviceListsMutex);
  p->deviceLists.emplace(type, std::make_pair(status, list));
  return true;
}

}  // namespace

namespace custom {

cl_int CL_API_CALL clGetDeviceIDs(cl_platform_id platform, cl_device_type device_type, cl_uint num_entries,
                                  cl_device_id* devices, cl_uint* num_devices) {
  cl_platform_id p = checked(platform);
  // What the platform refuses for its arguments (no platform, no room, nowhere
  // to answer) is asked each time, so the error and its order are its own.
  const bool plain = p != nullptr && !(num_entries == 0 && devices != nullptr) &&
                     !(devices == nullptr && num_devices == nullptr);
  cl_int status = CL_SUCCESS;
  std::vector<cl_device_id> list;
  bool asked = false;
  if (!plain || !keptDeviceIDs(p, device_type, status, list, asked))
    return forwarded::clGetDeviceIDs(platform, device_type, num_entries, devices, num_devices);
  if (!asked) traceLocalAnswer("clGetDeviceIDs", status);
  if (status != CL_SUCCESS) return status;
  if (num_devices != nullptr) *num_devices = static_cast<cl_uint>(list.size());
  if (devices != nullptr)
    for (cl_uint i = 0; i < num_entries && i < list.size(); ++i) devices[i] = list[i];
  return CL_SUCCESS;
}

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
      // (without a platform) of names ending in it to this ICD, which is
      // right for cl_rcl_ops' functions; the real platform's forwarded
      // functions are found through clGetExtensionFunctionAddressForPlatform.
      // The server also skips platforms with this suffix.
      return copyInfo(std::string("RCL"), param_value_size, param_value, param_value_size_ret);
    case CL_PLATFORM_EXTENSIONS:
      return platformExtensions(p, param_value_size, param_value, param_value_size_ret);
    case CL_PLATFORM_EXTENSIONS_WITH_VERSION:
      return platformExtensionsWithVersion(p, param_value_size, param_value, param_value_size_ret);
    default: {
      Call call(CallId::clGetPlatformInfo);
      call.request(protocol::opencl::clGetPlatformInfoRequest{.platform = call.handleId(p), .param_name = param_name});
      return call.info(param_name, param_value_size, param_value, param_value_size_ret);
    }
  }
}

cl_int CL_API_CALL clIcdGetPlatformIDsKHR(cl_uint num_entries, cl_platform_id* platforms, cl_uint* num_platforms) {
  return listPlatforms(num_entries, platforms, num_platforms);
}

void* CL_API_CALL clGetExtensionFunctionAddress(const char* func_name) {
  if (func_name == nullptr) return nullptr;
  // The functions of every forwarded extension (codegen/opencl_calls.toml [extensions]).
  for (std::size_t i = 0; i < kExtensionFunctionCount; ++i)
    if (std::strcmp(kExtensionFunctions[i].name, func_name) == 0) return kExtensionFunctions[i].function;
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
