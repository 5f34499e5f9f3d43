// Platform information: the real platform's identity natively and remotely
// (applications recognise implementations by it), and remote-cl's own
// queries saying where a remote platform is (CL/cl_remote.h), which a native
// platform refuses.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <CL/cl_ext.h>
#include <CL/cl_remote.h>

#include "rcl_test.h"

namespace rcl::test {
namespace {

class PlatformInfoTest : public ClTest {
 protected:
  std::string platformString(cl_platform_info param) {
    std::string value;
    EXPECT_EQ(queryString(&value, clGetPlatformInfo, platform_, param), CL_SUCCESS) << "param " << param;
    return value;
  }
};

TEST_F(PlatformInfoTest, IdentityIsTheRealPlatforms) {
  for (cl_platform_info param : {CL_PLATFORM_NAME, CL_PLATFORM_VENDOR, CL_PLATFORM_VERSION, CL_PLATFORM_PROFILE}) {
    SCOPED_TRACE(param);
    const std::string value = platformString(param);
    EXPECT_FALSE(value.empty());
    EXPECT_EQ(value.find("remote-cl"), std::string::npos) << value;
  }
  // CL_PLATFORM_VERSION keeps its "OpenCL <major>.<minor> " prefix, and the
  // numeric version says the same.
  const std::string version = platformString(CL_PLATFORM_VERSION);
  unsigned major = 0, minor = 0;
  ASSERT_EQ(std::sscanf(version.c_str(), "OpenCL %u.%u ", &major, &minor), 2) << version;
  cl_version numeric = 0;
  if (major >= 3) {
    CL_CHECK(queryInfo(&numeric, clGetPlatformInfo, platform_, CL_PLATFORM_NUMERIC_VERSION));
    EXPECT_EQ(CL_VERSION_MAJOR(numeric), major);
    EXPECT_EQ(CL_VERSION_MINOR(numeric), minor);
  }
}

TEST_F(PlatformInfoTest, ExtensionListsNameTheSameExtensions) {
  std::set<std::string> names;
  std::istringstream words(platformString(CL_PLATFORM_EXTENSIONS));
  for (std::string word; words >> word;) names.insert(word);
  EXPECT_EQ(names.count("cl_khr_icd"), 1u);
  std::vector<cl_name_version> versioned;
  const cl_int status = queryVector(&versioned, clGetPlatformInfo, platform_, CL_PLATFORM_EXTENSIONS_WITH_VERSION);
  if (status == CL_INVALID_VALUE) GTEST_SKIP() << "an OpenCL 1.x/2.x platform: no CL_PLATFORM_EXTENSIONS_WITH_VERSION";
  CL_CHECK(status);
  std::set<std::string> versionedNames;
  for (const auto& nv : versioned) versionedNames.insert(nv.name);
  EXPECT_EQ(versionedNames, names);
}

TEST_F(PlatformInfoTest, RemotePlatformSaysWhereItIs) {
  std::string endpoint, server;
  const cl_int endpointStatus = queryString(&endpoint, clGetPlatformInfo, platform_, CL_PLATFORM_REMOTE_ENDPOINT_RCL);
  const cl_int serverStatus = queryString(&server, clGetPlatformInfo, platform_, CL_PLATFORM_REMOTE_SERVER_RCL);
  if (!isRemote()) {
    EXPECT_EQ(endpointStatus, CL_INVALID_VALUE) << "a native platform knows nothing of remote-cl's queries";
    EXPECT_EQ(serverStatus, CL_INVALID_VALUE);
    return;
  }
  CL_CHECK(endpointStatus);
  CL_CHECK(serverStatus);
  EXPECT_EQ(endpoint, serverEndpoint());
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  EXPECT_EQ(server, host) << "the test's server runs on this host";
  EXPECT_EQ(platformString(CL_PLATFORM_ICD_SUFFIX_KHR), "RCL");
  // Sizes as for any string query: the NUL counted, a short buffer refused.
  size_t size = 0;
  CL_CHECK(clGetPlatformInfo(platform_, CL_PLATFORM_REMOTE_ENDPOINT_RCL, 0, nullptr, &size));
  EXPECT_EQ(size, endpoint.size() + 1);
  std::string shortBuffer(size - 1, '\0');
  EXPECT_EQ(clGetPlatformInfo(platform_, CL_PLATFORM_REMOTE_ENDPOINT_RCL, size - 1, shortBuffer.data(), nullptr),
            CL_INVALID_VALUE);
}

// clGetDeviceIDs by device type: the platform's answers natively and
// remotely, each asked twice (remotely the second is answered by the client
// from the first), argument errors included. Which types a platform has comes
// from its devices' CL_DEVICE_TYPE; a type no device has and a type that is no
// type are CL_DEVICE_NOT_FOUND on PoCL (not CL_INVALID_DEVICE_TYPE).
TEST_F(PlatformInfoTest, DeviceIDsByTypeAreThePlatforms) {
  cl_uint total = 0;
  CL_CHECK(clGetDeviceIDs(platform_, CL_DEVICE_TYPE_ALL, 0, nullptr, &total));
  ASSERT_GT(total, 0u);
  std::vector<cl_device_id> all(total);
  CL_CHECK(clGetDeviceIDs(platform_, CL_DEVICE_TYPE_ALL, total, all.data(), nullptr));
  cl_device_type present = 0;
  for (cl_device_id d : all) {
    cl_device_type t = 0;
    CL_CHECK(queryInfo(&t, clGetDeviceInfo, d, CL_DEVICE_TYPE));
    present |= t;
  }
  const cl_device_type kNotAType = cl_device_type{1} << 20;
  for (cl_device_type type : std::vector<cl_device_type>{CL_DEVICE_TYPE_ALL, CL_DEVICE_TYPE_DEFAULT, CL_DEVICE_TYPE_CPU, CL_DEVICE_TYPE_GPU,
                                                         CL_DEVICE_TYPE_ACCELERATOR, CL_DEVICE_TYPE_CUSTOM,
                                                         kNotAType}) {
    SCOPED_TRACE("device type " + std::to_string(type));
    const bool found = type == CL_DEVICE_TYPE_ALL || type == CL_DEVICE_TYPE_DEFAULT || (type & present) != 0;
    for (int round = 0; round < 2; ++round) {
      SCOPED_TRACE("round " + std::to_string(round));
      cl_uint n = 77;
      EXPECT_EQ(clGetDeviceIDs(platform_, type, 0, nullptr, &n), found ? CL_SUCCESS : CL_DEVICE_NOT_FOUND);
      std::vector<cl_device_id> list(total + 1, nullptr);
      cl_uint listed = 77;
      EXPECT_EQ(clGetDeviceIDs(platform_, type, total + 1, list.data(), &listed),
                found ? CL_SUCCESS : CL_DEVICE_NOT_FOUND);
      cl_device_id one = nullptr;
      EXPECT_EQ(clGetDeviceIDs(platform_, type, 1, &one, nullptr), found ? CL_SUCCESS : CL_DEVICE_NOT_FOUND);
      EXPECT_EQ(clGetDeviceIDs(platform_, type, 0, &one, nullptr), CL_INVALID_VALUE);
      EXPECT_EQ(clGetDeviceIDs(platform_, type, 1, nullptr, nullptr), CL_INVALID_VALUE);
      if (!found) {
        EXPECT_EQ(n, 77u) << "num_devices written on CL_DEVICE_NOT_FOUND";
        EXPECT_EQ(listed, 77u) << "num_devices written on CL_DEVICE_NOT_FOUND";
        continue;
      }
      EXPECT_EQ(listed, n);
      if (type == CL_DEVICE_TYPE_ALL) {
        EXPECT_EQ(n, total);
      }
      if (type == CL_DEVICE_TYPE_DEFAULT) {
        EXPECT_EQ(n, 1u);
      }
      ASSERT_LE(n, total);
      EXPECT_EQ(one, list[0]);
      EXPECT_EQ(list[n], nullptr) << "more devices written than counted";
      for (cl_uint i = 0; i < n; ++i) {
        EXPECT_NE(std::find(all.begin(), all.end(), list[i]), all.end()) << "device " << i << " is not the platform's";
        cl_device_type t = 0;
        CL_CHECK(queryInfo(&t, clGetDeviceInfo, list[i], CL_DEVICE_TYPE));
        if (type != CL_DEVICE_TYPE_ALL && type != CL_DEVICE_TYPE_DEFAULT) {
          EXPECT_NE(t & type, 0u) << "device " << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace rcl::test
