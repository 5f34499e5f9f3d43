// Calls of remote-cl's own OpenCL extensions (cl_rcl_ops, CL/cl_remote.h),
// which are not in the ICD dispatch table: CallId::ListOps and
// CallId::EnqueueOp (codegen/private_calls.toml), from kFirstExtensionCall on;
// they travel on the calls channel like any call.
//
// List the operations the server offers (sync; every platform of a server
// offers the same):
//   list    [Request, seq, ListOps, platform_id]
//     ->    [Reply, seq, CL_SUCCESS, [[name, description, required_extension,
//                                      [[kind, size, arg_name]...]]...]]
//     or    [Reply, seq, CL_INVALID_OPERATION]        (server started with --no-ops)
//
// Run one (async: seq 0, or sync when the client runs synchronously):
//   op      [Request, seq, EnqueueOp, queue_id, name, [arg...], wait_list | nil, event_id | nil]
//           + one bulk frame per host-in argument
//   arg     [CL_RCL_ARG_SCALAR,   bin]               the value's bytes
//           [CL_RCL_ARG_MEM,      mem_id]
//           [CL_RCL_ARG_HOST_IN,  bulk]              the bytes, in a bulk frame
//           [CL_RCL_ARG_HOST_OUT, size]
// The event id is picked by the client (nil: no event wanted). An operation
// with host-out arguments needs one: when the command completes the server
// pushes the results like a read's bytes, in one frame holding every
// host-out argument's bytes in argument order (one piece today):
//           [Kind::ReadData, 0, event_id, status, [bulk...]]  (nil if status != CL_COMPLETE)
// Otherwise the event's completion is pushed as [Kind::Event, 0, event_id, status].
// A wrong argument count, kind or size, an unknown name or id fails the call
// with CL_INVALID_VALUE / CL_INVALID_ARG_VALUE / CL_INVALID_ARG_SIZE /
// CL_INVALID_MEM_OBJECT (reply, or AsyncError naming the event id).
#pragma once

#include <cstdint>

#include "rcl/protocol/call_ids.h"

namespace rcl::protocol {

// The arguments of the built-in GEMM operations ("sgemm", "dgemm", "hgemm"),
// in order: X(name, kind, type), with T the element type. Both sides derive
// their code from this list: the client builds clEnqueue?gemmRCL's arguments,
// the server its signature and decoding.
#define RCL_GEMM_ARGS(X, T)                  \
  X(layout, CL_RCL_ARG_SCALAR, cl_uint)      \
  X(a_transpose, CL_RCL_ARG_SCALAR, cl_uint) \
  X(b_transpose, CL_RCL_ARG_SCALAR, cl_uint) \
  X(m, CL_RCL_ARG_SCALAR, cl_ulong)          \
  X(n, CL_RCL_ARG_SCALAR, cl_ulong)          \
  X(k, CL_RCL_ARG_SCALAR, cl_ulong)          \
  X(alpha, CL_RCL_ARG_SCALAR, T)             \
  X(a, CL_RCL_ARG_MEM, cl_mem)               \
  X(a_offset, CL_RCL_ARG_SCALAR, cl_ulong)   \
  X(a_ld, CL_RCL_ARG_SCALAR, cl_ulong)       \
  X(b, CL_RCL_ARG_MEM, cl_mem)               \
  X(b_offset, CL_RCL_ARG_SCALAR, cl_ulong)   \
  X(b_ld, CL_RCL_ARG_SCALAR, cl_ulong)       \
  X(beta, CL_RCL_ARG_SCALAR, T)              \
  X(c, CL_RCL_ARG_MEM, cl_mem)               \
  X(c_offset, CL_RCL_ARG_SCALAR, cl_ulong)   \
  X(c_ld, CL_RCL_ARG_SCALAR, cl_ulong)

}  // namespace rcl::protocol
