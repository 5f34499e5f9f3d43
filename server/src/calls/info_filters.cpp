#include "rcl/server/calls/info_filters.h"

#include <cstring>
#include <CL/cl_ext.h>
#include <string>

#include "rcl/protocol/extension_table.h"

namespace rcl::server {

bool isMaskedExtension(const char* name) {
  // GL, D3D10/11, DX9 media, EGL and VA-API sharing need the client's
  // graphics objects, which the server cannot see (whatever the extension).
  static const char* const kSharing[] = {"_gl_", "_d3d", "_dx9", "_egl_", "_va_api"};
  const std::string n(name);
  for (const char* pattern : kSharing)
    if (n.find(pattern) != std::string::npos) return true;
  // Everything else by the one table (codegen/opencl_calls.toml [extensions]):
  // an extension is listed only if all its entry points work remotely, or it
  // has none; a name the table does not know may have some, and is masked.
  return !protocol::remoteListsExtension(n);
}

namespace {

constexpr const char* kOpsExtension = "cl_rcl_ops";  // CL_RCL_OPS_EXTENSION_NAME

void setString(std::vector<unsigned char>& value, const std::string& s) {
  value.assign(s.begin(), s.end());
  value.push_back('\0');
}

template <class T>
void editScalar(std::vector<unsigned char>& value, T (*edit)(T)) {
  if (value.size() != sizeof(T)) return;
  T v;
  std::memcpy(&v, value.data(), sizeof v);
  v = edit(v);
  std::memcpy(value.data(), &v, sizeof v);
}

// A list of extension names without the masked ones, keeping the
// implementation's spacing (a name and the blank after it go together).
std::string maskedNames(const std::vector<unsigned char>& value) {
  std::string list(value.begin(), value.end());
  list.resize(std::strlen(list.c_str()));
  std::string kept;
  std::size_t at = 0;
  while (at < list.size()) {
    const std::size_t start = list.find_first_not_of(' ', at);
    if (start == std::string::npos) {
      kept += list.substr(at);
      break;
    }
    const std::size_t end = std::min(list.find(' ', start), list.size());
    const std::size_t next = std::min(list.find_first_not_of(' ', end), list.size());
    if (!isMaskedExtension(list.substr(start, end - start).c_str())) kept += list.substr(at, next - at);
    else kept += list.substr(at, start - at);
    at = next;
  }
  return kept;
}

// A cl_name_version list without the masked ones.
std::vector<unsigned char> maskedNameVersions(const std::vector<unsigned char>& value) {
  std::vector<unsigned char> kept;
  for (std::size_t off = 0; off + sizeof(cl_name_version) <= value.size(); off += sizeof(cl_name_version)) {
    cl_name_version nv;
    std::memcpy(&nv, value.data() + off, sizeof nv);
    nv.name[sizeof nv.name - 1] = '\0';
    if (!isMaskedExtension(nv.name)) kept.insert(kept.end(), value.begin() + off, value.begin() + off + sizeof nv);
  }
  return kept;
}

}  // namespace

cl_int maskPlatformInfo(const SessionOptions&, cl_uint param, std::vector<unsigned char>& value, const InfoQuery&) {
  // The client adds its own (cl_khr_icd, cl_rcl_ops) and makes both lists name the same set.
  if (param == CL_PLATFORM_EXTENSIONS) setString(value, maskedNames(value));
  else if (param == CL_PLATFORM_EXTENSIONS_WITH_VERSION) value = maskedNameVersions(value);
  return CL_SUCCESS;
}

cl_int maskDeviceInfo(const SessionOptions& options, cl_uint param, std::vector<unsigned char>& value,
                      const InfoQuery&) {
  // The capabilities of a masked extension go with its name: a device without
  // the extension refuses them.
  if (protocol::isMaskedExtensionQuery(param)) return CL_INVALID_VALUE;
  switch (param) {
    case CL_DEVICE_EXTENSIONS: {
      std::string list = maskedNames(value);
      if (options.ops) list += (list.empty() || list.back() == ' ' ? "" : " ") + std::string(kOpsExtension);
      setString(value, list);
      break;
    }
    case CL_DEVICE_EXTENSIONS_WITH_VERSION: {
      std::vector<unsigned char> kept = maskedNameVersions(value);
      if (options.ops) {
        cl_name_version ops{};
        ops.version = CL_MAKE_VERSION(1, 0, 0);
        std::strncpy(ops.name, kOpsExtension, sizeof ops.name - 1);
        const auto* bytes = reinterpret_cast<const unsigned char*>(&ops);
        kept.insert(kept.end(), bytes, bytes + sizeof ops);
      }
      value.swap(kept);
      break;
    }
    case CL_DEVICE_EXECUTION_CAPABILITIES:
      editScalar<cl_device_exec_capabilities>(value, [](cl_device_exec_capabilities v) {
        return v & ~static_cast<cl_device_exec_capabilities>(CL_EXEC_NATIVE_KERNEL);
      });
      break;
    case CL_DEVICE_SVM_CAPABILITIES:
      // Coarse-grained buffer SVM is forwarded (the client keeps a shadow it
      // syncs at maps, unmaps and copies); fine grain and atomics would need
      // the two hosts to share memory.
      editScalar<cl_device_svm_capabilities>(value, [](cl_device_svm_capabilities v) {
        return v & static_cast<cl_device_svm_capabilities>(CL_DEVICE_SVM_COARSE_GRAIN_BUFFER);
      });
      break;
    case CL_DEVICE_HOST_UNIFIED_MEMORY:
      editScalar<cl_bool>(value, [](cl_bool) { return static_cast<cl_bool>(CL_FALSE); });
      break;
    default:
      break;
  }
  return CL_SUCCESS;
}

namespace {

void dropSessionReference(std::vector<unsigned char>& value) {
  editScalar<cl_uint>(value, [](cl_uint refs) { return refs > 0 ? refs - 1 : refs; });
}

}  // namespace

cl_int sessionQueueInfo(const SessionOptions&, cl_uint param, std::vector<unsigned char>& value, const InfoQuery&) {
  if (param == CL_QUEUE_REFERENCE_COUNT) dropSessionReference(value);
  return CL_SUCCESS;
}

cl_int commandBufferInfo(const SessionOptions&, cl_uint param, std::vector<unsigned char>&, const InfoQuery&) {
  if (param == CL_COMMAND_BUFFER_QUEUES_KHR || param == CL_COMMAND_BUFFER_PROPERTIES_ARRAY_KHR) return CL_INVALID_VALUE;
  return CL_SUCCESS;
}

cl_int sessionEventInfo(const SessionOptions&, cl_uint param, std::vector<unsigned char>& value,
                        const InfoQuery& query) {
  if (param != CL_EVENT_REFERENCE_COUNT) return CL_SUCCESS;
  cl_command_type type = 0;
  if (query(CL_EVENT_COMMAND_TYPE, sizeof type, &type, nullptr) == CL_SUCCESS && type == CL_COMMAND_USER)
    dropSessionReference(value);
  return CL_SUCCESS;
}

}  // namespace rcl::server
