// Kernels and their arguments. clSetKernelArg: an argument's bytes may be a
// handle (cl_mem, cl_sampler, cl_command_queue), which the client turns into
// its id; clSetKernelArgSVMPointer and clSetKernelExecInfo: SVM pointers,
// which it turns into the server's addresses. clSetKernelArg never waits
// where the argument's information (fetched with its program's kernel names,
// kernel_arg_info.h) decides: index, size and object kind are checked at the
// call, and what only the server could refuse fails the kernel's next launch
// (CL_INVALID_KERNEL_ARGS); a struct or typedef'd by-value type counts as
// decided once the server sized it with the program's kernels. Elsewhere (no
// information, such a type the server could not size), the first time an
// argument of a kernel function is set with a given shape (kind, size, object
// kind), the call waits for the server's verdict, so errors come back
// exactly; later calls of an accepted shape
// cannot fail and are sent without waiting, for every kernel of that function
// in that build of the program (clCreateKernel joins a kernel to its
// function's shapes). Shapes and reasons: codegen/opencl_calls.toml.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rcl/icd/entry/build_options.h"
#include "rcl/icd/transport/call.h"
#include "rcl/icd/custom_calls.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/icd/entry/kernel_arg_info.h"
#include "rcl/icd/entry/kernel_args.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/entry/pipelined.h"
#include "rcl/icd/data/svm_ranges.h"
#include "rcl/protocol/opencl_wire.h"
#include "rcl/protocol/kernel_arg_info_option.h"

namespace rcl::icd::custom {
namespace {

// A memory object's type matters (an image2d_t argument refuses a buffer):
// images add their type's low bits, with the top bit set.
std::uint64_t memTypeOf(Object* object) {
  if (object == nullptr || object->kind != ObjectKind::Mem) return 0;
  const auto* m = static_cast<cl_mem>(object);
  return m->image ? 0x80 | (static_cast<std::uint64_t>(m->imageType) & 0x7f) : 0;
}

std::uint64_t shapeOf(ArgKind kind, std::size_t size, Object* object) {
  const auto objectKind = object != nullptr ? static_cast<std::uint64_t>(object->kind) : 0;
  return argShape(kind, size, objectKind, memTypeOf(object));
}

bool accepted(cl_kernel k, cl_uint index, std::uint64_t shape) {
  {
    std::lock_guard lock(k->function->mutex);
    const auto it = k->function->acceptedShapes.find(index);
    if (it == k->function->acceptedShapes.end() || it->second.count(shape) == 0) return false;
  }
  std::lock_guard lock(k->infoMutex);
  k->acceptedArgs[index] = shape;
  return true;
}

void accept(cl_kernel k, cl_uint index, std::uint64_t shape) {
  {
    std::lock_guard lock(k->infoMutex);
    k->acceptedArgs[index] = shape;
  }
  std::lock_guard lock(k->function->mutex);
  k->function->acceptedShapes[index].insert(shape);
}

// Whether an object may stand as a kernel argument: a memory object, a sampler or a device queue.
bool isArgObject(const Object* o) {
  return o->kind == ObjectKind::Mem || o->kind == ObjectKind::Sampler || o->kind == ObjectKind::Queue;
}

// The function `name` of `program`'s current build; a new one takes the
// arguments, and the work-group information on each device, the program's
// kernel names came with.
std::shared_ptr<KernelFunction> functionOf(cl_program program, const char* name) {
  std::lock_guard lock(program->functionsMutex);
  auto& function = program->functions[name];
  if (function == nullptr) {
    function = std::make_shared<KernelFunction>();
    if (program->kernelNames) {
      if (const auto it = program->kernelNames->find(name); it != program->kernelNames->end()) {
        const KernelOfBuild& built = it->second;
        function->args = built.args;
        function->numArgs = built.numArgs;
        function->devices = built.devices;
      }
    }
  }
  return function;
}

// Whether `name` is a kernel of `program`'s current build: its kernels (names
// and argument information, kernel_arg_info.h) are asked once per build (not
// kept while it has no executable: a build with a callback may still be running).
bool namesKernel(cl_program program, const char* name) {
  {
    std::lock_guard lock(program->functionsMutex);
    if (program->kernelNames) return program->kernelNames->count(name) != 0;
  }
  std::optional<ProgramKernels> kernels = fetchProgramKernels(program);
  if (!kernels) return false;
  std::lock_guard lock(program->functionsMutex);
  program->kernelNames = std::move(kernels);
  return program->kernelNames->count(name) != 0;
}

// The argument `index` of `k` as its information declares it (nullptr: no
// information). Set before the kernel was the application's, never changed.
const KernelArg* declaredArg(cl_kernel k, cl_uint index) {
  const auto& args = k->function->args;
  return args && index < args->size() ? &(*args)[index] : nullptr;
}

}  // namespace

// A kernel its program's build names can only fail for want of memory: its
// creation is pipelined (the server's refusal fails its first use). Others
// wait for the server's verdict.
cl_kernel CL_API_CALL clCreateKernel(cl_program program, const char* kernel_name, cl_int* errcode_ret) {
  cl_program known = checked(program);
  const bool pipelined = known != nullptr && kernel_name != nullptr && namesKernel(known, kernel_name);
  Call call(CallId::clCreateKernel);
  auto* created = call.newObject<_cl_kernel>();
  call.request(protocol::opencl::clCreateKernelRequest{
      .created_id = created->id, .program = call.handleId(program), .kernel_name = Call::text(kernel_name)});
  cl_program p = call.unlessFailed(program);
  cl_kernel k = nullptr;
  if (pipelined && !call.failed()) {
    const cl_int status = call.post();
    if (errcode_ret != nullptr) *errcode_ret = status;
    if (status == CL_SUCCESS) k = created;
  } else {
    k = call.sync().created(created, errcode_ret);
  }
  if (k != nullptr && p != nullptr) k->argInfoHidden = p->argInfoHidden;
  if (k != nullptr && p != nullptr && kernel_name != nullptr) {
    k->function = functionOf(p, kernel_name);  // not the application's yet: no other thread sees it
    k->functionName = kernel_name;
    // Its name is known: the query need not ask (the string with its NUL).
    const auto* name = reinterpret_cast<const unsigned char*>(kernel_name);
    Driver::instance().infoCache().store(k, CL_KERNEL_FUNCTION_NAME,
                                         std::vector<unsigned char>(name, name + std::strlen(kernel_name) + 1));
    // So are its program and context, and its number of arguments when the build brought it
    // (PyOpenCL asks both for every kernel it makes).
    constexpr CallId info = CallId::clGetKernelInfo;
    keepSentInfo(info, k, CL_KERNEL_PROGRAM, p);
    if (p->context != nullptr) keepSentInfo(info, k, CL_KERNEL_CONTEXT, p->context);
    std::optional<cl_uint> numArgs;
    {
      std::lock_guard lock(k->function->mutex);
      numArgs = k->function->numArgs;
    }
    if (numArgs) keepSentInfo(info, k, CL_KERNEL_NUM_ARGS, *numArgs);
  }
  return k;
}

cl_int CL_API_CALL clSetKernelArg(cl_kernel kernel, cl_uint arg_index, size_t arg_size, const void* arg_value) {
  Call call(CallId::clSetKernelArg);
  protocol::opencl::clSetKernelArgRequest request;
  request.kernel = call.handleId(kernel);
  request.arg_index = arg_index;
  request.arg_size = arg_size;
  if (call.failed()) return call.status();
  cl_kernel k = kernel;
  if (k->function->args && arg_index >= k->function->args->size()) return CL_INVALID_ARG_INDEX;
  const KernelArg* declared = declaredArg(k, arg_index);
  Object* object = nullptr;
  // (A by-value argument's bytes are never a handle, whatever they hold.)
  if (arg_value != nullptr && arg_size == sizeof(void*) &&
      (declared == nullptr || declared->type != KernelArg::Type::Value)) {
    void* candidate;
    std::memcpy(&candidate, arg_value, sizeof candidate);
    object = k->connection->owned(candidate);
    if (object != nullptr && !object->live) return CL_INVALID_ARG_VALUE;
  }
  if (object != nullptr && (isArgObject(object) ? contextOf(object) : nullptr) != k->context)
    return object->kind == ObjectKind::Sampler ? CL_INVALID_SAMPLER : CL_INVALID_MEM_OBJECT;
  const ArgVerdict verdict = declared != nullptr ? judgeArg(*declared, arg_size, arg_value, object) : ArgVerdict{};
  if (verdict.decided && verdict.error != CL_SUCCESS) return verdict.error;
  ArgKind kind;
  if (arg_value == nullptr) {
    // (A NULL buffer is no __local argument.)
    kind = declared != nullptr && declared->type == KernelArg::Type::Pointer ? ArgKind::Bytes : ArgKind::Local;
  } else if (object != nullptr) {
    kind = ArgKind::Object;
    request.arg_value = static_cast<std::uint64_t>(object->id);
  } else {
    kind = ArgKind::Bytes;
    request.arg_value = std::string_view(static_cast<const char*>(arg_value), arg_size);
  }
  call.request(request);
  const std::uint64_t shape = shapeOf(kind, arg_size, object);
  // Decided by the argument's information, or a shape the server accepted:
  // what only the server could still refuse fails the kernel's next launch.
  if (verdict.decided || accepted(k, arg_index, shape)) {
    if (verdict.decided) accept(k, arg_index, shape);
    return call.post();
  }
  const cl_int status = call.sync().status();
  if (status == CL_SUCCESS) accept(k, arg_index, shape);
  return status;
}

// The pointer goes as the server's address of it (an offset into an
// allocation stays one); NULL goes as nil. A pointer in no SVM allocation of
// the kernel's context cannot mean anything on the server: CL_INVALID_ARG_VALUE.
cl_int CL_API_CALL clSetKernelArgSVMPointer(cl_kernel kernel, cl_uint arg_index, const void* arg_value) {
  Call call(CallId::clSetKernelArgSVMPointer);
  call.request(protocol::opencl::clSetKernelArgSVMPointerRequest{
      .kernel = call.handleId(kernel),
      .arg_index = arg_index,
      .arg_value = call.svmAddress(arg_value, 0, CL_INVALID_ARG_VALUE)});
  if (call.failed()) return call.status();
  cl_kernel k = kernel;
  const std::uint64_t shape = shapeOf(ArgKind::SvmPointer, sizeof(void*), nullptr);
  if (accepted(k, arg_index, shape)) return call.post();
  const cl_int status = call.sync().status();
  if (status == CL_SUCCESS) accept(k, arg_index, shape);
  return status;
}

// CL_KERNEL_EXEC_INFO_SVM_PTRS: every pointer translated (each must be SVM of
// the kernel's context); other names go as they are (the server forwards
// CL_KERNEL_EXEC_INFO_SVM_FINE_GRAIN_SYSTEM only).
cl_int CL_API_CALL clSetKernelExecInfo(cl_kernel kernel, cl_kernel_exec_info param_name, size_t param_value_size,
                                       const void* param_value) {
  Call call(CallId::clSetKernelExecInfo);
  protocol::opencl::clSetKernelExecInfoRequest request;
  request.kernel = call.handleId(kernel);
  request.param_name = param_name;
  // CL_KERNEL_EXEC_INFO_SVM_PTRS with no value (0, NULL) unsets the pointers.
  if (param_value == nullptr && !(param_name == CL_KERNEL_EXEC_INFO_SVM_PTRS && param_value_size == 0))
    call.fail(CL_INVALID_VALUE);
  if (call.failed()) return call.status();
  if (param_name != CL_KERNEL_EXEC_INFO_SVM_PTRS) {
    request.param_value = Call::bytes(param_value, param_value_size);
    call.request(request);
    return call.sync().status();
  }
  if (param_value_size % sizeof(void*) != 0) return CL_INVALID_VALUE;
  std::vector<std::uint64_t> addresses;
  for (std::size_t at = 0; at < param_value_size; at += sizeof(void*)) {
    void* p;
    std::memcpy(&p, static_cast<const unsigned char*>(param_value) + at, sizeof p);
    if (p == nullptr) {  // a NULL pointer in the list: the implementation judges it
      addresses.push_back(0);
      continue;
    }
    const SvmRef a = SvmRanges::instance().find(p);
    if (a == nullptr || a->context != call.context() || a->connection != call.connection()) return CL_INVALID_VALUE;
    addresses.push_back(a->serverAddress(p));
  }
  // (An empty list goes as an empty value, or as nil when the application gave NULL.)
  request.param_value = Call::bytes(addresses.empty() ? param_value : addresses.data(),
                                    addresses.size() * sizeof(std::uint64_t));
  call.request(request);
  return call.sync().status();
}

// As generated, and the linked program asks for uniform work-groups when one
// of the programs it links, or the link options, did (build_options.h).
cl_program CL_API_CALL clLinkProgram(cl_context context, cl_uint num_devices, const cl_device_id* device_list,
                                     const char* options, cl_uint num_input_programs,
                                     const cl_program* input_programs,
                                     void(CL_CALLBACK* pfn_notify)(cl_program program, void* user_data),
                                     void* user_data, cl_int* errcode_ret) {
  Call call(CallId::clLinkProgram);
  auto* created = call.newObject<_cl_program>();
  protocol::opencl::clLinkProgramRequest request;
  request.created_id = created->id;
  request.context = call.handleId(context);
  request.num_devices = num_devices;
  request.device_list = call.handleIds(device_list, num_devices);
  request.options = call.includeBundle(options);
  request.num_input_programs = num_input_programs;
  request.input_programs = call.handleIds(input_programs, num_input_programs);
  request.pfn_notify = call.callbackId(CallbackKind::program_notify, pfn_notify, user_data);
  call.request(request);
  bool uniform = asksUniformWorkGroups(options);
  for (cl_uint i = 0; input_programs != nullptr && i < num_input_programs; ++i)
    if (cl_program p = checked(input_programs[i]); p != nullptr && p->uniformGroups) uniform = true;
  cl_program linked = call.sync().created(created, errcode_ret);
  if (linked != nullptr) {
    linked->uniformGroups = uniform;
    linked->argInfoHidden = protocol::addsKernelArgInfo(options);
  }
  return linked;
}

}  // namespace rcl::icd::custom
