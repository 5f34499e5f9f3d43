// The server side of the extension calls (rcl/protocol/extension_calls.h):
// Session::handle passes every call id at or above kFirstExtensionCall here.
#pragma once

#include <cstdint>

#include "rcl/protocol/codec.h"

namespace rcl::server {
class Session;
}

namespace rcl::server::ops {

// Decodes and runs one extension call, answering it (or, for an async call
// that fails, pushing an AsyncError). Throws protocol::DecodeError for a
// malformed request, as generated handlers do.
void handleExtensionCall(Session& session, protocol::Reader& reader, std::uint64_t seq, std::uint16_t callId);

}  // namespace rcl::server::ops
