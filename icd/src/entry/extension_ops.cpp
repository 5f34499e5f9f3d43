// cl_rcl_ops on the client: every operation, GEMM included, is sent as one
// EnqueueOp call, checked first against the server's list of operations (asked
// once per server); host-out results come back like a read's bytes.
#include "rcl/icd/entry/extension_ops.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <CL/cl_remote.h>
#include <spdlog/spdlog.h>

#include "rcl/icd/support/log.h"

#include "rcl/icd/transport/call.h"
#include "rcl/icd/entry/queue_device.h"
#include "rcl/icd/objects/objects.h"
#include "rcl/icd/data/transfers.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/extension_calls.h"

namespace rcl::icd::ops {
namespace {



// The operations of one server, as it listed them; `status` is the answer
// (CL_INVALID_OPERATION: the server offers none).
struct OpList {
  cl_int status = CL_SUCCESS;
  std::vector<cl_rcl_op_info> ops;
  const cl_rcl_op_info* find(const char* name) const {
    for (const auto& op : ops)
      if (std::strncmp(op.name, name, sizeof op.name) == 0) return &op;
    return nullptr;
  }
};

void copyString(char* dst, std::size_t size, const std::string& s) {
  const std::size_t n = std::min(s.size(), size - 1);
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
}

std::shared_ptr<const OpList> fetch(cl_platform_id platform) {
  auto list = std::make_shared<OpList>();
  Call call(CallId::ListOps);
  call.request(protocol::calls::ListOps{.platform = call.handleId(platform)});
  Reply reply = call.sync();
  list->status = reply.status();
  if (list->status != CL_SUCCESS) return list;
  protocol::Reader* r = reply.reader();
  if (r == nullptr) {
    list->status = CL_OUT_OF_RESOURCES;
    return list;
  }
  try {
    static_assert(protocol::control::OpInfo::kArgsMax == CL_RCL_OP_MAX_ARGS);
    for (const auto& op : protocol::calls::ListOpsReply::decodeBody(*r, 0).ops) {
      cl_rcl_op_info info{};
      copyString(info.name, sizeof info.name, op.name);
      copyString(info.description, sizeof info.description, op.description);
      copyString(info.required_extension, sizeof info.required_extension, op.required_extension);
      info.num_args = static_cast<cl_uint>(op.args.size());
      for (std::size_t a = 0; a < op.args.size(); ++a) {
        info.args[a].kind = op.args[a].kind;
        info.args[a].size = op.args[a].size;
        copyString(info.args[a].name, sizeof info.args[a].name, op.args[a].name);
      }
      list->ops.push_back(info);
    }
  } catch (const protocol::DecodeError& e) {
    log().warn("remote-cl: malformed list of operations: {}", e.what());
    list->status = CL_OUT_OF_RESOURCES;
  }
  return list;
}

// The list of the server behind `platform`, asked once per server.
std::shared_ptr<const OpList> opsOf(cl_platform_id platform) {
  static std::mutex mutex;
  static std::map<Connection*, std::shared_ptr<const OpList>> cache;
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(platform->connection); it != cache.end()) return it->second;
  }
  auto list = fetch(platform);
  if (list->status != CL_SUCCESS && list->status != CL_INVALID_OPERATION) return list;  // not kept: try again later
  std::lock_guard lock(mutex);
  return cache.emplace(platform->connection, std::move(list)).first->second;
}

cl_platform_id platformOf(Connection* connection) {
  return connection->platforms().empty() ? nullptr : connection->platforms().front();
}

// The server's CL_DEVICE_EXTENSIONS of a device, space-delimited at both ends:
// asked through the generated clGetDeviceInfo stub (its request, its cache).
std::string deviceExtensions(cl_device_id device) {
  size_t n = 0;
  if (kDispatchTable.clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, 0, nullptr, &n) != CL_SUCCESS) return {};
  std::vector<char> bytes(n + 1, '\0');
  if (kDispatchTable.clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, n, bytes.data(), nullptr) != CL_SUCCESS) return {};
  return " " + std::string(bytes.data()) + " ";
}

bool hasExtension(cl_device_id device, const char* extension) {
  return deviceExtensions(device).find(" " + std::string(extension) + " ") != std::string::npos;
}

// What the server would refuse, refused here so the call returns the error.
cl_int checkArgs(const cl_rcl_op_info& op, cl_uint numArgs, const cl_rcl_arg* args) {
  if (numArgs != op.num_args) return CL_INVALID_VALUE;
  for (cl_uint i = 0; i < numArgs; ++i) {
    const cl_rcl_arg& a = args[i];
    const cl_rcl_arg_info& spec = op.args[i];
    if (a.kind != spec.kind) return CL_INVALID_ARG_VALUE;
    switch (a.kind) {
      case CL_RCL_ARG_MEM:
        if (checked(a.mem) == nullptr) return CL_INVALID_MEM_OBJECT;
        break;
      case CL_RCL_ARG_SCALAR:
      case CL_RCL_ARG_HOST_IN:
        if (spec.size != 0 && a.size != spec.size) return CL_INVALID_ARG_SIZE;
        if (a.size != 0 && a.value == nullptr) return CL_INVALID_VALUE;
        break;
      case CL_RCL_ARG_HOST_OUT:
        if (spec.size != 0 && a.size != spec.size) return CL_INVALID_ARG_SIZE;
        if (a.size != 0 && a.out == nullptr) return CL_INVALID_VALUE;
        break;
      default:
        return CL_INVALID_ARG_VALUE;
    }
  }
  return CL_SUCCESS;
}

cl_int CL_API_CALL enqueueGenericOp(cl_command_queue queue, const char* name, cl_uint numArgs, const cl_rcl_arg* args,
                                    cl_uint numEvents, const cl_event* waitList, cl_event* event) {
  cl_command_queue q = checked(queue);
  if (q == nullptr) return CL_INVALID_COMMAND_QUEUE;
  if (name == nullptr || (numArgs != 0 && args == nullptr)) return CL_INVALID_VALUE;
  cl_platform_id platform = platformOf(q->connection);
  if (platform == nullptr) return CL_INVALID_OPERATION;
  const auto list = opsOf(platform);
  if (list->status != CL_SUCCESS) return list->status;
  const cl_rcl_op_info* op = list->find(name);
  if (op == nullptr) return CL_INVALID_VALUE;
  if (cl_int s = checkArgs(*op, numArgs, args); s != CL_SUCCESS) return s;
  if (op->required_extension[0] != '\0') {
    cl_device_id device = checked(deviceOf(q));
    if (device == nullptr || !hasExtension(device, op->required_extension)) return CL_INVALID_OPERATION;
  }

  static const char kNothing = 0;  // a non-null pointer for empty values
  Call call(CallId::EnqueueOp);
  call.handle(q);
  call.string(name);
  call.writer().array(numArgs);
  std::vector<std::pair<void*, std::size_t>> outs;
  for (cl_uint i = 0; i < numArgs && !call.failed(); ++i) {
    const cl_rcl_arg& a = args[i];
    call.writer().array(2);
    call.writer().u64(a.kind);
    switch (a.kind) {
      case CL_RCL_ARG_SCALAR:
        call.value(a.size != 0 ? a.value : &kNothing, a.size);
        break;
      case CL_RCL_ARG_MEM:
        call.handle(a.mem);
        break;
      case CL_RCL_ARG_HOST_IN:
        call.bulkCopy(a.size != 0 ? a.value : &kNothing, a.size);
        break;
      case CL_RCL_ARG_HOST_OUT:
        call.writer().u64(a.size);
        outs.emplace_back(a.out, a.size);
        break;
    }
  }
  call.waitList(waitList, numEvents);
  if (outs.empty()) {
    call.event(event);
    return call.post();
  }
  // The results arrive as one stream of bytes (maybe in pieces), every
  // host-out argument in turn: each piece goes where it overlaps them.
  Unpack unpack = [outs = std::move(outs)](const void* bytes, std::size_t size, std::size_t offset) {
    const auto* p = static_cast<const unsigned char*>(bytes);
    std::size_t at = 0;
    for (const auto& [dst, n] : outs) {
      const std::size_t from = std::max(at, offset), to = std::min(at + n, offset + size);
      if (from < to) std::memcpy(static_cast<unsigned char*>(dst) + (from - at), p + (from - offset), to - from);
      at += n;
    }
  };
  return enqueueRead(call, CL_FALSE, std::move(unpack), event);
}

template <cl_rcl_arg_kind Kind>
cl_rcl_arg makeArg(const void* value, std::size_t size) {
  if constexpr (Kind == CL_RCL_ARG_MEM) return cl_rcl_arg{Kind, 0, nullptr, nullptr, *static_cast<const cl_mem*>(value)};
  else return cl_rcl_arg{Kind, size, value, nullptr, nullptr};
}

// clEnqueue?gemmRCL: the arguments of RCL_GEMM_ARGS, as the generic operation `op`.
template <class T>
cl_int gemm(const char* op, CL_RCL_GEMM_PARAMS(T)) {
#define RCL_VALUE(name, kind, type) const type name##_value = static_cast<type>(name);
  RCL_GEMM_ARGS(RCL_VALUE, T)
#undef RCL_VALUE
#define RCL_ARG(name, kind, type) makeArg<kind>(&name##_value, sizeof(type)),
  const cl_rcl_arg args[] = {RCL_GEMM_ARGS(RCL_ARG, T)};
#undef RCL_ARG
  return enqueueGenericOp(queue, op, static_cast<cl_uint>(std::size(args)), args, num_events_in_wait_list,
                          event_wait_list, event);
}

#define RCL_GEMM_FORWARD                                                                                       \
  queue, layout, a_transpose, b_transpose, m, n, k, alpha, a, a_offset, a_ld, b, b_offset, b_ld, beta, c, c_offset, \
      c_ld, num_events_in_wait_list, event_wait_list, event

cl_int CL_API_CALL enqueueSgemm(CL_RCL_GEMM_PARAMS(cl_float)) { return gemm<cl_float>("sgemm", RCL_GEMM_FORWARD); }
cl_int CL_API_CALL enqueueDgemm(CL_RCL_GEMM_PARAMS(cl_double)) { return gemm<cl_double>("dgemm", RCL_GEMM_FORWARD); }
cl_int CL_API_CALL enqueueHgemm(CL_RCL_GEMM_PARAMS(cl_half)) { return gemm<cl_half>("hgemm", RCL_GEMM_FORWARD); }

cl_int CL_API_CALL getOps(cl_platform_id platform, size_t size, void* value, size_t* sizeRet) {
  cl_platform_id p = checked(platform);
  if (p == nullptr) return CL_INVALID_PLATFORM;
  const auto list = opsOf(p);
  if (list->status != CL_SUCCESS) return list->status;
  const std::size_t bytes = list->ops.size() * sizeof(cl_rcl_op_info);
  if (value != nullptr) {
    if (size < bytes) return CL_INVALID_VALUE;
    if (bytes != 0) std::memcpy(value, list->ops.data(), bytes);
  }
  if (sizeRet != nullptr) *sizeRet = bytes;
  return CL_SUCCESS;
}

}  // namespace

void* function(const char* name) {
  static const std::pair<const char*, void*> kFunctions[] = {
      {"clEnqueueSgemmRCL", reinterpret_cast<void*>(&enqueueSgemm)},
      {"clEnqueueDgemmRCL", reinterpret_cast<void*>(&enqueueDgemm)},
      {"clEnqueueHgemmRCL", reinterpret_cast<void*>(&enqueueHgemm)},
      {"clEnqueueGenericOpRCL", reinterpret_cast<void*>(&enqueueGenericOp)},
      {"clGetOpsRCL", reinterpret_cast<void*>(&getOps)},
  };
  for (const auto& [n, f] : kFunctions)
    if (std::strcmp(n, name) == 0) return f;
  return nullptr;
}

bool platformOffersOps(cl_platform_id platform) {
  cl_platform_id p = checked(platform);
  if (p == nullptr || p->devices.empty()) return false;
  return hasExtension(p->devices.front(), CL_RCL_OPS_EXTENSION_NAME);
}

}  // namespace rcl::icd::ops
