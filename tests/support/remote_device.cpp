#include "remote_device.h"

#include <cstdlib>

#include "cl_error_names.h"

namespace rcl::test {

RemoteDevice openRemoteDevice(const std::string& vendors, const std::string& endpoint, RemoteOpening upTo) {
  setenv("OCL_ICD_VENDORS", vendors.c_str(), 1);
  setenv("REMOTE_CL_SERVERS", endpoint.c_str(), 1);
  return openRemoteDevice(upTo);
}

RemoteDevice openRemoteDevice(RemoteOpening upTo) {
  RemoteDevice d;
  if (clGetPlatformIDs(1, &d.platform, nullptr) != CL_SUCCESS) return d.failed = "no remote platform", d;
  if (clGetDeviceIDs(d.platform, CL_DEVICE_TYPE_ALL, 1, &d.device, nullptr) != CL_SUCCESS)
    return d.failed = "no remote device", d;
  if (upTo == RemoteOpening::Device) return d;
  cl_int error = CL_SUCCESS;
  d.context = clCreateContext(nullptr, 1, &d.device, nullptr, nullptr, &error);
  if (error != CL_SUCCESS) return d.failed = "clCreateContext failed: " + clErrorName(error), d;
  d.queue = clCreateCommandQueueWithProperties(d.context, d.device, nullptr, &error);
  if (error != CL_SUCCESS) return d.failed = "clCreateCommandQueueWithProperties failed: " + clErrorName(error), d;
  return d;
}

}  // namespace rcl::test
