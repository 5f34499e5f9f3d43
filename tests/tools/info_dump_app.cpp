// A small application for the set-up information test (check_platform_info.py):
// prints every platform information and every device information of the
// ranges the headers use (status, size, bytes; a handle as which platform or
// device it names), and what a query with one byte too few answers, for every
// platform and device (CL_DEVICE_TYPE_ALL); but the device's reference count
// and free memory, which stay live queries. Run through a server that sends
// them with the session's set-up and through one that does not, the two
// outputs must be the same. Then, for each platform, clGetDeviceIDs of every
// device type (each of the set-up's, two combinations, none, one that is no
// type) and clCreateContextFromType of them, its platform named and with
// NULL properties: status, devices, count and properties' size (a failed
// creation's context is left alone: PoCL 3.1 returns a half-made one with
// CL_DEVICE_NOT_FOUND). Exits 0 when every list could be asked.
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include <CL/cl.h>

namespace {

struct Range {
  cl_uint first, last;
};
// Those of protocol/platform_info.h and protocol/device_info.h (where the headers put them).
constexpr Range kPlatformRanges[] = {{0x0900, 0x09ff}, {0x2000, 0x20ff}, {0x4000, 0x40ff}};
constexpr Range kDeviceRanges[] = {{0x1000, 0x10ff}, {0x1200, 0x12ff}, {0x2000, 0x20ff}, {0x4000, 0x42ff}};

struct Handles {
  std::vector<cl_platform_id> platforms;
  std::vector<cl_device_id> devices;

  std::string nameOf(const void* handle) const {
    if (handle == nullptr) return "null";
    for (std::size_t i = 0; i < platforms.size(); ++i)
      if (handle == platforms[i]) return "platform#" + std::to_string(i);
    for (std::size_t i = 0; i < devices.size(); ++i)
      if (handle == devices[i]) return "device#" + std::to_string(i);
    return "other";
  }
};

template <class Query>
void dump(const Handles& all, const char* what, std::size_t index, const Range* ranges, std::size_t n, Query query) {
  for (std::size_t r = 0; r < n; ++r) {
    for (cl_uint param = ranges[r].first; param <= ranges[r].last; ++param) {
      // What may change stays a live query (a device's reference count, its free memory): not here.
      if (param == CL_DEVICE_REFERENCE_COUNT || param == 0x4039 /* CL_DEVICE_GLOBAL_FREE_MEMORY_AMD */) continue;
      size_t size = 0;
      cl_int status = query(param, 0, nullptr, &size);
      if (status == CL_INVALID_VALUE) continue;  // the usual answer: not printed
      std::printf("%s#%zu 0x%04x: %d size %zu", what, index, param, status, size);
      if (status == CL_SUCCESS && size > 0) {
        std::vector<unsigned char> value(size);
        status = query(param, size, value.data(), nullptr);
        std::printf(" -> %d", status);
        const bool handle = (param == CL_DEVICE_PLATFORM || param == CL_DEVICE_PARENT_DEVICE) && size == sizeof(void*);
        if (handle) {
          void* h = nullptr;
          std::memcpy(&h, value.data(), sizeof h);
          std::printf(" %s", all.nameOf(h).c_str());
        } else {
          std::printf(" ");
          for (unsigned char b : value) std::printf("%02x", b);
        }
        std::printf("; one byte short: %d", query(param, size - 1, value.data(), nullptr));
      }
      std::printf("\n");
    }
  }
}

constexpr cl_device_type kTypes[] = {CL_DEVICE_TYPE_DEFAULT, CL_DEVICE_TYPE_CPU, CL_DEVICE_TYPE_GPU,
                                      CL_DEVICE_TYPE_ACCELERATOR, CL_DEVICE_TYPE_CUSTOM, CL_DEVICE_TYPE_ALL,
                                      CL_DEVICE_TYPE_CPU | CL_DEVICE_TYPE_GPU,
                                      CL_DEVICE_TYPE_DEFAULT | CL_DEVICE_TYPE_GPU, 0, cl_device_type{1} << 20};

void dumpContextOfType(const Handles& all, const cl_context_properties* properties, cl_device_type type,
                       const char* how) {
  cl_int status = 77;
  cl_context context = clCreateContextFromType(properties, type, nullptr, nullptr, &status);
  std::printf("  clCreateContextFromType(%s): %d", how, status);
  if (status == CL_SUCCESS && context != nullptr) {
    cl_uint count = 0;
    size_t size = 0, propertiesSize = 0;
    const cl_int counted = clGetContextInfo(context, CL_CONTEXT_NUM_DEVICES, sizeof count, &count, nullptr);
    const cl_int sized = clGetContextInfo(context, CL_CONTEXT_DEVICES, 0, nullptr, &size);
    std::vector<cl_device_id> devices(size / sizeof(cl_device_id));
    const cl_int listed = clGetContextInfo(context, CL_CONTEXT_DEVICES, size, devices.data(), nullptr);
    const cl_int described = clGetContextInfo(context, CL_CONTEXT_PROPERTIES, 0, nullptr, &propertiesSize);
    std::printf(", %u device(s) (%d),", count, counted);
    for (cl_device_id d : devices) std::printf(" %s", all.nameOf(d).c_str());
    std::printf(" (%d %d), properties %zu bytes (%d)", sized, listed, propertiesSize, described);
    clReleaseContext(context);
  }
  std::printf("\n");
}

void dumpDeviceTypes(const Handles& all) {
  for (std::size_t i = 0; i < all.platforms.size(); ++i) {
    const cl_context_properties named[] = {CL_CONTEXT_PLATFORM,
                                           reinterpret_cast<cl_context_properties>(all.platforms[i]), 0};
    for (cl_device_type type : kTypes) {
      std::vector<cl_device_id> devices(all.devices.size() + 1, nullptr);
      cl_uint n = 77;
      const cl_int status =
          clGetDeviceIDs(all.platforms[i], type, static_cast<cl_uint>(devices.size()), devices.data(), &n);
      std::printf("platform#%zu type 0x%llx: clGetDeviceIDs %d, %u:", i, static_cast<unsigned long long>(type), status,
                  n);
      for (cl_uint d = 0; status == CL_SUCCESS && d < n && d < devices.size(); ++d)
        std::printf(" %s", all.nameOf(devices[d]).c_str());
      std::printf("\n");
      dumpContextOfType(all, named, type, "platform named");
      if (i == 0) dumpContextOfType(all, nullptr, type, "NULL");
    }
  }
}

}  // namespace

int main() {
  Handles all;
  cl_uint n = 0;
  if (clGetPlatformIDs(0, nullptr, &n) != CL_SUCCESS || n == 0) {
    std::fprintf(stderr, "info_dump_app: no platform\n");
    return 1;
  }
  all.platforms.resize(n);
  clGetPlatformIDs(n, all.platforms.data(), nullptr);
  std::vector<std::vector<cl_device_id>> perPlatform;
  for (auto p : all.platforms) {
    cl_uint m = 0;
    std::vector<cl_device_id> devices;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &m) == CL_SUCCESS && m > 0) {
      devices.resize(m);
      clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, m, devices.data(), nullptr);
    }
    all.devices.insert(all.devices.end(), devices.begin(), devices.end());
    perPlatform.push_back(devices);
  }
  std::size_t deviceIndex = 0;
  for (std::size_t i = 0; i < all.platforms.size(); ++i) {
    cl_platform_id platform = all.platforms[i];
    dump(all, "platform", i, kPlatformRanges, std::size(kPlatformRanges),
         [platform](cl_uint param, size_t size, void* value, size_t* ret) {
           return clGetPlatformInfo(platform, param, size, value, ret);
         });
    for (cl_device_id device : perPlatform[i])
      dump(all, "device", deviceIndex++, kDeviceRanges, std::size(kDeviceRanges),
           [device](cl_uint param, size_t size, void* value, size_t* ret) {
             return clGetDeviceInfo(device, param, size, value, ret);
           });
  }
  dumpDeviceTypes(all);
  std::printf("info_dump_app: %zu platform(s), %zu device(s)\n", all.platforms.size(), all.devices.size());
  return 0;
}
