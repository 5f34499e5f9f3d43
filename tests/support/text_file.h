#pragma once
// Small helpers for reading log files.

#include <cstddef>
#include <string>

namespace rcl::test {

// Writes `text` as the whole file (a child's report for its parent).
void writeTextFile(const std::string& path, const std::string& text);

// Whole file as a string; empty if it cannot be read.
std::string readTextFile(const std::string& path);

// The last `maxBytes` bytes of `text`, prefixed with "...\n" if something was cut.
std::string lastBytes(const std::string& text, std::size_t maxBytes);

}  // namespace rcl::test
