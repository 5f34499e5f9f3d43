#include "rcl/server/service/platforms.h"

#include <stdexcept>

#include <CL/cl_ext.h>
#include <spdlog/spdlog.h>

#include "rcl/server/calls/object_info.h"

namespace rcl::server {

std::string platformString(cl_platform_id platform, cl_platform_info param) {
  size_t size = 0;
  if (clGetPlatformInfo(platform, param, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
  std::string s(size, '\0');
  clGetPlatformInfo(platform, param, size, s.data(), nullptr);
  s.resize(size - 1);
  return s;
}

std::string deviceName(cl_device_id device) {
  size_t size = 0;
  if (clGetDeviceInfo(device, CL_DEVICE_NAME, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
  std::string s(size, '\0');
  clGetDeviceInfo(device, CL_DEVICE_NAME, size, s.data(), nullptr);
  s.resize(size - 1);
  return s;
}

namespace {

bool isAllDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::string platformName(cl_platform_id platform) { return platformString(platform, CL_PLATFORM_NAME); }

std::vector<ExposedPlatform> findPlatforms(const std::string& selector) {
  cl_uint count = 0;
  if (clGetPlatformIDs(0, nullptr, &count) != CL_SUCCESS || count == 0)
    throw std::runtime_error("no OpenCL platform on this host (is an ICD installed in /etc/OpenCL/vendors?)");
  std::vector<cl_platform_id> all(count);
  clGetPlatformIDs(count, all.data(), nullptr);

  std::vector<cl_platform_id> real;
  for (auto p : all) {
    // Never serve remote-cl's own platforms: that would loop back to a server.
    if (platformString(p, CL_PLATFORM_ICD_SUFFIX_KHR) == "RCL") continue;
    real.push_back(p);
  }
  std::vector<cl_platform_id> chosen;
  if (selector.empty()) {
    chosen = real;
  } else if (isAllDigits(selector)) {
    const auto index = std::stoul(selector);
    if (index >= real.size())
      throw std::runtime_error("--platform " + selector + ": there are only " + std::to_string(real.size()) +
                               " platforms");
    chosen.push_back(real[index]);
  } else {
    for (auto p : real)
      if (platformName(p).find(selector) != std::string::npos) chosen.push_back(p);
    if (chosen.empty()) throw std::runtime_error("--platform " + selector + ": no platform name contains it");
  }

  std::vector<ExposedPlatform> exposed;
  for (auto p : chosen) {
    ExposedPlatform e{p, {}};
    devicesOfType(p, CL_DEVICE_TYPE_ALL, e.devices);  // none if the platform cannot say
    spdlog::info("offering platform '{}' with {} device(s)", platformName(p), e.devices.size());
    exposed.push_back(std::move(e));
  }
  if (exposed.empty()) throw std::runtime_error("no OpenCL platform to offer");
  return exposed;
}

}  // namespace rcl::server
