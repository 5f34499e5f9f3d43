#pragma once
// Small helpers for reading log files.

#include <cstddef>
#include <string>

namespace rcl::test {

// Whole file as a string; empty if it cannot be read.
std::string readTextFile(const std::string& path);

// The last `maxBytes` bytes of `text`, prefixed with "...\n" if something was cut.
std::string lastBytes(const std::string& text, std::size_t maxBytes);

}  // namespace rcl::test
