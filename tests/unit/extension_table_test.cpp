// The table of extensions (codegen/opencl_calls.toml [extensions]) covers
// every extension a device here may list, and the server masks by it.

#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <CL/cl_ext.h>
#include <gtest/gtest.h>

#include "rcl/protocol/extension_table.h"
#include "rcl/server/calls/info_filters.h"

namespace rcl {
namespace {

using protocol::ExtensionStatus;

std::vector<std::string> words(const std::string& list) {
  std::vector<std::string> out;
  std::istringstream in(list);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

template <class Fn, class Handle>
std::string infoString(Fn fn, Handle h, cl_uint param) {
  size_t size = 0;
  if (fn(h, param, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
  std::vector<char> chars(size);
  if (fn(h, param, size, chars.data(), nullptr) != CL_SUCCESS) return {};
  return std::string(chars.data());
}

// Every extension the real platforms and devices of this host list has a row:
// without one the server cannot tell whether it has entry points (it masks it).
TEST(ExtensionTable, CoversEveryExtensionListedHere) {
  cl_uint n = 0;
  if (clGetPlatformIDs(0, nullptr, &n) != CL_SUCCESS || n == 0) GTEST_SKIP() << "no OpenCL platform on this host";
  std::vector<cl_platform_id> platforms(n);
  ASSERT_EQ(clGetPlatformIDs(n, platforms.data(), nullptr), CL_SUCCESS);
  std::size_t seen = 0;
  for (cl_platform_id p : platforms) {
    const std::string platformName = infoString(clGetPlatformInfo, p, CL_PLATFORM_NAME);
    if (infoString(clGetPlatformInfo, p, CL_PLATFORM_ICD_SUFFIX_KHR) == "RCL") continue;  // remote-cl itself
    for (const auto& e : words(infoString(clGetPlatformInfo, p, CL_PLATFORM_EXTENSIONS))) {
      ++seen;
      EXPECT_NE(protocol::findExtension(e), nullptr) << platformName << " lists " << e << ": it needs a row";
    }
    cl_uint nd = 0;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &nd) != CL_SUCCESS || nd == 0) continue;
    std::vector<cl_device_id> devices(nd);
    ASSERT_EQ(clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd, devices.data(), nullptr), CL_SUCCESS);
    for (cl_device_id d : devices) {
      for (const auto& e : words(infoString(clGetDeviceInfo, d, CL_DEVICE_EXTENSIONS))) {
        ++seen;
        EXPECT_NE(protocol::findExtension(e), nullptr) << platformName << "'s device lists " << e << ": it needs a row";
      }
    }
  }
  EXPECT_GT(seen, 0u);
}

TEST(ExtensionTable, RowsAreConsistent) {
  std::set<std::string> names;
  for (const auto& row : protocol::extensionTable()) {
    EXPECT_TRUE(names.insert(row.name).second) << row.name << " has two rows";
    if (row.status == ExtensionStatus::Masked) {
      EXPECT_GT(std::strlen(row.why), 0u) << row.name << ": masked, no why";
    }
    if (row.status == ExtensionStatus::NoEntryPoints) {
      EXPECT_TRUE(row.functions.empty()) << row.name;
    }
  }
  const auto* buffer = protocol::findExtension("cl_khr_command_buffer");
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(buffer->status, ExtensionStatus::Forwarded);
  EXPECT_FALSE(protocol::isMaskedExtensionQuery(CL_DEVICE_COMMAND_BUFFER_CAPABILITIES_KHR)) << "forwarded: answered";
  const auto* mutableDispatch = protocol::findExtension("cl_khr_command_buffer_mutable_dispatch");
  ASSERT_NE(mutableDispatch, nullptr);
  EXPECT_EQ(mutableDispatch->status, ExtensionStatus::Masked);
  EXPECT_TRUE(protocol::isMaskedExtensionQuery(CL_DEVICE_MUTABLE_DISPATCH_CAPABILITIES_KHR));
  EXPECT_FALSE(protocol::isMaskedExtensionQuery(CL_DEVICE_EXTENSIONS));
}

TEST(ExtensionTable, ServerMasksByTheTable) {
  EXPECT_FALSE(server::isMaskedExtension("cl_khr_fp64")) << "no entry points";
  EXPECT_FALSE(server::isMaskedExtension("cl_pocl_content_size")) << "forwarded";
  EXPECT_FALSE(server::isMaskedExtension("cl_khr_device_uuid")) << "no entry points, from the headers";
  EXPECT_FALSE(server::isMaskedExtension("cl_khr_command_buffer")) << "forwarded";
  EXPECT_TRUE(server::isMaskedExtension("cl_khr_command_buffer_mutable_dispatch")) << "masked";
  EXPECT_TRUE(server::isMaskedExtension("cl_khr_gl_sharing")) << "masked";
  EXPECT_TRUE(server::isMaskedExtension("cl_vendor_unknown")) << "unknown: may have entry points";

  server::SessionOptions options;  // no operations: no cl_rcl_ops added
  const std::string list = "cl_khr_fp64  cl_khr_command_buffer cl_khr_command_buffer_mutable_dispatch   cl_khr_spir";
  std::vector<unsigned char> value(list.begin(), list.end());
  value.push_back('\0');
  const server::InfoQuery none = [](cl_uint, size_t, void*, size_t*) { return CL_INVALID_VALUE; };
  ASSERT_EQ(server::maskDeviceInfo(options, CL_DEVICE_EXTENSIONS, value, none), CL_SUCCESS);
  EXPECT_STREQ(reinterpret_cast<const char*>(value.data()), "cl_khr_fp64  cl_khr_command_buffer cl_khr_spir")
      << "masked names go with the blanks after them; no longer name is taken for its prefix";
  std::vector<unsigned char> caps(sizeof(cl_bitfield), 0);
  EXPECT_EQ(server::maskDeviceInfo(options, CL_DEVICE_MUTABLE_DISPATCH_CAPABILITIES_KHR, caps, none), CL_INVALID_VALUE);
  EXPECT_EQ(server::maskDeviceInfo(options, CL_DEVICE_COMMAND_BUFFER_CAPABILITIES_KHR, caps, none), CL_SUCCESS)
      << "a forwarded extension's capabilities are answered";
}

}  // namespace
}  // namespace rcl
