#pragma once
// Small text helpers shared by the parsers of settings, key files and allowed-client lists.

#include <string>
#include <string_view>

namespace rcl::protocol {

// `s` without the blanks (spaces, tabs, line ends) at either end.
inline std::string trim(std::string_view s) {
  constexpr std::string_view kBlank = " \t\r\n";
  const auto first = s.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(kBlank) - first + 1));
}

}  // namespace rcl::protocol
