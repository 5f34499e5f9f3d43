// Contexts of a device type (clCreateContextFromType), and clGetDeviceIDs of
// every type: natively and remotely the same statuses and devices. Remotely
// the client knows each type's devices from the session's set-up
// (protocol/platform_info.h) and answers both without asking when it can;
// a context made without waiting must work as any other (a buffer, a kernel,
// the bytes back). PoCL 3.1: a type without a device, and a type that is no
// type, are CL_DEVICE_NOT_FOUND for both calls, before any other check
// (and its clCreateContextFromType then returns a half-made context that
// its clReleaseContext fails an assertion on: not compared, never released;
// remote-cl returns NULL, as the specification says).

#include <algorithm>
#include <string>
#include <vector>

#include "rcl_test.h"
#include "vector_add.h"

namespace rcl::test {
namespace {

constexpr cl_device_type kNotAType = cl_device_type{1} << 20;

const std::vector<cl_device_type>& everyType() {
  static const std::vector<cl_device_type> types{
      CL_DEVICE_TYPE_ALL,    CL_DEVICE_TYPE_DEFAULT, CL_DEVICE_TYPE_CPU,
      CL_DEVICE_TYPE_GPU,    CL_DEVICE_TYPE_ACCELERATOR, CL_DEVICE_TYPE_CUSTOM,
      CL_DEVICE_TYPE_CPU | CL_DEVICE_TYPE_GPU, CL_DEVICE_TYPE_DEFAULT | CL_DEVICE_TYPE_GPU, 0, kNotAType};
  return types;
}

// The context a creation returned with `status`: nothing unless it succeeded
// (PoCL's half-made context of a failed one is left alone).
Context made(cl_context context, cl_int status) { return Context(status == CL_SUCCESS ? context : nullptr); }

class ContextFromTypeTest : public ClTest {
 protected:
  // clGetDeviceIDs of `type`: its status, and its devices.
  cl_int devicesOf(cl_device_type type, std::vector<cl_device_id>& devices) {
    devices.assign(16, nullptr);
    cl_uint n = 0;
    const cl_int status = clGetDeviceIDs(platform_, type, static_cast<cl_uint>(devices.size()), devices.data(), &n);
    devices.resize(status == CL_SUCCESS ? std::min<cl_uint>(n, 16) : 0);
    return status;
  }
  // A context's CL_CONTEXT_DEVICES (empty if refused).
  static std::vector<cl_device_id> contextDevices(cl_context context) {
    std::vector<cl_device_id> devices;
    EXPECT_EQ(queryVector(&devices, clGetContextInfo, context, CL_CONTEXT_DEVICES), CL_SUCCESS);
    return devices;
  }
  cl_context_properties* platformProperties() {
    properties_[0] = CL_CONTEXT_PLATFORM;
    properties_[1] = reinterpret_cast<cl_context_properties>(platform_);
    properties_[2] = 0;
    return properties_;
  }

 private:
  cl_context_properties properties_[3] = {};
};

// Every type, with its platform named and with NULL properties: the status
// is clGetDeviceIDs' of the type, and the context's devices are its list,
// answered as the platform answers them (count, devices, properties).
TEST_F(ContextFromTypeTest, EveryTypeGivesTheDevicesOfClGetDeviceIDs) {
  for (const cl_device_type type : everyType()) {
    SCOPED_TRACE("device type " + std::to_string(type));
    std::vector<cl_device_id> expected;
    const cl_int found = devicesOf(type, expected);
    ASSERT_TRUE(found == CL_SUCCESS || found == CL_DEVICE_NOT_FOUND) << "clGetDeviceIDs: " << found;
    for (const bool named : {true, false}) {
      SCOPED_TRACE(named ? "CL_CONTEXT_PLATFORM named" : "NULL properties");
      for (int round = 0; round < 2; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        cl_int status = 77;
        cl_context made_ = clCreateContextFromType(named ? platformProperties() : nullptr, type, nullptr, nullptr,
                                                   &status);
        Context context = made(made_, status);
        EXPECT_EQ(status, found);
        if (found != CL_SUCCESS) continue;
        ASSERT_NE(context.get(), nullptr);
        EXPECT_EQ(contextDevices(context), expected);
        cl_uint count = 0;
        CL_CHECK(queryInfo(&count, clGetContextInfo, context.get(), CL_CONTEXT_NUM_DEVICES));
        EXPECT_EQ(count, expected.size());
        std::vector<cl_context_properties> properties;
        CL_CHECK(queryVector(&properties, clGetContextInfo, context.get(), CL_CONTEXT_PROPERTIES));
        if (named) {
          EXPECT_EQ(properties, std::vector<cl_context_properties>(platformProperties(), platformProperties() + 3));
        } else {
          EXPECT_TRUE(properties.empty()) << properties.size() << " properties for NULL";
        }
      }
    }
  }
}

// What else the platform refuses: a property it does not know, a user_data
// without a callback; for a type without a device, CL_DEVICE_NOT_FOUND
// comes first (PoCL counts the type's devices before anything else).
TEST_F(ContextFromTypeTest, RefusalsAreThePlatforms) {
  cl_context_properties unknown[] = {CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(platform_), 0x12345,
                                     1, 0};
  cl_context_properties twice[] = {CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(platform_),
                                   CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(platform_), 0};
  int userData = 0;
  for (const cl_device_type type : everyType()) {
    SCOPED_TRACE("device type " + std::to_string(type));
    std::vector<cl_device_id> expected;
    const cl_int found = devicesOf(type, expected);
    // A creation refused with `expected` (the type's own "no device" before
    // it, as PoCL 3.1), which makes no context.
    const auto refused = [&](const cl_context_properties* properties, void* data, cl_int expected,
                             const char* what) {
      cl_int status = 77;
      cl_context context = clCreateContextFromType(properties, type, nullptr, data, &status);
      EXPECT_EQ(status, found == CL_SUCCESS ? expected : found) << what;
      if (found == CL_SUCCESS) {
        EXPECT_EQ(context, nullptr) << what;
      }
      return made(context, status);
    };
    for (int round = 0; round < 2; ++round) {
      SCOPED_TRACE("round " + std::to_string(round));
      Context keptA = refused(unknown, nullptr, CL_INVALID_PROPERTY, "an unknown property");
      Context keptB = refused(twice, nullptr, CL_INVALID_PROPERTY, "CL_CONTEXT_PLATFORM twice");
      Context keptC = refused(platformProperties(), &userData, CL_INVALID_VALUE, "user_data without pfn_notify");
      // No errcode_ret: the same, nowhere to say it.
      cl_context d = clCreateContextFromType(platformProperties(), type, nullptr, nullptr, nullptr);
      if (found == CL_SUCCESS) {
        EXPECT_NE(d, nullptr);
      }
      Context keptD = made(d, found);
    }
  }
}

// A context of CL_DEVICE_TYPE_DEFAULT (made without waiting remotely) runs
// a kernel: a queue, buffers, the sums read back and checked.
TEST_F(ContextFromTypeTest, ADefaultContextRunsAKernel) {
  for (const bool named : {true, false}) {
    SCOPED_TRACE(named ? "CL_CONTEXT_PLATFORM named" : "NULL properties");
    cl_int status = 77;
    Context context(
        clCreateContextFromType(named ? platformProperties() : nullptr, CL_DEVICE_TYPE_DEFAULT, nullptr, nullptr, &status));
    CL_CHECK(status);
    const std::vector<cl_device_id> devices = contextDevices(context);
    ASSERT_EQ(devices.size(), 1u);
    CommandQueue queue(clCreateCommandQueueWithProperties(context, devices[0], nullptr, &status));
    CL_CHECK(status);
    const char* source = kVectorAddSource;
    Program program(clCreateProgramWithSource(context, 1, &source, nullptr, &status));
    CL_CHECK(status);
    CL_CHECK(clBuildProgram(program, 1, devices.data(), "", nullptr, nullptr));
    Kernel kernel(clCreateKernel(program, "vector_add", &status));
    CL_CHECK(status);
    const std::string failure = runCheckedVectorAdd(context, queue, kernel, 4096, named ? 5 : 9);
    EXPECT_EQ(failure, "");
  }
}

}  // namespace
}  // namespace rcl::test
