// The client's configuration: environment variables first, then the first
// config file found of $REMOTE_CL_CONFIG, ~/.config/remote-cl/client.conf
// and /etc/remote-cl/client.conf. The file holds `key = value` lines:
//   servers = tcp://gpu-host:5555, tcp://other:5555   (REMOTE_CL_SERVERS; an entry
//             dns+srv://_remote-cl._tcp.NAME          stands for the targets of that SRV record:
//                                                      srv_discovery.h)
//   dns_servers = 127.0.0.1:5353                      (REMOTE_CL_DNS_SERVERS: IP[:PORT],... the name
//                                                      servers for dns+srv://; default resolv.conf)
//   placement = least-loaded                          (REMOTE_CL_PLACEMENT: least-loaded or listed:
//                                                      placement.h)
//   log_level = warn                                  (REMOTE_CL_LOG: trace..off)
//   connect_timeout_ms = 2000                         (REMOTE_CL_CONNECT_TIMEOUT_MS)
//   dead_after_ms = 3000                              (REMOTE_CL_DEAD_AFTER_MS)
//   sync = 0                                          (REMOTE_CL_SYNC: 1 makes every call wait)
//   trace = FILE                                      (REMOTE_CL_TRACE: see trace.h)
//   shm = 1                                           (REMOTE_CL_SHM: 0 keeps bulk data on the socket
//                                                      even when the server is on this host)
//   shm_mb = 64                                       (REMOTE_CL_SHM_MB: the shared memory's size)
//   slot_patience_ms = 100                            (REMOTE_CL_SLOT_PATIENCE_MS: how long a transfer
//                                                      waits for a free slot before the socket)
//   direct_copy = 1                                   (REMOTE_CL_DIRECT_COPY: 0 keeps same-host
//                                                      transfers in the shared memory's slots)
//   shared_buffers = 1                                (REMOTE_CL_SHARED_BUFFERS: 0 keeps buffers of
//                                                      64 KiB and more out of memory shared with a
//                                                      same-host server; they then take direct copies)
//   bulk_socket = 1                                   (REMOTE_CL_BULK_SOCKET: 0 keeps bulk data in
//                                                      ZeroMQ frames over tcp:// without CURVE)
//   bulk_lanes = 2                                    (REMOTE_CL_BULK_LANES: the bulk socket's TCP
//                                                      connections, 1..8; big transfers are cut
//                                                      in a piece a connection)
//   curve_server_key = Z85                            (REMOTE_CL_CURVE_SERVER_KEY; more in protocol/curve.h)
//   curve_secret_key_file = FILE                      (REMOTE_CL_CURVE_SECRET_KEY_FILE)
#pragma once

#include <string>
#include <vector>

#include "rcl/icd/transport/connection.h"
#include "rcl/icd/transport/placement.h"

namespace rcl::icd {

struct ClientConfig {
  std::vector<std::string> servers;  // endpoints and dns+srv:// entries, as configured
  std::string dnsServers;            // IP[:PORT],...; empty: the system's resolv.conf
  Placement placement = Placement::LeastLoaded;
  std::string placementError;        // an unknown REMOTE_CL_PLACEMENT (the default is used)
  std::string logLevel = "warn";
  ConnectionOptions connection;
  std::string traceFile;  // empty: no tracing
  std::string sourceHint;  // where the configuration was looked for
  std::string curveError;  // the CURVE settings are incomplete or unreadable: use no server
};

ClientConfig loadClientConfig();

}  // namespace rcl::icd
