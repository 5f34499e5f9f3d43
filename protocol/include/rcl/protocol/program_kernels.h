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
// Its id: CallId::ProgramKernels (codegen/private_calls.toml); its answer:
// [replies.ProgramKernels] in codegen/messages.toml, the generated
// rcl::protocol::calls::ProgramKernelsReply both sides use.
#pragma once
