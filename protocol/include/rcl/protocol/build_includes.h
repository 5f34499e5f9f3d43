// What travels with a build's options so that the server's compiler finds the
// client's headers (see icd/include/rcl/icd/transport/build_includes.h and
// server/include/rcl/server/calls/build_includes.h):
//   [options, [[root_index, relative_path, bin], ...], root_count]
// `options` names root k as includeMarker(k); the server writes each root's
// files in a folder of its own and puts that folder's path there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rcl::protocol {

class Writer;
class Reader;

struct IncludeFile {
  std::uint32_t root = 0;  // which include root (an -I directory, or the working directory)
  std::string path;        // relative to the root, '/'-separated, no "..", not absolute
  std::string bytes;
};

struct IncludeBundle {
  std::string options;  // with includeMarker(k) where root k's folder goes
  std::vector<IncludeFile> files;
  std::uint32_t roots = 0;
};

// Where root k's folder goes in the options: ESC, never in real build options.
inline std::string includeMarker(std::uint32_t root) { return "\x1b" "rcl-include-" + std::to_string(root) + "\x1b"; }

// Encodes options that ship no files as [options-or-nil, [], 0].
void writeIncludeBundle(Writer& w, const char* plainOptions, const IncludeBundle* bundle);
// The bundle, or nothing when the options were NULL; DecodeError if malformed
// (a path that is absolute or climbs out of its root, a root out of range,
// over the limits).
std::optional<IncludeBundle> readIncludeBundle(Reader& r);

// Limits on what a build ships (both sides check them).
constexpr std::size_t kMaxIncludeFiles = 4096;
constexpr std::size_t kMaxIncludeBytes = std::size_t{64} << 20;

}  // namespace rcl::protocol
