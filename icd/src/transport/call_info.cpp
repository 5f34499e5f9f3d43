// Info queries: answered from the client's caches where the value never
// changes (every device information asked at once), else asked of the
// server, the objects its values name translated to this side's proxies.
#include "rcl/icd/transport/call.h"

#include <map>
#include <optional>

#include <spdlog/spdlog.h>

#include "rcl/icd/support/log.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/device_info.h"
#include "rcl/protocol/info_results.h"
#include "rcl/protocol/platform_info.h"

namespace rcl::icd {

using protocol::InfoResult;

namespace {

// Platform and device information never changes: the client keeps it (but
// for a device's reference count and its free memory); so do the values the
// annotations call immutable (kept until the proxy is recycled: driver.cpp).
bool cacheable(CallId call, cl_uint param) {
  if (call == CallId::clGetPlatformInfo) return true;
  if (call == CallId::clGetDeviceInfo)
    return param != CL_DEVICE_REFERENCE_COUNT && param != CL_DEVICE_GLOBAL_FREE_MEMORY_AMD;
  return protocol::infoImmutable(call, param);
}

// Info values name objects by id: this side's proxies replace them.
void translateHandles(Connection& connection, const InfoResult& shape, std::vector<unsigned char>& bytes) {
  auto translate = [&](std::size_t offset) {
    std::uint64_t id;
    std::memcpy(&id, bytes.data() + offset, sizeof id);
    Object* o = id != 0 ? connection.find(id) : nullptr;
    std::memcpy(bytes.data() + offset, &o, sizeof o);
  };
  switch (shape.shape) {
    case InfoResult::Shape::Handle:
    case InfoResult::Shape::Handles:
      for (std::size_t off = 0; off + 8 <= bytes.size(); off += 8) translate(off);
      break;
    case InfoResult::Shape::ContextProperties:
      for (std::size_t off = 0; off + 16 <= bytes.size(); off += 16) {
        cl_context_properties key;
        std::memcpy(&key, bytes.data() + off, sizeof key);
        if (key == CL_CONTEXT_PLATFORM) translate(off + 8);
      }
      break;
    default:
      break;
  }
}

}  // namespace

namespace {

// Calls keep(param, value) for each param of `ranges` an answer has a value
// of, refuse(param, status) for the others: the status the answer's
// refusals give, CL_INVALID_VALUE where they say nothing.
template <std::size_t N, class Values, class Refusals, class Keep, class Refuse>
void forEachAnswer(const protocol::InfoRange (&ranges)[N], const Values& values, const Refusals& refusals, Keep keep,
                   Refuse refuse) {
  std::map<cl_uint, const std::string*> byParam;
  std::map<cl_uint, cl_int> refused;
  for (const auto& v : values) byParam[v.param] = &v.value;
  for (const auto& no : refusals) refused[no.param] = no.status;
  for (const auto& range : ranges) {
    for (cl_uint param = range.first; param <= range.last; ++param) {
      if (const auto it = byParam.find(param); it != byParam.end()) {
        keep(param, *it->second);
      } else {
        const auto no = refused.find(param);
        refuse(param, no != refused.end() ? no->second : CL_INVALID_VALUE);
      }
    }
  }
}

// Keeps every information of `device` (a DeviceInfoAll answer, or the set-up's):
// its values and refusals, as the answers of the queries of each param.
void keepDeviceInfo(Connection& connection, InfoCache& cache, Object* device,
                    const std::vector<protocol::control::DeviceInfoValue>& all,
                    const std::vector<protocol::control::DeviceInfoRefusal>& refusals,
                    std::optional<bool> sharesHostMemory) {
  forEachAnswer(
      protocol::kDeviceInfoRanges, all, refusals,
      [&](cl_uint param, const std::string& value) {
        if (!cacheable(CallId::clGetDeviceInfo, param)) return;
        std::vector<unsigned char> bytes(value.begin(), value.end());
        translateHandles(connection, protocol::infoResult(CallId::clGetDeviceInfo, param), bytes);
        cache.store(device, param, bytes);
      },
      [&](cl_uint param, cl_int status) {
        if (cacheable(CallId::clGetDeviceInfo, param)) cache.storeRefusal(device, param, status);
      });
  // Not an OpenCL param: kept for the client's shared buffers, never answered to the application.
  if (sharesHostMemory) {
    const cl_bool shares = *sharesHostMemory ? CL_TRUE : CL_FALSE;
    const auto* bytes = reinterpret_cast<const unsigned char*>(&shares);
    cache.store(device, protocol::kDeviceSharesHostMemory, std::vector<unsigned char>(bytes, bytes + sizeof shares));
  }
}

}  // namespace

void Call::askAllDeviceInfo(InfoCache& cache) {
  cache.setAskedAll(first_);  // once, whatever comes of it (an older server: single queries)
  Call all(CallId::DeviceInfoAll);
  all.request(protocol::calls::DeviceInfoAll{.device = all.handleId(static_cast<cl_device_id>(first_))});
  Reply reply = all.sync();
  protocol::Reader* r = reply.reader();
  if (reply.status() != CL_SUCCESS || r == nullptr || connection_ == nullptr) return;
  try {
    const auto answer = protocol::calls::DeviceInfoAllReply::decodeBody(*r, 0);
    keepDeviceInfo(*connection_, cache, first_, answer.values, answer.refused, answer.shares_host_memory);
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed device information: {}", e.what());
  }
}

namespace {

// Keeps each platform's clGetDeviceIDs by type from the set-up (its newer
// field; an older server's answer has none: asked once a type), replacing
// what a previous connection of the server said.
void keepDeviceTypes(Connection& connection, const protocol::control::PlatformInfoAllReply& info) {
  if (!info.device_types) return;
  for (const auto& platform : *info.device_types) {
    Object* p = connection.find(platform.platform);
    if (p == nullptr || p->kind != ObjectKind::Platform) continue;
    auto* kept = static_cast<cl_platform_id>(p);
    for (const auto& answer : platform.types) {
      std::vector<cl_device_id> devices;
      for (const auto id : answer.devices) {
        Object* d = connection.find(id);
        if (d == nullptr || d->kind != ObjectKind::Device) break;
        devices.push_back(static_cast<cl_device_id>(d));
      }
      if (devices.size() != answer.devices.size()) continue;  // not the session's devices: asked
      std::lock_guard lock(kept->deviceListsMutex);
      kept->deviceLists.insert_or_assign(answer.type, std::make_pair(static_cast<cl_int>(answer.status), devices));
    }
  }
}

}  // namespace

void keepPlatformInfo(Connection& connection, InfoCache& cache) {
  const auto& info = connection.platformInfo();
  if (info == nullptr) return;
  keepDeviceTypes(connection, *info);
  for (const auto& platform : info->platforms) {
    Object* p = connection.find(platform.platform);
    if (p == nullptr || p->kind != ObjectKind::Platform) continue;
    forEachAnswer(
        protocol::kPlatformInfoRanges, platform.values, platform.refused,
        [&](cl_uint param, const std::string& value) {
          cache.store(p, param, std::vector<unsigned char>(value.begin(), value.end()));
        },
        [&](cl_uint param, cl_int status) { cache.storeRefusal(p, param, status); });
    for (const auto& device : platform.devices) {
      Object* d = connection.find(device.device);
      if (d == nullptr || d->kind != ObjectKind::Device) continue;
      cache.setAskedAll(d);
      keepDeviceInfo(connection, cache, d, device.values, device.refused, device.shares_host_memory);
    }
  }
}

cl_int Call::info(cl_uint param, size_t size, void* value, size_t* size_ret) {
  if (failed()) return status_;
  const InfoResult shape = protocol::infoResult(call_, param);
  std::vector<unsigned char> bytes;
  std::vector<std::string> binaries;

  auto* cache = first_ != nullptr ? &Driver::instance().infoCache() : nullptr;
  const bool useCache = cache != nullptr && cacheable(call_, param);
  cl_int cached = CL_SUCCESS;
  bool known = useCache && cache->find(first_, param, bytes, cached);
  if (!known && useCache && call_ == CallId::clGetDeviceInfo && protocol::inDeviceInfoRanges(param) &&
      !cache->askedAll(first_)) {
    askAllDeviceInfo(*cache);
    known = cache->find(first_, param, bytes, cached);
  }
  if (known && cached != CL_SUCCESS) return cached;
  if (!known && shape.shape != InfoResult::Shape::ProgramBinaries) {
    if (const cl_int status = infoValue(param, bytes); status != CL_SUCCESS) return status;
    if (useCache) cache->store(first_, param, bytes);
  } else if (!known) {
    Reply reply = sync();
    if (reply.status() != CL_SUCCESS) return reply.status();
    protocol::Reader* r = reply.reader();
    if (r == nullptr) return CL_OUT_OF_RESOURCES;
    try {
      const std::uint32_t n = r->array();
      for (std::uint32_t i = 0; i < n; ++i) {
        auto& frame = r->bulk();
        binaries.emplace_back(static_cast<const char*>(frame.data()), frame.size());
      }
      bytes.resize(n * sizeof(void*));
    } catch (const protocol::DecodeError& e) {
      log().warn("remote-cl: malformed info reply: {}", e.what());
      return CL_OUT_OF_RESOURCES;
    }
    if (useCache) cache->store(first_, param, bytes);
  }

  if (value != nullptr) {
    if (size < bytes.size()) return CL_INVALID_VALUE;
    if (shape.shape == InfoResult::Shape::ProgramBinaries) {
      // The application sized its buffers by the CL_PROGRAM_BINARY_SIZES the
      // client answered from the build's reply: a binary longer than that
      // (a server that lied) is refused, never copied past their end.
      if (first_ != nullptr && first_->kind == ObjectKind::Program) {
        auto* program = static_cast<cl_program>(first_);
        std::lock_guard lock(program->functionsMutex);
        if (const auto& kept = program->binarySizes) {
          for (std::size_t i = 0; i < binaries.size(); ++i)
            if (i >= kept->size() || binaries[i].size() > (*kept)[i]) {
              log().error("remote-cl: the server's binary {} of program {} has {} bytes, more than the {} of its "
                          "CL_PROGRAM_BINARY_SIZES", i, program->id, binaries[i].size(),
                          i < kept->size() ? (*kept)[i] : 0);
              return CL_OUT_OF_RESOURCES;
            }
        }
      }
      auto** out = static_cast<unsigned char**>(value);
      for (std::size_t i = 0; i < binaries.size(); ++i)
        if (out[i] != nullptr) std::memcpy(out[i], binaries[i].data(), binaries[i].size());
    } else if (!bytes.empty()) {
      std::memcpy(value, bytes.data(), bytes.size());
    }
  }
  if (size_ret != nullptr) *size_ret = bytes.size();
  return CL_SUCCESS;
}

cl_int Call::infoValue(cl_uint param, std::vector<unsigned char>& bytes) {
  if (failed()) return status_;
  const InfoResult shape = protocol::infoResult(call_, param);
  if (shape.shape == InfoResult::Shape::ProgramBinaries) return CL_INVALID_VALUE;
  Reply reply = sync();
  if (reply.status() != CL_SUCCESS) return reply.status();
  protocol::Reader* r = reply.reader();
  if (r == nullptr) return CL_OUT_OF_RESOURCES;
  try {
    const auto b = r->bin();
    bytes.assign(b.begin(), b.end());
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed info reply: {}", e.what());
    return CL_OUT_OF_RESOURCES;
  }
  translateHandles(*connection_, shape, bytes);
  return CL_SUCCESS;
}

}  // namespace rcl::icd
