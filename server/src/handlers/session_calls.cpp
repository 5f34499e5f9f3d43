#include "rcl/server/session/session.h"

#include <optional>

#include <spdlog/spdlog.h>

#include "rcl/protocol/codec.h"
#include "rcl/protocol/device_info.h"
#include "rcl/protocol/extension_calls.h"
#include "rcl/protocol/kernel_launch_info.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/custom_handlers.h"
#include "rcl/server/data/shared_buffers.h"
#include "rcl/server/data/transfers.h"
#include "rcl/server/handlers/device_info_all.h"
#include "rcl/server/handlers/extension_functions.h"
#include "rcl/server/handlers/kernel_launch_info.h"
#include "rcl/server/ops/extension_handler.h"
#include "rcl/server/support/call_error.h"
#include "rcl/protocol/control_messages.h"

// A session's calls: each request to its handler (generated, stand-in or
// cl_rcl_ops), in a CallContext; the ones that run long on a helper thread.
namespace rcl::server {

using protocol::Kind;

void Session::runCall(protocol::Reader& reader, std::uint64_t seq, protocol::CallId call, Handler handler) {
  CallContext ctx(*this, reader, seq, call, /*holdsState=*/true);
  try {
    handler(ctx);
  } catch (const CallError& e) {
    spdlog::debug("session {:016x}: {} failed: {} ({})", id_, protocol::callName(static_cast<std::uint16_t>(call)),
                  e.what(), e.status());
    ctx.fail(e.status(), e.what());
  }
  ctx.finish();
}

void Session::handle(protocol::Frames frames) {
  std::uint64_t seq = 0;
  std::size_t bytesIn = 0;
  for (const auto& f : frames) bytesIn += f.size();
  stats_.bytesIn += bytesIn;
  try {
    protocol::Reader reader(std::move(frames));
    if (reader.integer<Kind>() != Kind::Request) throw protocol::DecodeError("expected a request");
    seq = reader.u64();
    const auto callId = reader.integer<std::uint16_t>();
    if (bytesIn > options_.maxMessageBytes) {
      // A creation sent without waiting: the object never was, and its uses
      // fail with this error (its release succeeds).
      if (seq == 0 && callId < protocol::kCallIdCount && kCreates[callId])
        table().addFailed(reader.u64(), ObjectKind::None, CL_OUT_OF_RESOURCES);
      throw CallError(CL_OUT_OF_RESOURCES, fmt::format("request of {} bytes, over this server's limit", bytesIn));
    }
    if (callId >= protocol::kFirstExtensionCall) return ops::handleExtensionCall(*this, reader, seq, callId);
    if (callId == protocol::wireId(protocol::CallId::SharedCopied)) {  // (no reply)
      const auto copied = protocol::calls::SharedCopied::decodeBody(reader, seq);
      if (sharedBuffers_) sharedBuffers_->copied(copied.token);
      return;
    }
    if (const StandInCall* standIn = standInCall(callId)) return runCall(reader, seq, standIn->standsFor, standIn->run);  // (generated: stand_in_calls.cpp)
    if (callId >= protocol::kCallIdCount || kHandlers[callId] == nullptr)
      throw protocol::DecodeError("call " + std::to_string(callId) + " is not one the server runs");
    if (kRunsLong[callId]) return handleHeld(std::move(reader), seq, static_cast<protocol::CallId>(callId));
    runCall(reader, seq, static_cast<protocol::CallId>(callId), kHandlers[callId]);
  } catch (const protocol::DecodeError& e) {
    ++stats_.failedCalls;
    spdlog::warn("session {:016x}: malformed request: {}", id_, e.what());
    sendError(seq, CL_INVALID_VALUE, std::string("malformed request: ") + e.what());
  } catch (const CallError& e) {
    ++stats_.failedCalls;
    spdlog::warn("session {:016x}: refused a request: {}", id_, e.what());
    sendError(seq, e.status(), e.what());
  } catch (const std::exception& e) {
    ++stats_.failedCalls;
    spdlog::error("session {:016x}: request failed: {}", id_, e.what());
    sendError(seq, CL_OUT_OF_HOST_MEMORY, e.what());
  }
}

void Session::handleHeld(protocol::Reader reader, std::uint64_t seq, protocol::CallId call) {
  struct Held {
    protocol::Reader reader;
    std::optional<CallContext> ctx;
    std::optional<std::string> malformed;  // a decoding error: answered as Kind::Error, like any other
  };
  auto held = std::make_shared<Held>(Held{std::move(reader), std::nullopt, std::nullopt});
  runHeld(
      [this, held, seq, call] {
        // The session's state (its handle table: clLinkProgram adopts the
        // program it makes) is the held call's, as a leader's call's is,
        // but while it is inside the real platform (ctx.outside).
        std::lock_guard state(stateMutex_);
        held->ctx.emplace(*this, held->reader, seq, call, /*holdsState=*/true);
        auto& ctx = *held->ctx;
        try {
          kHandlers[static_cast<std::uint16_t>(call)](ctx);
        } catch (const CallError& e) {
          ctx.fail(e.status(), e.what());
        } catch (const protocol::DecodeError& e) {
          held->malformed = e.what();
        } catch (const std::exception& e) {
          ctx.fail(CL_OUT_OF_HOST_MEMORY, e.what());
        }
      },
      [this, held, seq] {
        if (!held->malformed) return held->ctx->finish();
        ++stats_.failedCalls;
        spdlog::warn("session {:016x}: malformed request: {}", id_, *held->malformed);
        sendError(seq, CL_INVALID_VALUE, "malformed request: " + *held->malformed);
      });
}

}  // namespace rcl::server
