#include "text_file.h"

#include <fstream>
#include <sstream>

namespace rcl::test {

std::string readTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

void writeTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string lastBytes(const std::string& text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  return "...\n" + text.substr(text.size() - maxBytes);
}

}  // namespace rcl::test
