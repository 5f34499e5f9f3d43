// Choosing which real platforms the server offers.
#pragma once

#include <string>
#include <vector>

#include "rcl/server/session/session.h"

namespace rcl::server {

// Every real platform (never remote-cl's own), or the one `selector` names:
// an index, or a substring of the platform name. Throws std::runtime_error
// with a clear message when nothing matches.
std::vector<ExposedPlatform> findPlatforms(const std::string& selector);

std::string platformName(cl_platform_id platform);
std::string platformString(cl_platform_id platform, cl_platform_info param);
std::string deviceName(cl_device_id device);

}  // namespace rcl::server
