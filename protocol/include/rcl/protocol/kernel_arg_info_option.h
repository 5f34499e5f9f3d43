// -cl-kernel-arg-info, added to every build, compile and link the server
// replays, so that the client always has the argument information its
// clSetKernelArg is checked against (no round trip per argument shape), and
// hidden from the application, which sees its program as it built it.
//
// The one rule both sides apply: options the application gave (not NULL)
// that do not name -cl-kernel-arg-info get " -cl-kernel-arg-info" at their
// end. NULL options stay NULL: PoCL keeps argument information then (as it
// does with the option), and without it when the options are given, even
// empty. For such a program the client answers CL_PROGRAM_BUILD_OPTIONS
// without the added option and clGetKernelArgInfo with
// CL_KERNEL_ARG_INFO_NOT_AVAILABLE (after the kernel and index checks), as
// the platform would for the options the application gave.
#pragma once

#include <string>
#include <string_view>

namespace rcl::protocol {

inline constexpr std::string_view kKernelArgInfoOption = "-cl-kernel-arg-info";

// Whether `options` name -cl-kernel-arg-info (as a word of their own).
inline bool namesKernelArgInfo(std::string_view options) {
  for (std::size_t at = options.find(kKernelArgInfoOption); at != std::string_view::npos;
       at = options.find(kKernelArgInfoOption, at + 1)) {
    const std::size_t end = at + kKernelArgInfoOption.size();
    const bool startsWord = at == 0 || options[at - 1] == ' ' || options[at - 1] == '\t';
    const bool endsWord = end == options.size() || options[end] == ' ' || options[end] == '\t';
    if (startsWord && endsWord) return true;
  }
  return false;
}

// Whether the server adds the option to `options` (the application's).
inline bool addsKernelArgInfo(const char* options) {
  return options != nullptr && !namesKernelArgInfo(options);
}

// The options the server replays for `options` (the application's, not NULL).
inline std::string withKernelArgInfo(std::string options) {
  if (!namesKernelArgInfo(options)) options.append(" ").append(kKernelArgInfoOption);
  return options;
}

// A CL_PROGRAM_BUILD_OPTIONS answer without the option the server added at
// its end, and the one blank before it (PoCL folds runs of blanks and trims
// the ends, as it does natively with the application's options).
inline std::string withoutAddedKernelArgInfo(std::string answer) {
  const std::size_t length = answer.find('\0') == std::string::npos ? answer.size() : answer.find('\0');
  answer.resize(length);
  const std::size_t n = kKernelArgInfoOption.size();
  if (answer.size() >= n && answer.compare(answer.size() - n, n, kKernelArgInfoOption) == 0) {
    answer.resize(answer.size() - n);
    if (!answer.empty() && answer.back() == ' ') answer.pop_back();
  }
  return answer;
}

}  // namespace rcl::protocol
