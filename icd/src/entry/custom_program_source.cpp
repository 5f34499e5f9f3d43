// Hand-written entry point for programs made from source: the client checks
// the strings as PoCL 3.1 does, after the context (a count of 0, NULL
// strings, a NULL string among them: CL_INVALID_VALUE), so only resources
// can fail the creation on the server and it is sent without waiting
// (pipelined.h); the build that follows waits anyway. Its source, context
// and devices are answered here. Shapes and reasons:
// codegen/opencl_calls.toml.
#include <cstring>
#include <string>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/custom_calls.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd::custom {
namespace {

// CL_PROGRAM_SOURCE as the platform answers it: the strings one after the
// other (a length of 0: up to the string's NUL), up to the first NUL, with
// a NUL at the end.
std::string joinedSource(const char** strings, cl_uint count, const size_t* lengths) {
  std::string source;
  for (cl_uint i = 0; i < count; ++i) {
    const std::size_t n = lengths != nullptr && lengths[i] != 0 ? lengths[i] : std::strlen(strings[i]);
    source.append(strings[i], n);
  }
  source.resize(std::strlen(source.c_str()));
  return source;
}

// What never changes of a program made without waiting, answered here.
void keepProgram(cl_program program, cl_context context, const char** strings, cl_uint count,
                 const size_t* lengths) {
  constexpr CallId info = CallId::clGetProgramInfo;
  keepSentInfo(info, program, CL_PROGRAM_CONTEXT, context);
  const std::string source = joinedSource(strings, count, lengths);
  keepSentInfo(info, program, CL_PROGRAM_SOURCE, source.c_str(), source.size() + 1);
  const std::vector<cl_device_id> devices = contextDevices(context);  // a program of source: its context's
  if (devices.empty()) return;
  keepSentInfo(info, program, CL_PROGRAM_NUM_DEVICES, static_cast<cl_uint>(devices.size()));
  keepSentInfo(info, program, CL_PROGRAM_DEVICES, devices.data(), devices.size() * sizeof(cl_device_id));
}

}  // namespace

cl_program CL_API_CALL clCreateProgramWithSource(cl_context context, cl_uint count, const char** strings,
                                                 const size_t* lengths, cl_int* errcode_ret) {
  Call call(CallId::clCreateProgramWithSource);
  auto* created = call.newObject<_cl_program>();
  protocol::opencl::clCreateProgramWithSourceRequest request;
  request.created_id = created->id;
  request.context = call.handleId(context);
  cl_context c = call.unlessFailed(context);
  request.count = count;
  // (PoCL 3.1 reads a NULL list of strings: the specification's error instead.)
  if (count == 0 || strings == nullptr) call.fail(CL_INVALID_VALUE);
  request.strings = call.programSourceTexts(strings, count, lengths);  // a NULL string: CL_INVALID_VALUE
  call.request(request);
  const bool pipelined = c != nullptr && !call.failed();
  cl_program p = createPipelined(call, created, pipelined, errcode_ret);
  if (p != nullptr && pipelined) keepProgram(p, c, strings, count, lengths);
  return p;
}

}  // namespace rcl::icd::custom
