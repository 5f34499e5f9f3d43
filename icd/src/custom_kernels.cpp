// clSetKernelArg: an argument's bytes may be a handle (cl_mem, cl_sampler,
// cl_command_queue), which the client turns into its id. Shape and reason:
// codegen/opencl_calls.toml.
#include "rcl/icd/call.h"
#include "rcl/icd/custom_calls.h"

namespace rcl::icd::custom {

cl_int CL_API_CALL clSetKernelArg(cl_kernel kernel, cl_uint arg_index, size_t arg_size, const void* arg_value) {
  Call call(CallId::clSetKernelArg);
  cl_kernel k = call.handle(kernel);
  call.scalar(arg_index);
  call.scalar(arg_size);
  if (call.failed()) return call.status();
  Object* object = nullptr;
  if (arg_value != nullptr && arg_size == sizeof(void*)) {
    void* candidate;
    std::memcpy(&candidate, arg_value, sizeof candidate);
    object = k->connection->owned(candidate);
  }
  if (arg_value == nullptr) call.writer().nil();
  else if (object != nullptr && object->live) call.writer().u64(object->id);
  else call.value(arg_value, arg_size);
  return call.sync().status();
}

}  // namespace rcl::icd::custom
