// The server side of cl_rcl_ops: listing the operations, and running one as a
// command of the client's queue. Message layouts: rcl/protocol/extension_calls.h.
#include "rcl/server/ops/extension_handler.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/extension_calls.h"
#include "rcl/protocol/pushes.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/session/callbacks.h"
#include "rcl/server/calls/object_info.h"
#include "rcl/server/ops/registry.h"
#include "rcl/server/session/outbox.h"
#include "rcl/server/session/session.h"
#include "rcl/server/data/transfers.h"

namespace rcl::server::ops {
namespace {

// The host-out arguments of a call, together, may not ask the server for more than this.
constexpr std::uint64_t kMaxHostOut = std::uint64_t{1} << 32;

const Registry& registryOf(Session& session) {
  const auto& ops = session.options().ops;
  if (!ops) throw CallError(CL_INVALID_OPERATION, "this server offers no operations (--no-ops)");
  return *ops;
}

void listOps(CallContext& ctx, const protocol::calls::ListOps& request) {
  if (ctx.handleOf<cl_platform_id>(request.platform) == nullptr) throw CallError(CL_INVALID_PLATFORM, "no platform");
  const Registry& registry = registryOf(ctx.session());
  ctx.reply(CL_SUCCESS);
  if (ctx.seq() == 0) return;
  protocol::calls::ListOpsReply reply;
  for (const Op& op : registry.all()) {
    protocol::control::OpInfo info{.name = op.name, .description = op.description,
                                   .required_extension = op.requiredExtension, .args = {}};
    for (const ArgSpec& a : op.args)
      info.args.push_back({static_cast<std::uint32_t>(a.kind), static_cast<std::uint32_t>(a.size), a.name});
    reply.ops.push_back(std::move(info));
  }
  reply.encodeBody(ctx.replyWriter());
}

// Everything a running operation needs, kept alive until its event completes.
struct Running {
  const Op* op = nullptr;
  cl_command_queue queue = nullptr;
  std::vector<rcl_plugin_arg> args;
  std::vector<std::string> scalars;
  std::vector<std::shared_ptr<zmq::message_t>> hostIn;
  std::shared_ptr<zmq::message_t> hostOut;  // every host-out argument, back to back
  ArrayArg<cl_event> waits;
  cl_int status = CL_SUCCESS;
  cl_event event = nullptr;
};

void checkBuffer(cl_mem mem, cl_context context, std::size_t index) {
  cl_mem_object_type type = 0;
  cl_context c = nullptr;
  if (clGetMemObjectInfo(mem, CL_MEM_TYPE, sizeof type, &type, nullptr) != CL_SUCCESS ||
      type != CL_MEM_OBJECT_BUFFER)
    throw CallError(CL_INVALID_MEM_OBJECT, "argument " + std::to_string(index) + " is not a buffer");
  clGetMemObjectInfo(mem, CL_MEM_CONTEXT, sizeof c, &c, nullptr);
  if (c != context) throw CallError(CL_INVALID_CONTEXT, "argument " + std::to_string(index) + " is of another context");
}

void requireExtension(cl_command_queue queue, const Op& op) {
  if (op.requiredExtension.empty()) return;
  cl_device_id device = deviceOf(queue);
  if (device == nullptr || !deviceHasExtension(device, op.requiredExtension))
    throw CallError(CL_INVALID_OPERATION, op.name + " needs " + op.requiredExtension + ", which the device lacks");
}

// After the operation was enqueued (on the worker): register its event, push
// its completion (and host-out bytes), answer the call.
void settle(Session& session, std::shared_ptr<Running> run, const CallContext::Deferred& answer,
            std::uint64_t eventId, std::uint16_t callId) {
  const std::uint64_t seq = answer.seq;
  if (run->status == CL_SUCCESS && run->event == nullptr) {
    spdlog::warn("session {:016x}: operation {} gave no event", session.id(), run->op->name);
    run->status = CL_OUT_OF_RESOURCES;
  }
  const cl_int status = run->status;
  ++session.stats().calls;
  if (status == CL_SUCCESS) {
    cl_event event = run->event;
    const bool results = run->hostOut != nullptr;
    if (eventId != 0) session.table().add(eventId, ObjectKind::Event, event);
    session.completions().onComplete(event, [outbox = session.outbox(), run = std::move(run), eventId, results](cl_int done) mutable {
      if (results) {
        Pieces pieces{run->hostOut};  // the bytes in one piece
        outbox->post(readDataPush(eventId, done, pieces));
      } else if (eventId != 0) {
        outbox->post(protocol::push::Event{.event_id = eventId, .status = done}.frames());
      }
      if (eventId == 0) clReleaseEvent(run->event);  // only the server held it
      run.reset();  // the arguments' bytes are no longer needed
    });
  } else {
    ++session.stats().failedCalls;
    spdlog::debug("session {:016x}: operation {} failed: {}", session.id(), run->op->name, status);
    // As CallContext::finish: its event answers this failure from now on.
    if (seq == 0 && eventId != 0) session.table().addFailed(eventId, ObjectKind::Event, status);
  }
  if (seq != 0) {
    answer.send(status);  // the plain status reply, as every deferred call's
  } else if (status != CL_SUCCESS) {
    session.send(protocol::push::AsyncError{.status = status, .call_id = callId, .event_id = eventId}.frames());
  }
}

// Returns true if the call was handed to a held run (it answers itself).
bool enqueueOp(CallContext& ctx, std::uint16_t callId) {
  auto& r = ctx.args();
  auto run = std::make_shared<Running>();
  run->queue = ctx.handle<cl_command_queue>();
  const std::string name = r.str();

  // Decode everything first, so an error names the client's event.
  const std::uint32_t n = r.array();
  if (n > CL_RCL_OP_MAX_ARGS) throw protocol::DecodeError("too many operation arguments");
  std::vector<std::uint64_t> memIds(n, 0);
  run->args.resize(n);
  run->scalars.resize(n);
  std::size_t outBytes = 0;
  std::vector<std::size_t> outOffsets(n, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (r.array() != 2) throw protocol::DecodeError("an operation argument is [kind, value]");
    rcl_plugin_arg& a = run->args[i];
    a.kind = r.integer<cl_rcl_arg_kind>();
    switch (a.kind) {
      case CL_RCL_ARG_SCALAR: {
        const auto bytes = r.bin();
        run->scalars[i].assign(bytes.data(), bytes.size());
        a.size = bytes.size();
        break;
      }
      case CL_RCL_ARG_MEM:
        memIds[i] = r.isNil() ? 0 : r.u64();
        break;
      case CL_RCL_ARG_HOST_IN: {
        auto frame = std::make_shared<zmq::message_t>(ctx.takeBulk());
        a.size = frame->size();
        a.value = frame->data();
        run->hostIn.push_back(std::move(frame));
        break;
      }
      case CL_RCL_ARG_HOST_OUT:
        a.size = r.u64();
        outOffsets[i] = outBytes;
        // (Each under the limit, the sum cannot wrap before it is over it.)
        if (a.size > kMaxHostOut || (outBytes += a.size) > kMaxHostOut)
          throw CallError(CL_INVALID_VALUE, "host-out arguments too large");
        break;
      default:
        throw CallError(CL_INVALID_ARG_VALUE, "argument " + std::to_string(i) + " is of an unknown kind");
    }
  }
  run->waits = ctx.handles<cl_event>();
  const EventOut event = ctx.event();

  // Then check it against the operation's signature.
  if (run->queue == nullptr) throw CallError(CL_INVALID_COMMAND_QUEUE, "no command queue");
  run->op = registryOf(ctx.session()).find(name);
  if (run->op == nullptr) throw CallError(CL_INVALID_VALUE, "unknown operation '" + name + "'");
  if (n != run->op->args.size())
    throw CallError(CL_INVALID_VALUE, "operation " + name + " takes " + std::to_string(run->op->args.size()) +
                                          " arguments, not " + std::to_string(n));
  const cl_context context = contextOf(run->queue);
  for (std::uint32_t i = 0; i < n; ++i) {
    rcl_plugin_arg& a = run->args[i];
    if (a.kind == CL_RCL_ARG_SCALAR) a.value = run->scalars[i].data();
    if (a.kind == CL_RCL_ARG_MEM && memIds[i] != 0) {
      a.mem = ctx.session().table().get<cl_mem>(memIds[i]);
      checkBuffer(a.mem, context, i);
    }
  }
  checkArgs(*run->op, run->args);
  requireExtension(run->queue, *run->op);
  if (outBytes != 0 || std::any_of(run->args.begin(), run->args.end(),
                                   [](const rcl_plugin_arg& a) { return a.kind == CL_RCL_ARG_HOST_OUT; })) {
    if (event.id == 0) throw CallError(CL_INVALID_VALUE, "an operation with host-out arguments needs an event");
    run->hostOut = std::make_shared<zmq::message_t>(outBytes);
    for (std::uint32_t i = 0; i < n; ++i)
      if (run->args[i].kind == CL_RCL_ARG_HOST_OUT) run->args[i].out = static_cast<char*>(run->hostOut->data()) + outOffsets[i];
  }

  // Run it off the worker (CLBlast compiles its kernels on first use), with
  // the session's later calls held back so they stay in order.
  Session& session = ctx.session();
  const CallContext::Deferred answer = ctx.defer();
  const std::uint64_t eventId = event.id;
  session.runHeld(
      [run] {
        try {
          run->status = run->op->run(run->queue, run->args.data(), static_cast<cl_uint>(run->args.size()),
                                     static_cast<cl_uint>(run->waits.size()), run->waits.data(), &run->event);
        } catch (const std::exception& e) {
          spdlog::error("operation {} threw: {}", run->op->name, e.what());
          run->status = CL_OUT_OF_RESOURCES;
        }
      },
      [&session, run, answer, eventId, callId] { settle(session, run, answer, eventId, callId); });
  return true;
}

}  // namespace

void handleExtensionCall(Session& session, protocol::Reader& reader, std::uint64_t seq, std::uint16_t callId) {
  CallContext ctx(session, reader, seq, static_cast<protocol::CallId>(callId));
  bool answered = false;
  try {
    switch (static_cast<protocol::CallId>(callId)) {
      case protocol::CallId::ListOps:
        listOps(ctx, protocol::calls::ListOps::decodeBody(ctx.args(), ctx.seq()));
        break;
      case protocol::CallId::EnqueueOp:
        answered = enqueueOp(ctx, callId);
        break;
      default:
        throw protocol::DecodeError("extension call " + std::to_string(callId) + " is not one the server runs");
    }
  } catch (const CallError& e) {
    spdlog::debug("session {:016x}: extension call {} failed: {} ({})", session.id(), callId, e.what(), e.status());
    ctx.fail(e.status(), e.what());
    answered = false;
  }
  if (answered) {
    // settle() counts it and answers; the context only lets go.
    return;
  }
  ctx.finish();
}

}  // namespace rcl::server::ops
