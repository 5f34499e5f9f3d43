// libFuzzer target: the server's decoding and handlers of client requests,
// on a real OpenCL platform (PoCL in CI).
//
// Each input is a short client session: a list of messages, each a list of
// frames (the msgpack frame first, then bulk frames), framed as
//
//   input   := message*
//   message := u8 frame_count (1..8, taken modulo 8, plus one) frame{frame_count}
//   frame   := u16 length (little endian) byte{length}
//
// (a truncated tail is dropped). Every input gets a fresh Session, bound to
// an inproc:// endpoint nobody connects to, whose handle table holds the real
// platform and device ids exactly as a client's session would; its messages
// are decoded and dispatched the way Session::handle does it (the same
// Reader, the generated kHandlers table, CallContext, the extension calls),
// on this thread; so are remote-cl's own calls run as an OpenCL call
// (standInCall: DeviceInfoAll, KernelLaunchInfo, MapRead*, and the shared-
// memory, bulk and direct pieces, which find no segment or lanes and must
// refuse). SharedCopied (Session::handle's, private) is not reached: it needs
// shared buffers, which only an attached session has. The session is never attached and every request's reply
// slot is cleared, so nothing is sent anywhere. At the end the session is
// destroyed, which frees every object the input created (LeakSanitizer then
// checks that nothing of ours is left).
//
// Caps (here, not in the server): calls that can block this thread forever
// (clWaitForEvents on a user event nobody completes) are skipped, so are user
// events set to an error (PoCL 3.1 may abort failing their dependents), and calls
// that would allocate or compute for long on a garbage size (a 1 TB
// clCreateBuffer, a 2^40 work-item NDRange) are skipped when a size-like
// value exceeds kMaxSize. The seed corpus (fuzz/corpus/) is recorded from
// real clients: see fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "rcl/protocol/call_ids.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/extension_calls.h"
#include "rcl/protocol/message.h"
#include "rcl/server/calls/call_context.h"
#include "rcl/server/custom_handlers.h"
#include "rcl/server/ops/extension_handler.h"
#include "rcl/server/service/platforms.h"
#include "rcl/server/session/session.h"

namespace {

using rcl::protocol::Frames;

constexpr std::size_t kMaxMessages = 64;
constexpr std::uint64_t kMaxSize = std::uint64_t{1} << 22;  // bytes, work-items, pixels

struct Globals {
  zmq::context_t zmq;
  std::vector<rcl::server::ExposedPlatform> platforms;
  std::uint64_t sessions = 0;
};

Globals* globals = nullptr;

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Calls whose integers and small size arrays are sizes or counts of work.
bool isSized(std::string_view name) {
  return startsWith(name, "clCreateBuffer") || startsWith(name, "clCreateSubBuffer") ||
         startsWith(name, "clCreateImage") || startsWith(name, "clCreateFromGL") || startsWith(name, "clCreatePipe") ||
         startsWith(name, "clEnqueue") || startsWith(name, "clSVM") || startsWith(name, "clSetKernelArg") ||
         startsWith(name, "clCreateCommandQueue");
}

bool sizeOk(std::uint64_t v) { return v <= kMaxSize || v >= rcl::protocol::kServerIdBit; }

// Size arrays (origins, regions, work sizes: 1 to 3 size_t) and image
// descriptors (width, height, depth, array size, pitches).
bool binOk(std::string_view name, const msgpack::object_bin& bin) {
  std::uint64_t words[9];
  if (bin.size == sizeof(cl_image_desc) && startsWith(name, "clCreateImage")) {
    std::memcpy(words, bin.ptr, sizeof words);
    std::uint64_t product = 1;
    for (int i = 1; i <= 6; ++i) {
      if (words[i] > kMaxSize) return false;
      if (i <= 4 && words[i] != 0) product *= words[i];
      if (product > kMaxSize) return false;
    }
    return true;
  }
  if (startsWith(name, "clCreateImage")) return true;  // an image format: two enums
  if (bin.size == 0 || bin.size % 8 != 0 || bin.size > 24) return true;
  std::memcpy(words, bin.ptr, bin.size);
  std::uint64_t product = 1;
  for (std::size_t i = 0; i < bin.size / 8; ++i) {
    if (!sizeOk(words[i])) return false;
    if (words[i] != 0) product *= words[i];
    if (product > kMaxSize) return false;
  }
  return true;
}

bool valuesOk(std::string_view name, const msgpack::object& o, int depth) {
  switch (o.type) {
    case msgpack::type::POSITIVE_INTEGER: return sizeOk(o.via.u64);
    case msgpack::type::BIN: return binOk(name, o.via.bin);
    case msgpack::type::ARRAY:
      if (depth > 4) return true;
      for (std::uint32_t i = 0; i < o.via.array.size; ++i)
        if (!valuesOk(name, o.via.array.ptr[i], depth + 1)) return false;
      return true;
    default: return true;
  }
}

// Whether the harness lets this request run (see the caps above). Malformed
// requests run: rejecting them is the server's job (protocol::Reader refuses
// a header claiming more elements than the frame has bytes; the harness
// parses with the same limits to read the call id).
bool allowed(const zmq::message_t& head) {
  msgpack::object_handle h;
  const std::size_t n = head.size();
  try {
    h = msgpack::unpack(static_cast<const char*>(head.data()), n, nullptr, nullptr,
                        msgpack::unpack_limit(n, n, n, n, n, 64));
  } catch (const msgpack::size_overflow&) {
    return false;
  } catch (const msgpack::depth_size_overflow&) {
    return false;
  } catch (...) {
    return true;
  }
  const auto& top = h.get();
  if (top.type != msgpack::type::ARRAY || top.via.array.size < 3) return true;
  const auto& callObj = top.via.array.ptr[2];
  if (callObj.type != msgpack::type::POSITIVE_INTEGER || callObj.via.u64 > 0xFFFF) return true;
  auto call = static_cast<std::uint16_t>(callObj.via.u64);
  // A stand-in call has the caps of the call it runs as (BulkRead: clEnqueueReadBuffer's).
  if (const auto* standIn = rcl::server::standInCall(call)) call = rcl::protocol::wireId(standIn->standsFor);
  if (call >= rcl::protocol::kCallIdCount) return true;
  if (call == static_cast<std::uint16_t>(rcl::protocol::CallId::clWaitForEvents)) return false;
  // A user event set to an error: PoCL 3.1 may abort in pocl_update_event_failed
  // ("PTHREAD ERROR ... Invalid argument") failing the commands that wait on it,
  // in its own threads. A client can do that to its own session only (its
  // worker process dies, the server goes on); here it would end the fuzzer.
  if (call == static_cast<std::uint16_t>(rcl::protocol::CallId::clSetUserEventStatus)) {
    for (std::uint32_t i = 3; i < top.via.array.size; ++i)
      if (top.via.array.ptr[i].type == msgpack::type::NEGATIVE_INTEGER) return false;
  }
  const std::string_view name = rcl::protocol::callName(call);
  if (!isSized(name)) return true;
  for (std::uint32_t i = 3; i < top.via.array.size; ++i)
    if (!valuesOk(name, top.via.array.ptr[i], 0)) return false;
  return true;
}

// What Session::handle does with one request (Session::handle is private),
// minus the error message it would send back.
void dispatch(rcl::server::Session& session, Frames frames) {
  using namespace rcl;
  try {
    protocol::Reader reader(std::move(frames));
    if (reader.integer<protocol::Kind>() != protocol::Kind::Request) throw protocol::DecodeError("expected a request");
    // No reply slot: answers would go to the (never attached) control channel.
    const std::uint64_t seq = reader.u64() & ((std::uint64_t{1} << protocol::kReplyIndexShift) - 1);
    const auto callId = reader.integer<std::uint16_t>();
    if (callId >= protocol::kFirstExtensionCall) return server::ops::handleExtensionCall(session, reader, seq, callId);
    // remote-cl's own calls run as an OpenCL call (generated stand_in_calls.cpp): the
    // harness's session has no shared-memory segment, no bulk lanes and no direct
    // copies (never attached), so the ones that need them must refuse cleanly.
    if (const server::StandInCall* standIn = server::standInCall(callId)) {
      server::CallContext ctx(session, reader, seq, standIn->standsFor);  // (not under the state mutex, as below)
      try {
        standIn->run(ctx);
      } catch (const server::CallError& e) {
        ctx.fail(e.status(), e.what());
      }
      ctx.finish();
      return;
    }
    if (callId >= protocol::kCallIdCount || server::kHandlers[callId] == nullptr)
      throw protocol::DecodeError("not a call the server runs");
    server::CallContext ctx(session, reader, seq, static_cast<protocol::CallId>(callId));
    try {
      server::kHandlers[callId](ctx);
    } catch (const server::CallError& e) {
      ctx.fail(e.status(), e.what());
    }
    ctx.finish();
  } catch (const protocol::DecodeError&) {
  } catch (const std::exception&) {
    // Session::handle answers CL_OUT_OF_HOST_MEMORY (std::bad_alloc, zmq::error_t).
  }
}

std::vector<Frames> parse(const std::uint8_t* data, std::size_t size) {
  std::vector<Frames> messages;
  std::size_t at = 0;
  while (at < size && messages.size() < kMaxMessages) {
    const std::size_t count = data[at++] % 8 + 1;
    Frames frames;
    for (std::size_t i = 0; i < count; ++i) {
      if (size - at < 2) return messages;
      const std::size_t n = data[at] | (std::size_t{data[at + 1]} << 8);
      at += 2;
      if (size - at < n) return messages;
      frames.emplace_back(data + at, n);
      at += n;
    }
    messages.push_back(std::move(frames));
  }
  return messages;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(std::getenv("RCL_FUZZ_LOG") != nullptr ? spdlog::level::debug : spdlog::level::off);
  globals = new Globals;  // lives until exit (sessions' threads use the context)
  const char* selector = std::getenv("RCL_FUZZ_PLATFORM");
  globals->platforms = rcl::server::findPlatforms(selector != nullptr ? selector : "0");
  if (globals->platforms.empty() || globals->platforms.front().devices.empty()) {
    std::fprintf(stderr, "fuzz: no OpenCL platform with devices\n");
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto messages = parse(data, size);
  if (messages.empty()) return -1;
  rcl::server::SessionOptions options;
  options.heartbeat = std::chrono::milliseconds(1000);
  options.clientTimeout = std::chrono::hours(24);
  options.ops = nullptr;  // --no-ops: the operations' kernels would compile for seconds
  const std::uint64_t id = ++globals->sessions;
  rcl::server::Session session(globals->zmq, "inproc://rcl-fuzz-" + std::to_string(id), id, "fuzz",
                               globals->platforms, options);
  for (auto& frames : messages) {
    if (!allowed(frames.front())) continue;
    dispatch(session, std::move(frames));
  }
  return 0;  // ~Session frees every object the input created
}
