// Every information of the session's platforms and devices with the
// session's set-up (issue 16): ocl-icd's clGetPlatformIDs asks each
// platform's CL_PLATFORM_EXTENSIONS, which the client makes from the real
// platform's two extension lists and its first device's extensions (every
// device information at once, protocol/device_info.h): 3 round trips before a
// program did anything. None of it ever changes in a session.
//
//   client  [Request, 2, Attach, ...]  [Request, 5, PlatformInfoAll]   (sent together)
//   worker  [Reply, 2, CL_SUCCESS]     [Reply, 5, CL_SUCCESS, [[platform, values, refused, devices]...],
//                                       [[platform, [[type, status, devices]...]]...], null_platform]
//
// The client sends PlatformInfoAll right behind its Attach on the control
// channel, without waiting, and reads its answer after the AttachReply: no
// round trip of its own. For each platform of the hello, in its order: the
// values of every param of kPlatformInfoRanges it has, each as
// clGetPlatformInfo of that param alone answers it (filtered as the server
// filters that query), the params refused with another status than
// CL_INVALID_VALUE, and for each of its devices what DeviceInfoAll answers.
// The client keeps them as the answers of those queries (InfoCache). With
// them (newer fields, issue 16's sixteenth session): each platform's
// clGetDeviceIDs of every type of kAnsweredDeviceTypes as the real platform
// answers it (PoCL's CL_DEVICE_TYPE_DEFAULT is its own choice, not a filter
// of CL_DEVICE_TYPE; a type without a device is its CL_DEVICE_NOT_FOUND),
// and which platform a context of NULL properties is made on; the client
// answers clGetDeviceIDs of those types and pipelines clCreateContextFromType
// of them (icd/src/entry/custom_contexts.cpp). An
// older server refuses the unknown control call with an Error (the Attach
// came first, so the Error reaches the client), and the client asks as
// before; an older client never sends it. Described in codegen/messages.toml
// ([control.PlatformInfoAll], records SessionPlatformInfo, SessionDeviceInfo):
// rcl::protocol::control::PlatformInfoAll and PlatformInfoAllReply
// (control_messages.h).
#pragma once

#include <CL/cl.h>

#include "rcl/protocol/device_info.h"

namespace rcl::protocol {

// Where the headers put platform information: the core values (0x0900...,
// CL_PLATFORM_ICD_SUFFIX_KHR among them), the Khronos extensions' (0x2000...:
// semaphores, external memory) and the vendors' (0x4000...).
inline constexpr InfoRange kPlatformInfoRanges[] = {{0x0900, 0x09ff}, {0x2000, 0x20ff}, {0x4000, 0x40ff}};

// The device types whose clGetDeviceIDs the worker answers with the set-up
// (CL_DEVICE_TYPE_ALL is the hello's list). Another type, a combination or
// no type at all, is asked once by the client and kept.
inline constexpr cl_device_type kAnsweredDeviceTypes[] = {CL_DEVICE_TYPE_DEFAULT, CL_DEVICE_TYPE_CPU,
                                                          CL_DEVICE_TYPE_GPU, CL_DEVICE_TYPE_ACCELERATOR,
                                                          CL_DEVICE_TYPE_CUSTOM};

inline constexpr bool inPlatformInfoRanges(cl_uint param) {
  for (const InfoRange& range : kPlatformInfoRanges)
    if (param >= range.first && param <= range.last) return true;
  return false;
}

}  // namespace rcl::protocol
