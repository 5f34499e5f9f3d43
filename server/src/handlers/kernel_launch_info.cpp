#include "rcl/server/handlers/kernel_launch_info.h"

#include <CL/cl.h>

#include <cstdint>
#include <string>

#include "rcl/protocol/control_messages.h"
#include "rcl/server/calls/call_context.h"

namespace rcl::server {
namespace {

void check(cl_int status, const char* what) {
  if (status != CL_SUCCESS) throw CallError(status, what);
}

// The kernel's own __local variables: CL_KERNEL_LOCAL_MEM_SIZE of a fresh
// kernel of its function, whose __local arguments are not set (counted as 0).
// 0 when no fresh kernel can be made.
cl_ulong staticLocalBytes(cl_kernel kernel, cl_device_id device) {
  cl_program program = nullptr;
  std::size_t length = 0;
  if (::clGetKernelInfo(kernel, CL_KERNEL_PROGRAM, sizeof program, &program, nullptr) != CL_SUCCESS ||
      ::clGetKernelInfo(kernel, CL_KERNEL_FUNCTION_NAME, 0, nullptr, &length) != CL_SUCCESS || length == 0)
    return 0;
  std::string name(length, '\0');
  if (::clGetKernelInfo(kernel, CL_KERNEL_FUNCTION_NAME, length, name.data(), nullptr) != CL_SUCCESS) return 0;
  cl_int status = CL_SUCCESS;
  cl_kernel fresh = ::clCreateKernel(program, name.c_str(), &status);
  if (fresh == nullptr || status != CL_SUCCESS) return 0;
  cl_ulong bytes = 0;
  if (::clGetKernelWorkGroupInfo(fresh, device, CL_KERNEL_LOCAL_MEM_SIZE, sizeof bytes, &bytes, nullptr) != CL_SUCCESS)
    bytes = 0;
  ::clReleaseKernel(fresh);
  return bytes;
}

}  // namespace

void kernelLaunchInfo(CallContext& ctx, const protocol::calls::KernelLaunchInfo& request) {
  auto kernel = ctx.handleOf<cl_kernel>(request.kernel);
  auto device = ctx.handleOf<cl_device_id>(request.device);
  if (kernel == nullptr) throw CallError(CL_INVALID_KERNEL, "no kernel");
  cl_uint numArgs = 0;
  std::size_t groupSize = 0;
  std::size_t compileSize[3] = {0, 0, 0};
  check(::clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, sizeof numArgs, &numArgs, nullptr), "CL_KERNEL_NUM_ARGS");
  check(::clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_WORK_GROUP_SIZE, sizeof groupSize, &groupSize, nullptr),
        "CL_KERNEL_WORK_GROUP_SIZE");
  check(::clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof compileSize,
                                   compileSize, nullptr),
        "CL_KERNEL_COMPILE_WORK_GROUP_SIZE");
  const cl_ulong staticLocal = staticLocalBytes(kernel, device);
  ctx.reply(CL_SUCCESS);
  if (!ctx.replying()) return;
  protocol::calls::KernelLaunchInfoReply reply{.num_args = numArgs, .work_group_size = groupSize, .compile_size = {},
                                               .static_local_bytes = staticLocal};
  for (int d = 0; d < 3; ++d) reply.compile_size[d] = compileSize[d];
  reply.encodeBody(ctx.replyWriter());
}

}  // namespace rcl::server
