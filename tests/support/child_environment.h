#pragma once
// Builds an explicit environment block (envp) for a child process.

#include <string>
#include <vector>

namespace rcl::test {

// A copy of this process's environment with every variable in `removed` left out.
std::vector<std::string> environmentWithout(const std::vector<std::string>& removed);

// Null-terminated array of pointers into `strings`; valid while `strings` lives unchanged.
std::vector<char*> toCStringArray(std::vector<std::string>& strings);

}  // namespace rcl::test
