#pragma once
// A fresh directory under $TMPDIR (or /tmp), removed on destruction unless keep() was called.

#include <string>

namespace rcl::test {

class TempDirectory {
 public:
  // Throws std::runtime_error if the directory cannot be created.
  explicit TempDirectory(const std::string& prefix);
  ~TempDirectory();

  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Leave the directory (and its files) on disk, e.g. to inspect logs after a failure.
  void keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace rcl::test
