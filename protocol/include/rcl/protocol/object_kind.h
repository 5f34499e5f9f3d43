// The kinds of OpenCL object a handle can name, shared by both sides.
#pragma once

#include <cstdint>
#include <type_traits>

#include <CL/cl.h>
#include <CL/cl_ext.h>

namespace rcl::protocol {

enum class ObjectKind : std::uint8_t {
  None, Platform, Device, Context, Queue, Mem, Program, Kernel, Event, Sampler, CommandBuffer,
};

const char* kindName(ObjectKind kind);

// Compile-time facts about each handle type: its kind and the error the spec
// gives for an invalid one.
template <class Handle> struct HandleTraits;
#define RCL_HANDLE_TRAITS(type, k, invalid)                      \
  template <> struct HandleTraits<type> {                        \
    static constexpr ObjectKind kind = ObjectKind::k;            \
    static constexpr cl_int invalidError = invalid;              \
  };
RCL_HANDLE_TRAITS(cl_platform_id, Platform, CL_INVALID_PLATFORM)
RCL_HANDLE_TRAITS(cl_device_id, Device, CL_INVALID_DEVICE)
RCL_HANDLE_TRAITS(cl_context, Context, CL_INVALID_CONTEXT)
RCL_HANDLE_TRAITS(cl_command_queue, Queue, CL_INVALID_COMMAND_QUEUE)
RCL_HANDLE_TRAITS(cl_mem, Mem, CL_INVALID_MEM_OBJECT)
RCL_HANDLE_TRAITS(cl_program, Program, CL_INVALID_PROGRAM)
RCL_HANDLE_TRAITS(cl_kernel, Kernel, CL_INVALID_KERNEL)
RCL_HANDLE_TRAITS(cl_event, Event, CL_INVALID_EVENT)
RCL_HANDLE_TRAITS(cl_sampler, Sampler, CL_INVALID_SAMPLER)
RCL_HANDLE_TRAITS(cl_command_buffer_khr, CommandBuffer, CL_INVALID_COMMAND_BUFFER_KHR)
#undef RCL_HANDLE_TRAITS

template <class T, class = void>
inline constexpr bool kIsHandle = false;
template <class T>
inline constexpr bool kIsHandle<T, std::void_t<decltype(HandleTraits<T>::kind)>> = true;

cl_int invalidErrorFor(ObjectKind kind);

}  // namespace rcl::protocol
