// Device information: the values and refusals of clGetDeviceInfo, the same
// natively and remotely (remotely a device's whole information comes in one
// round trip at its first query, protocol/device_info.h).

#include <string>
#include <vector>

#include "rcl_test.h"

namespace rcl::test {
namespace {

class DeviceInfoTest : public ClTest {};

TEST_F(DeviceInfoTest, HandlesInValuesAreTheApplicationsOwn) {
  cl_platform_id platform = nullptr;
  CL_CHECK(queryInfo(&platform, clGetDeviceInfo, device_, CL_DEVICE_PLATFORM));
  EXPECT_EQ(platform, platform_);
  cl_device_id parent = reinterpret_cast<cl_device_id>(1);
  CL_CHECK(queryInfo(&parent, clGetDeviceInfo, device_, CL_DEVICE_PARENT_DEVICE));
  EXPECT_EQ(parent, nullptr) << "a root device has no parent";
  cl_uint references = 0;
  CL_CHECK(queryInfo(&references, clGetDeviceInfo, device_, CL_DEVICE_REFERENCE_COUNT));
  EXPECT_EQ(references, 1u) << "a root device's count";
}

TEST_F(DeviceInfoTest, SizesAndValuesAgreeAndShortBuffersAreRefused) {
  size_t size = 0;
  CL_CHECK(clGetDeviceInfo(device_, CL_DEVICE_NAME, 0, nullptr, &size));
  ASSERT_GT(size, 1u);
  std::string name(size, '\0');
  size_t returned = 0;
  CL_CHECK(clGetDeviceInfo(device_, CL_DEVICE_NAME, size, name.data(), &returned));
  EXPECT_EQ(returned, size);
  EXPECT_EQ(name.back(), '\0');
  EXPECT_EQ(name.find('\0'), size - 1) << "one terminating NUL";
  EXPECT_EQ(clGetDeviceInfo(device_, CL_DEVICE_NAME, size - 1, name.data(), nullptr), CL_INVALID_VALUE);
  cl_uint units = 0;
  CL_CHECK(queryInfo(&units, clGetDeviceInfo, device_, CL_DEVICE_MAX_COMPUTE_UNITS));
  EXPECT_GE(units, 1u);
  cl_device_type type = 0;
  CL_CHECK(queryInfo(&type, clGetDeviceInfo, device_, CL_DEVICE_TYPE));
  EXPECT_NE(type, 0u);
}

TEST_F(DeviceInfoTest, UnknownParamsAreRefusedEveryTime) {
  // One inside the ranges the client asks for at once, one outside them,
  // each twice (a refusal the client keeps must stay the same).
  for (const cl_device_info unknown : {cl_device_info{0x10fe}, cl_device_info{0x7777}}) {
    SCOPED_TRACE(unknown);
    for (int time = 0; time < 2; ++time) {
      size_t size = 0;
      EXPECT_EQ(clGetDeviceInfo(device_, unknown, 0, nullptr, &size), CL_INVALID_VALUE);
    }
  }
  EXPECT_EQ(clGetDeviceInfo(nullptr, CL_DEVICE_NAME, 0, nullptr, nullptr), CL_INVALID_DEVICE);
}

}  // namespace
}  // namespace rcl::test
