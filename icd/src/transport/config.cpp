#include "rcl/icd/transport/config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "rcl/protocol/bulk_socket.h"
#include "rcl/protocol/text.h"

namespace rcl::icd {
namespace {

using protocol::trim;

std::map<std::string, std::string> readFile(const std::string& path) {
  std::map<std::string, std::string> values;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line.substr(0, line.find('#')));
    const auto eq = line.find('=');
    if (eq != std::string::npos) values[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return values;
}

std::vector<std::string> configFiles() {
  std::vector<std::string> files;
  if (const char* p = std::getenv("REMOTE_CL_CONFIG")) files.emplace_back(p);
  if (const char* home = std::getenv("HOME")) files.push_back(std::string(home) + "/.config/remote-cl/client.conf");
  files.emplace_back("/etc/remote-cl/client.conf");
  return files;
}

std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> items;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

}  // namespace

ClientConfig loadClientConfig() {
  ClientConfig config;
  std::map<std::string, std::string> values;
  for (const auto& path : configFiles()) {
    config.sourceHint += (config.sourceHint.empty() ? "" : ", ") + path;
    if (std::ifstream(path).good()) {
      values = readFile(path);
      break;
    }
  }
  auto setting = [&](const char* env, const char* key) -> std::string {
    if (const char* v = std::getenv(env)) return v;
    const auto it = values.find(key);
    return it == values.end() ? std::string() : it->second;
  };
  config.servers = splitList(setting("REMOTE_CL_SERVERS", "servers"));
  config.dnsServers = setting("REMOTE_CL_DNS_SERVERS", "dns_servers");
  if (auto v = setting("REMOTE_CL_PLACEMENT", "placement"); !v.empty()) {
    if (const auto placement = parsePlacement(v))
      config.placement = *placement;
    else
      config.placementError = "unknown placement '" + v + "' (listed or least-loaded)";
  }
  if (auto v = setting("REMOTE_CL_LOG", "log_level"); !v.empty()) config.logLevel = v;
  if (auto v = setting("REMOTE_CL_CONNECT_TIMEOUT_MS", "connect_timeout_ms"); !v.empty())
    config.connection.connectTimeout = std::chrono::milliseconds(std::stol(v));
  if (auto v = setting("REMOTE_CL_DEAD_AFTER_MS", "dead_after_ms"); !v.empty())
    config.connection.deadAfter = std::chrono::milliseconds(std::stol(v));
  config.connection.synchronous = setting("REMOTE_CL_SYNC", "sync") == "1";
  config.traceFile = setting("REMOTE_CL_TRACE", "trace");
  config.connection.deviceTimes = !config.traceFile.empty();
  config.connection.shm = setting("REMOTE_CL_SHM", "shm") != "0";
  config.connection.directCopy = setting("REMOTE_CL_DIRECT_COPY", "direct_copy") != "0";
  config.connection.sharedBuffers = setting("REMOTE_CL_SHARED_BUFFERS", "shared_buffers") != "0";
  config.connection.bulkSocket = setting("REMOTE_CL_BULK_SOCKET", "bulk_socket") != "0";
  config.connection.encryptedLanes = setting("REMOTE_CL_ENCRYPTED_LANES", "encrypted_lanes") != "0";
  if (auto v = setting("REMOTE_CL_BULK_LANES", "bulk_lanes"); !v.empty())
    config.connection.bulkLanes =
        static_cast<unsigned>(std::clamp(std::atol(v.c_str()), 1L, long{protocol::bulk::kMaxLanes}));
  if (auto v = setting("REMOTE_CL_SHM_MB", "shm_mb"); !v.empty())
    config.connection.shmMegabytes = static_cast<std::size_t>(std::max(1L, std::stol(v)));
  if (auto v = setting("REMOTE_CL_SLOT_PATIENCE_MS", "slot_patience_ms"); !v.empty())
    config.connection.slotPatience = std::chrono::milliseconds(std::max(0L, std::stol(v)));
  try {
    config.connection.curve = protocol::loadCurveClientKeys(setting);
  } catch (const std::exception& e) {
    config.curveError = e.what();
  }
  return config;
}

}  // namespace rcl::icd
