#pragma once
// The facts a test wants from a running test server (which worker serves a
// client, that a session ended and why, what it freed, how many handshakes
// were refused), read from its status query (rcl/protocol/status.h, version
// 2) as an operator's `remote-cl status` reads them, never from its log.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "rcl/protocol/curve.h"
#include "rcl/protocol/status.h"

namespace rcl::test {

using protocol::EndedSessionStatus;
using protocol::ServerStatus;
using protocol::SessionStatus;

// Asks the server at `endpoint` its status, waiting up to `timeout`; nullopt
// if no answer came, and then `error` says why. A server with CURVE keys
// answers only the clients it allows: `keys`, or without them the
// REMOTE_CL_CURVE_* settings of this process's environment (none: no CURVE).
std::optional<ServerStatus> askServerStatus(const std::string& endpoint, std::chrono::milliseconds timeout,
                                            std::string* error = nullptr,
                                            const protocol::CurveClientKeys* keys = nullptr);
// The keys of a client: the server's public key file and the client's secret key file (keygen's NAME.pub, NAME.key).
protocol::CurveClientKeys curveKeys(const std::string& serverPublicFile, const std::string& clientSecretFile);

// A status in a few lines, for assertion messages: sessions (with workers),
// the sessions that ended last (why, what they freed), the counters.
std::string describeStatus(const ServerStatus& status);

// The outcome of waitForStatus: the first status that met the condition, or
// none; `last` describes the last status read (or why there was none).
struct StatusWait {
  std::optional<ServerStatus> status;
  std::string last;
  explicit operator bool() const { return status.has_value(); }
  const ServerStatus* operator->() const { return &*status; }
};

// Asks `endpoint` its status every 100 ms until `condition` holds for an
// answer, or `timeout` passed (the machine may be loaded: be generous).
StatusWait waitForStatus(const std::string& endpoint, const std::function<bool(const ServerStatus&)>& condition,
                         std::chrono::milliseconds timeout, const protocol::CurveClientKeys* keys = nullptr);

// The running session of the client process `clientPid` (the driver names
// itself "HOST:PID (PROGRAM)"), or nullptr.
const SessionStatus* sessionOfClient(const ServerStatus& status, pid_t clientPid);
// The last ended session of that client (that ended for `reason`, if given:
// a client that lost its worker may reconnect and end a second session), or nullptr.
const EndedSessionStatus* endedSessionOfClient(const ServerStatus& status, pid_t clientPid,
                                               const std::string& reason = "");
// How many objects of `kind` ("memory object", "context", "command buffer"...) a session freed as it ended.
std::uint64_t freedOf(const EndedSessionStatus& ended, const std::string& kind);

}  // namespace rcl::test
