// Calls on the control channel, outside the OpenCL API: the handshake and
// the goodbye. Their ids live above every CallId.
//
//   hello   [Request, seq, Hello, protocol_version, client_name]
//     ->    [Reply, seq, CL_SUCCESS, protocol_version, server_name,
//            [[platform_id, [device_id...]]...]]
//     or    [Error, seq, status, message]   (version mismatch, ...)
//   goodbye [Request, 0, Goodbye]            the server frees the session
#pragma once

#include <cstdint>

namespace rcl::protocol {

enum class ControlCall : std::uint16_t {
  Hello = 1000,
  Goodbye = 1001,
};

}  // namespace rcl::protocol
