// Platform information: the real platform's identity natively and remotely
// (applications recognise implementations by it), and remote-cl's own
// queries saying where a remote platform is (CL/cl_remote.h), which a native
// platform refuses.

#include <unistd.h>

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

}  // namespace
}  // namespace rcl::test
