#include "child_environment.h"

#include <algorithm>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace rcl::test {

namespace {

bool hasName(const std::string& entry, const std::string& name) {
  return entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 && entry[name.size()] == '=';
}

}  // namespace

std::vector<std::string> environmentWithout(const std::vector<std::string>& removed) {
  std::vector<std::string> result;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string value(*entry);
    const bool drop =
        std::any_of(removed.begin(), removed.end(), [&](const std::string& name) { return hasName(value, name); });
    if (!drop) result.push_back(value);
  }
  return result;
}

std::vector<char*> toCStringArray(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace rcl::test
