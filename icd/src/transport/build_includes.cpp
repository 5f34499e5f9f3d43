#include "rcl/icd/transport/build_includes.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <utility>

#include "rcl/icd/support/log.h"

namespace rcl::icd {
namespace {

namespace fs = std::filesystem;
using protocol::IncludeBundle;
using protocol::IncludeFile;

// One -I directory as written in the options: where its path is, and the path.
struct IncludeOption {
  std::size_t begin, end;  // the path's characters, quotes included
  std::string path;
};

// The -I options of `options`: "-I dir" and "-Idir". A quoted path is left
// alone: PoCL does not unquote it either, so it is passed on as written.
std::vector<IncludeOption> findIncludeOptions(const std::string& options) {
  std::vector<IncludeOption> found;
  std::size_t i = 0;
  auto skipSpace = [&] {
    while (i < options.size() && std::isspace(static_cast<unsigned char>(options[i]))) ++i;
  };
  // A token from i (up to the next space); i moves past it.
  bool quoted = false;
  auto token = [&](std::size_t& begin) {
    begin = i;
    while (i < options.size() && !std::isspace(static_cast<unsigned char>(options[i]))) ++i;
    std::string text = options.substr(begin, i - begin);
    quoted = text.find_first_of("\"'") != std::string::npos;
    return text;
  };
  while (skipSpace(), i < options.size()) {
    std::size_t begin;
    const std::string word = token(begin);
    if (word.rfind("-I", 0) != 0) continue;
    if (word.size() > 2) {
      if (!quoted) found.push_back({begin + 2, i, word.substr(2)});  // "-Idir"
      continue;
    }
    skipSpace();
    if (i >= options.size()) break;
    std::size_t pathBegin;
    std::string path = token(pathBegin);
    if (!quoted) found.push_back({pathBegin, i, std::move(path)});
  }
  return found;
}

// The names a text includes: "name" (quoted: true) or <name>.
std::vector<std::pair<std::string, bool>> includedNames(const std::string& text) {
  std::vector<std::pair<std::string, bool>> names;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] != '#') continue;
    i = line.find_first_not_of(" \t", i + 1);
    if (i == std::string::npos || line.compare(i, 7, "include") != 0) continue;
    i = line.find_first_not_of(" \t", i + 7);
    if (i == std::string::npos || (line[i] != '"' && line[i] != '<')) continue;
    const char close = line[i] == '"' ? '"' : '>';
    const std::size_t end = line.find(close, i + 1);
    if (end == std::string::npos || end == i + 1) continue;
    names.emplace_back(line.substr(i + 1, end - i - 1), close == '"');
  }
  return names;
}

bool readFile(const fs::path& path, std::string& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// `file` relative to `root`, if it lies inside it ('/'-separated).
bool inside(const fs::path& root, const fs::path& file, std::string& relative) {
  const fs::path rel = file.lexically_relative(root);
  if (rel.empty() || rel.is_absolute()) return false;
  for (const auto& part : rel)
    if (part == "..") return false;
  relative = rel.generic_string();
  return true;
}

class IncludeCollector {
 public:
  explicit IncludeCollector(std::vector<fs::path> roots) : roots_(std::move(roots)) {}

  // Ships every file that `text` (in `directory`, if it is a file) includes,
  // and what those include in turn.
  void collect(const std::string& text, const fs::path& directory) {
    for (const auto& [name, quoted] : includedNames(text)) {
      std::vector<fs::path> candidates;
      if (quoted && !directory.empty()) candidates.push_back(directory / name);
      for (const auto& root : roots_) candidates.push_back(root / name);
      for (const auto& candidate : candidates) add(fs::absolute(candidate).lexically_normal());
    }
  }

  std::vector<IncludeFile> take() { return std::move(files_); }

 private:
  void add(const fs::path& file) {
    if (!seen_.insert(file.string()).second) return;
    std::error_code error;
    if (!fs::is_regular_file(file, error)) return;
    if (files_.size() >= protocol::kMaxIncludeFiles || bytes_ >= protocol::kMaxIncludeBytes) {
      log().warn("remote-cl: the build includes more than the {} files / {} bytes shipped; {} stays behind",
                 protocol::kMaxIncludeFiles, protocol::kMaxIncludeBytes, file.string());
      return;
    }
    std::string text;
    if (!readFile(file, text)) return;
    bool placed = false;
    for (std::uint32_t r = 0; r < roots_.size(); ++r) {
      std::string relative;
      if (!inside(roots_[r], file, relative)) continue;
      files_.push_back(IncludeFile{r, relative, text});
      bytes_ += text.size();
      placed = true;
    }
    if (!placed) {
      log().warn("remote-cl: {} is included from outside every include directory; the server cannot see it",
                 file.string());
      return;
    }
    collect(text, file.parent_path());
  }

  const std::vector<fs::path> roots_;
  std::set<std::string> seen_;
  std::vector<IncludeFile> files_;
  std::size_t bytes_ = 0;
};

}  // namespace

IncludeBundle bundleIncludes(const char* options, const std::string& source) {
  IncludeBundle bundle;
  bundle.options = options != nullptr ? options : "";
  if (source.find("include") == std::string::npos) return bundle;

  // The roots: each -I directory that exists here, then the working directory.
  std::error_code error;
  std::vector<fs::path> roots;
  std::string rewritten;
  std::size_t copied = 0;
  for (const auto& option : findIncludeOptions(bundle.options)) {
    const fs::path dir = fs::absolute(option.path, error).lexically_normal();
    if (error || !fs::is_directory(dir, error)) continue;
    rewritten.append(bundle.options, copied, option.begin - copied);
    rewritten += protocol::includeMarker(static_cast<std::uint32_t>(roots.size()));
    copied = option.end;
    roots.push_back(dir);
  }
  rewritten.append(bundle.options, copied, std::string::npos);
  const fs::path cwd = fs::current_path(error);
  const bool haveCwd = !error;
  if (haveCwd) roots.push_back(cwd.lexically_normal());

  IncludeCollector collector(roots);
  collector.collect(source, {});
  bundle.files = collector.take();
  if (bundle.files.empty()) return bundle;  // nothing to ship: the options go as they were
  bundle.roots = static_cast<std::uint32_t>(roots.size());
  bundle.options = std::move(rewritten);
  if (haveCwd) bundle.options += " -I " + protocol::includeMarker(bundle.roots - 1);
  return bundle;
}

}  // namespace rcl::icd
