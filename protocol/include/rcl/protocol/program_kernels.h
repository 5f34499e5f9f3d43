// The kernels of a program's build and what the client checks their
// clSetKernelArg against, in one round trip: asked at the first clCreateKernel
// of a build (the client keeps it in the program until the next build,
// objects.h: _cl_program), never again. A clBuildProgram without callback
// that succeeds brings the same in its reply, and nothing is asked:
//
//   program kernels  [Request, seq, ProgramKernels, program_id]
//     ->             [Reply, seq, CL_SUCCESS, [[name, args] ...]]
//   clBuildProgram   [Request, seq, clBuildProgram, ...its arguments, no callback]
//     ->             [Reply, seq, CL_SUCCESS, [[name, args] ...]]  (a refusal: no body;
//                    a build whose kernels the platform would not name: none either)
//
// The kernels are those CL_PROGRAM_KERNEL_NAMES names (a refusal of it, as a
// program with no executable, is the reply's status). `args` is nil when the
// platform gives no argument information for the kernel (its
// clGetKernelArgInfo refuses, as PoCL does for a program built without
// -cl-kernel-arg-info, or no kernel of it could be made; after one kernel
// without it the server asks no further kernel of the build), or one entry
// per argument:
//
//   [address_qualifier, access_qualifier, type_qualifier, type_name]
//
// the CL_KERNEL_ARG_ADDRESS_QUALIFIER, CL_KERNEL_ARG_ACCESS_QUALIFIER,
// CL_KERNEL_ARG_TYPE_QUALIFIER and CL_KERNEL_ARG_TYPE_NAME of the argument.
//
// A trailing `details` (absent from an older server) has one entry per
// kernel, in the same order, from the same kernel made for the asking:
//
//   [num_args, [[size, any_size] ...one per argument], [[device_id,
//    work_group_size, [compile_size x3], preferred_multiple,
//    private_mem_size, static_local_bytes] ...one per device]]
//
// - The size of each by-value argument whose type name is no built-in type
//   (kernel_arg_types.h: a typedef, a struct), which the client cannot derive:
//   the server probes it with the platform's own clSetKernelArg on that
//   kernel, sizes 1..1025 over zeroed bytes and then 64 KiB. `size` is the
//   largest size taken when every larger one was refused with
//   CL_INVALID_ARG_SIZE; `any_size` says the platform took every size (PoCL
//   3.1 checks none for such types), so the client refuses none either. At
//   most 64 arguments a build are probed (1027 calls each, ~0.1 ms on PoCL);
//   any other (0, false) leaves the client waiting for the server's verdict
//   once per shape. The client checks clSetKernelArg of a sized argument at
//   the call as a built-in one's (a larger size is CL_INVALID_ARG_SIZE).
// - Per device of the program the kernel answers for, what
//   clGetKernelWorkGroupInfo says and never changes after the build:
//   CL_KERNEL_WORK_GROUP_SIZE, _COMPILE_WORK_GROUP_SIZE,
//   _PREFERRED_WORK_GROUP_SIZE_MULTIPLE, CL_KERNEL_PRIVATE_MEM_SIZE, and
//   CL_KERNEL_LOCAL_MEM_SIZE with no __local argument set (the kernel's own
//   __local variables, which kernel_launch_info.h carries too); the client
//   answers the four itself and checks launches against them without
//   KernelLaunchInfo. CL_KERNEL_LOCAL_MEM_SIZE itself stays a query (it adds
//   the __local arguments' sizes).
//
// `details` is empty when a kernel of the build could not be made.
//
// CL_PROGRAM_BINARY_SIZES is not in it (it was, in the fourteenth session):
// PoCL makes the device code at that query, which slowed every build of a
// program that never runs a kernel. The client asks it once a build and
// keeps it (custom_programs.cpp).
//
// Its id: CallId::ProgramKernels (codegen/private_calls.toml); its answer:
// [replies.ProgramKernels] in codegen/messages.toml, the generated
// rcl::protocol::calls::ProgramKernelsReply both sides use.
#pragma once
