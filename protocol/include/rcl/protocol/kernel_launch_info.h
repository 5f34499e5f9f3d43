// What the client checks a kernel launch against, for one kernel function on
// one device, in one round trip: asked at the first launch of a function on a
// device (the client keeps it per function of a program's build, objects.h:
// KernelFunction), never again.
//
//   launch info  [Request, seq, KernelLaunchInfo, kernel_id, device_id]
//     ->         [Reply, seq, CL_SUCCESS, num_args, work_group_size,
//                 [compile_size x3], static_local_bytes]
//
// num_args is CL_KERNEL_NUM_ARGS; work_group_size and compile_size are
// CL_KERNEL_WORK_GROUP_SIZE and CL_KERNEL_COMPILE_WORK_GROUP_SIZE on the
// device; static_local_bytes is the kernel's CL_KERNEL_LOCAL_MEM_SIZE with
// no __local argument set (its own __local variables: the server asks a
// fresh kernel of the same function; 0 when it cannot). A refusal of any of
// them is the reply's status.
//
// Its id: CallId::KernelLaunchInfo (codegen/private_calls.toml).
#pragma once
