#include "shared_mappings.h"

#include <string>
#include <thread>

#include "text_file.h"

namespace rcl::test {

std::size_t sharedMappings(pid_t pid) {
  const std::string maps = readTextFile("/proc/" + std::to_string(pid) + "/maps");
  std::size_t n = 0;
  for (auto at = maps.find("memfd:rcl-buffer"); at != std::string::npos; at = maps.find("memfd:rcl-buffer", at + 1))
    ++n;
  return n;
}

bool awaitSharedMappings(pid_t pid, std::size_t count, std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (sharedMappings(pid) != count && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return sharedMappings(pid) == count;
}

}  // namespace rcl::test
