// What the client knows of a program's kernels before any is made: their
// names, each one's argument information (address, access and type
// qualifiers, type name, and the size of a by-value argument whose type is no
// built-in, which the server probes), and its work-group information on each
// device of the build, with the reply of a clBuildProgram that waited for its
// build, else in one round trip per build of the program
// (protocol/program_kernels.h), kept in the program (objects.h:
// _cl_program::kernelNames) and given to each kernel function
// (KernelFunction::args, ::devices). clSetKernelArg checks an argument
// against it and sends it without waiting (custom_kernels.cpp); where the
// information cannot decide (a pipe, a device queue, a by-value type the
// server could not size, no information from the platform), the server's
// verdict is waited for.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/objects/objects.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/control_messages.h"

namespace rcl::icd {

using ProgramKernels = std::map<std::string, KernelOfBuild>;

// The kernels of `program`'s current build (nullopt: the server refused, as
// for a program with no executable).
std::optional<ProgramKernels> fetchProgramKernels(cl_program program);

// The kernels a reply's body holds ([replies.ProgramKernels], codegen/messages.toml),
// as ProgramKernels' and a clBuildProgram's that waited for its build carry
// them (clBuildProgramReply's body).
ProgramKernels programKernelsOf(const protocol::calls::ProgramKernelsReply& reply);

// An argument as its information declares it (Unknown where the client cannot judge).
KernelArg classifyArg(cl_kernel_arg_address_qualifier address, cl_kernel_arg_type_qualifier typeQualifier,
                      std::string typeName);

// `a` (classified) with the server's probe of its size: a by-value argument
// the client could not size by its type name becomes a Value of that size, or
// of any size. A built-in type keeps the client's own size.
KernelArg withProbedSize(KernelArg a, cl_kernel_arg_address_qualifier address,
                         const protocol::control::ArgValueSize& probed);

// clSetKernelArg's verdict on a value for a declared argument: `decided`
// false when only the server can say; else `error` is what the call returns.
// Decided: a wrong size where the platforms agree (a pointer's, an image's or
// a sampler's other than a handle's, a by-value type's larger than the type,
// a __local one of 0), a value where none may be (__local) or none where one
// must be (by value), any size of a by-value type the platform takes at any
// size, and the right object kind. Left to the platform: an
// object of another kind (PoCL 3.1 takes a buffer as a sampler and a sampler
// as a buffer, where the specification says CL_INVALID_SAMPLER and
// CL_INVALID_MEM_OBJECT), fewer bytes than a by-value type has (PoCL takes
// them), a pointer the client does not know.
// `object` is the client object the value names (nullptr: none).
struct ArgVerdict {
  bool decided = false;
  cl_int error = CL_SUCCESS;
};
ArgVerdict judgeArg(const KernelArg& declared, std::size_t size, const void* value, const Object* object);

}  // namespace rcl::icd
