#pragma once
// What an integration test may ask the harness about the run it is part of.
//
// RCL_TEST_MODE=native (or unset): tests talk to the native platform through the ICD loader.
// RCL_TEST_MODE=remote: before the first test a remote-cl-server ($RCL_SERVER_BIN) was started,
// OCL_ICD_VENDORS=$RCL_VENDORS_DIR and REMOTE_CL_SERVERS=<its endpoint> were set in this process.

#include <sys/types.h>

#include <string>
#include <vector>

namespace rcl::test {

bool isRemote();

// The main server's endpoint ("tcp://127.0.0.1:PORT"); empty in native mode.
const std::string& serverEndpoint();
// The main server's pid; -1 in native mode. Do not kill it: TearDown reports a dead server as a
// failure. Use spawnServer() for a server a test may kill.
pid_t serverPid();
// The main server's stderr log; empty in native mode.
std::string serverLogPath();
std::string readServerLog();

// Starts another server from $RCL_SERVER_BIN with "--listen tcp://127.0.0.1:*" plus extraArgs and
// waits until it is ready. Throws std::runtime_error on failure (gtest reports it as a failure).
// The harness owns it: it may be killed by the test (kill(pid, SIGKILL)) and is reaped by
// stopServer() or, at the latest, at the end of the run. Call from the main (test) thread: the
// server gets SIGTERM when the spawning thread exits.
pid_t spawnServer(const std::vector<std::string>& extraArgs = {}, std::string* endpoint = nullptr);
// SIGTERM, up to 5 s grace, SIGKILL; reaps. Returns how it ended ("killed by signal 15 ...").
std::string stopServer(pid_t pid);

}  // namespace rcl::test
