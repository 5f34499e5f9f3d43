// The driver's logger. It is the driver's own, never spdlog's default one:
// the application (or a server that loads this ICD) may use spdlog itself.
#pragma once

#include <spdlog/logger.h>

namespace rcl::icd {

spdlog::logger& log();

}  // namespace rcl::icd
