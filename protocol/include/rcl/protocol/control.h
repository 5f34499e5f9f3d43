// Calls on the control channel, outside the OpenCL API. Their ids:
// ControlCall (rcl/protocol/call_ids.h, from codegen/private_calls.toml).
//
// A client says hello to the server's listening endpoint; the answer names
// the session's own endpoint, where the client's two sockets then connect
// (so the session's worker answers calls itself, with no hand-off):
//   hello   [Request, seq, Hello, protocol_version, client_name(, takes_pending)]
//     ->    [Reply, seq, CL_SUCCESS, protocol_version, server_name,
//            session_endpoint, [[platform_id, [device_id...]]...]]
//     or    [Error, seq, status, message]   (version mismatch, ...)
//   A client whose hello says takes_pending first gets, when the router
//   starts the session's worker (a process that may take seconds to
//   initialise its platforms), an interim message with the hello's seq:
//           [Request, seq, HelloPending, start_timeout_ms]
//   and then the answer or the error within start_timeout_ms. A server older
//   than takes_pending refuses such a hello as malformed (its decoder takes
//   no value past client_name): the client says hello again without it.
// On the session's endpoint, the control socket says it is there:
//   attach  [Request, seq, Attach, device_times] -> [Reply, seq, CL_SUCCESS]
//           device_times: push each command's device time with its completion (the client traces)
// and right behind it, not waiting for that answer (protocol/platform_info.h):
//   info    [Request, seq, PlatformInfoAll] -> [Reply, seq, CL_SUCCESS, [[platform_id, values, refused, devices]...]]
//           every platform and device information, which the client keeps; an older server's Error: asked later
// then, when the client offers shared memory (protocol/shm.h):
//   shm     [Request, seq, ShmAttach, name, slots, slot_bytes, pid, header] -> [Reply, seq, CL_SUCCESS, cookie, direct]
// or, over tcp://, a bulk socket (protocol/bulk_socket.h; with CURVE its lanes are encrypted, bulk_crypt.h):
//   bulk    [Request, seq, BulkAttach, lanes(, sealed)] -> [Reply, seq, CL_SUCCESS, port, token, lanes(, keys)]
// and, leaving:
//   goodbye [Request, 0, Goodbye]            the server frees the session
// Anyone may ask the listening endpoint how the server is:
//   status  [Request, seq, Status] -> [Reply, seq, CL_SUCCESS, ...]   (protocol/status.h)
#pragma once

#include "rcl/protocol/call_ids.h"
