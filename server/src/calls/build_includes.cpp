#include "rcl/server/calls/build_includes.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "rcl/server/support/call_error.h"

namespace rcl::server {
namespace {

namespace fs = std::filesystem;

std::uint64_t contentHash(const protocol::IncludeBundle& bundle) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a: the folder's name; contents are checked anyway
  auto mix = [&h](const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  mix(&bundle.roots, sizeof bundle.roots);
  for (const auto& f : bundle.files) {
    const std::uint64_t sizes[] = {f.root, f.path.size(), f.bytes.size()};
    mix(sizes, sizeof sizes);
    mix(f.path.data(), f.path.size());
    mix(f.bytes.data(), f.bytes.size());
  }
  return h;
}

fs::path baseFolder() {
  const char* tmp = std::getenv("TMPDIR");
  fs::path base = fs::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") / fmt::format("remote-cl-includes-{}", getuid());
  fs::create_directories(base);
  fs::permissions(base, fs::perms::owner_all, fs::perm_options::replace);
  return base;
}

fs::path rootFolder(const fs::path& folder, std::uint32_t root) { return folder / fmt::format("r{}", root); }

void write(const fs::path& folder, const protocol::IncludeBundle& bundle) {
  for (std::uint32_t r = 0; r < bundle.roots; ++r) fs::create_directories(rootFolder(folder, r));
  for (const auto& f : bundle.files) {
    const fs::path path = rootFolder(folder, f.root) / f.path;
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(f.bytes.data(), static_cast<std::streamsize>(f.bytes.size()));
    if (!out) throw CallError(CL_OUT_OF_RESOURCES, "cannot write an included file: " + path.string());
  }
}

// Whether `folder` holds exactly the bundle's files.
bool holds(const fs::path& folder, const protocol::IncludeBundle& bundle) {
  std::error_code error;
  std::size_t files = 0;
  for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error))
    if (it->is_regular_file()) ++files;
  if (error || files != bundle.files.size()) return false;
  for (const auto& f : bundle.files) {
    std::ifstream in(rootFolder(folder, f.root) / f.path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return false;
    if (bytes != f.bytes) return false;
  }
  return true;
}

// A folder holding the bundle: the shared one named by its hash, written now
// or checked; a private one if another bundle with that name got there first.
fs::path folderFor(const protocol::IncludeBundle& bundle) {
  static std::atomic<unsigned> counter{0};
  const fs::path base = baseFolder();
  const fs::path shared = base / fmt::format("{:016x}", contentHash(bundle));
  if (fs::exists(shared) && holds(shared, bundle)) return shared;
  const fs::path fresh = base / fmt::format("{:016x}.{}.{}", contentHash(bundle), getpid(), counter++);
  write(fresh, bundle);
  std::error_code error;
  fs::rename(fresh, shared, error);  // fails if another session wrote it meanwhile
  if (!error) return shared;
  if (holds(shared, bundle)) {
    fs::remove_all(fresh, error);
    return shared;
  }
  spdlog::warn("included files: {} holds other files; this build uses {}", shared.string(), fresh.string());
  return fresh;
}

}  // namespace

std::string materializeIncludes(const protocol::IncludeBundle& bundle) {
  if (bundle.files.empty()) return bundle.options;
  fs::path folder;
  try {
    folder = folderFor(bundle);
  } catch (const fs::filesystem_error& e) {
    throw CallError(CL_OUT_OF_RESOURCES, std::string("cannot write the included files: ") + e.what());
  }
  std::string options = bundle.options;
  for (std::uint32_t r = 0; r < bundle.roots; ++r) {
    const std::string marker = protocol::includeMarker(r);
    const std::string path = rootFolder(folder, r).string();
    for (std::size_t at = options.find(marker); at != std::string::npos; at = options.find(marker, at + path.size()))
      options.replace(at, marker.size(), path);
  }
  if (options.find('\x1b') != std::string::npos)
    throw CallError(CL_INVALID_BUILD_OPTIONS, "the build options name an include folder that was not sent");
  return options;
}

}  // namespace rcl::server
