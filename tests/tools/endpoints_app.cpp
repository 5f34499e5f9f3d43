// Lists the platforms in the order the ICD loader gives them, one line each:
// "INDEX ENDPOINT" with the remote-cl server's endpoint
// (CL_PLATFORM_REMOTE_ENDPOINT_RCL), or "INDEX local" for a platform that is
// not remote-cl's. Exits 1 when there is no platform.
#include <cstdio>
#include <string>
#include <vector>

#include <CL/cl.h>
#include <CL/cl_remote.h>

int main() {
  cl_uint count = 0;
  if (clGetPlatformIDs(0, nullptr, &count) != CL_SUCCESS || count == 0) {
    std::fprintf(stderr, "endpoints_app: no platform\n");
    return 1;
  }
  std::vector<cl_platform_id> platforms(count);
  clGetPlatformIDs(count, platforms.data(), nullptr);
  for (cl_uint i = 0; i < count; ++i) {
    std::size_t size = 0;
    if (clGetPlatformInfo(platforms[i], CL_PLATFORM_REMOTE_ENDPOINT_RCL, 0, nullptr, &size) != CL_SUCCESS) {
      std::printf("%u local\n", i);
      continue;
    }
    std::string endpoint(size, '\0');
    clGetPlatformInfo(platforms[i], CL_PLATFORM_REMOTE_ENDPOINT_RCL, size, endpoint.data(), nullptr);
    std::printf("%u %s\n", i, endpoint.c_str());
  }
  return 0;
}
