// [ProgramKernels]: a program's kernel names and each kernel's argument
// information, in one reply (protocol/program_kernels.h).
#pragma once

namespace rcl::server {

class CallContext;

void programKernels(CallContext& ctx);

}  // namespace rcl::server
