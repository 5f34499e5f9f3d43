#include "rcl/protocol/build_includes.h"

#include "rcl/protocol/codec.h"

namespace rcl::protocol {
namespace {

// A path the server may create under a root: relative, no "." / ".." / empty parts.
bool safeRelativePath(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

void writeIncludeBundle(Writer& w, const char* plainOptions, const IncludeBundle* bundle) {
  w.array(3);
  if (bundle != nullptr && !bundle->files.empty()) {
    w.str(bundle->options);
    w.array(static_cast<std::uint32_t>(bundle->files.size()));
    for (const auto& f : bundle->files) {
      w.array(3);
      w.integer(f.root);
      w.str(f.path);
      w.bulkCopy(f.bytes.data(), f.bytes.size());
    }
    w.integer(bundle->roots);
    return;
  }
  if (plainOptions != nullptr) w.str(plainOptions);
  else w.nil();
  w.array(0);
  w.integer(0);
}

std::optional<IncludeBundle> readIncludeBundle(Reader& r) {
  if (r.array() != 3) throw DecodeError("build options: not [options, files, roots]");
  std::optional<IncludeBundle> bundle;
  if (!r.isNil()) bundle.emplace().options = r.str();
  const std::uint32_t n = r.array();
  if (n > kMaxIncludeFiles) throw DecodeError("build options: too many included files");
  std::vector<IncludeFile> files;
  std::size_t bytes = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (r.array() != 3) throw DecodeError("build options: a file is not [root, path, bytes]");
    IncludeFile f;
    f.root = r.integer<std::uint32_t>();
    f.path = r.str();
    const auto& frame = r.bulk();
    f.bytes.assign(static_cast<const char*>(frame.data()), frame.size());
    bytes += f.bytes.size();
    if (!safeRelativePath(f.path)) throw DecodeError("build options: an included file's path is not safe: " + f.path);
    if (bytes > kMaxIncludeBytes) throw DecodeError("build options: included files over the size limit");
    files.push_back(std::move(f));
  }
  const auto roots = r.u64();
  // The server makes a folder a root: no more than the options can name (each
  // root a marker, but for the working directory's), nor than a uint32 holds.
  const std::size_t nameable = bundle ? bundle->options.size() / includeMarker(0).size() + 1 : 1;
  if (roots > nameable) throw DecodeError("build options: more include roots than the options name");
  for (const auto& f : files)
    if (f.root >= roots) throw DecodeError("build options: a file names a root that does not exist");
  if (!files.empty() && !bundle) throw DecodeError("build options: files without options");
  if (bundle) {
    bundle->files = std::move(files);
    bundle->roots = static_cast<std::uint32_t>(roots);
  }
  return bundle;
}

}  // namespace rcl::protocol
