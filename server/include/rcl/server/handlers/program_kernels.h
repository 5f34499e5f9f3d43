// [ProgramKernels]: a program's kernel names and each kernel's argument
// information, in one reply (protocol/program_kernels.h); the same with the
// reply of a clBuildProgram the client waits for (custom::clBuildProgram,
// declared in the generated custom_handlers.h).
#pragma once

namespace rcl::protocol::calls {
struct ProgramKernels;  // its request ([requests.ProgramKernels] in codegen/messages.toml)
}  // namespace rcl::protocol::calls

namespace rcl::server {

class CallContext;

void programKernels(CallContext& ctx, const protocol::calls::ProgramKernels& request);

}  // namespace rcl::server
