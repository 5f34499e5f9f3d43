// Every information of a device in one round trip: programs like clinfo ask
// for a hundred values or more, one call each. The client asks for all of
// them at a device's first query (device information never changes) and
// answers the rest from its cache.
//
//   all info  [Request, seq, DeviceInfoAll, device_id]
//     ->      [Reply, seq, CL_SUCCESS, [[param, bin]...], [[param, status]...]]
//
// The worker asks its device for every param in kDeviceInfoRanges. The first
// list holds the values it has, each as a clGetDeviceInfo of that param alone
// would answer (filtered, handles as ids). The second list holds the params
// refused with another status than CL_INVALID_VALUE; every other param of
// the ranges was refused with CL_INVALID_VALUE. A last field says whether
// the device really shares the host's memory (shares_host_memory: the
// application sees CL_DEVICE_HOST_UNIFIED_MEMORY as CL_FALSE). Both messages are described in codegen/messages.toml
// ([requests.DeviceInfoAll], [replies.DeviceInfoAll]):
// rcl::protocol::calls::DeviceInfoAll and DeviceInfoAllReply (control_messages.h).
#pragma once

#include <cstdint>

#include <CL/cl.h>

namespace rcl::protocol {

// (Its id: CallId::DeviceInfoAll, codegen/private_calls.toml.)

struct InfoRange {
  cl_uint first;
  cl_uint last;  // included
};
// Where the headers put device information: the core values (0x1000...), the
// Khronos extensions' (0x2000..., 0x1200...) and the vendors' (0x4000...).
inline constexpr InfoRange kDeviceInfoRanges[] = {
    {0x1000, 0x10ff}, {0x1200, 0x12ff}, {0x2000, 0x20ff}, {0x4000, 0x42ff}};

// Where the client's info cache keeps the reply's shares_host_memory (a
// cl_bool): whether the worker builds a shared buffer on the client's memfd
// (protocol/shm.h), so the client creates one without waiting (issue 16).
// Outside every range: never an application's answer.
inline constexpr cl_uint kDeviceSharesHostMemory = 0x7f000001;

inline constexpr bool inDeviceInfoRanges(cl_uint param) {
  for (const InfoRange& range : kDeviceInfoRanges)
    if (param >= range.first && param <= range.last) return true;
  return false;
}

}  // namespace rcl::protocol
