// Bulk data over a TCP connection of its own, next to a session's ZeroMQ
// sockets, when the client reaches the session over tcp:// (with CURVE, the
// lanes are encrypted: bulk_crypt.h). The bytes then go
// from the application's memory straight into the socket, and out of it
// straight into the mapped device buffer (a write) or into the application's
// memory (a read): no message to allocate, no copy on either side.
//
// Setting it up, on the session's control channel after Attach:
//   bulk attach [Request, seq, BulkAttach, lanes, sealed] lanes: optional, 1 if absent;
//                                                        sealed: optional bool, the client can
//                                                        encrypt its lanes (bulk_crypt.h)
//     ->        [Reply, seq, CL_SUCCESS, port, token, lanes(, keyToServer, keyToClient)]
//                  token: kTokenBytes (bin); lanes: as asked, at most kMaxLanes;
//                  the two keys (kKeyBytes bin each) when the session runs over CURVE
//     or        [Error, seq, status, message]           (CURVE without `sealed`, not tcp, ...)
// The worker listens on the session's address at `port` for a few seconds;
// the client opens `lanes` connections there and sends the token on each; the
// worker answers one byte (kAccepted) on each and takes no other connection.
//
// Lanes: a big transfer is cut in pieces (piecesOf), one a lane, that
// travel side by side. One TCP stream between two processes leaves both of
// them waiting on each other part of the time; several keep the copies going
// (on the loopback of a 2-core machine, 2 lanes move 16 MiB in about 15 %
// less time than one, with half the spread). Every piece says which part of
// which transfer it is, so the receiver puts it in place whatever lane it took.
//
// Transfers (calls channel, seq 0, no reply; the layout of shm.h's pieces,
// the token also naming the bytes on the socket):
//   bulk write [Request, 0, BulkWrite, token, token, length, queue, buffer, offset, wait list]
//     the client sends each piece, Header{token, length, offset, its length}
//     and its bytes, on its lane (encrypted: cut in records of at most
//     kRecordBytes, each with a Header of its own, bulk_crypt.h)
//   bulk read  [Request, 0, BulkRead,  token, token, length, queue, buffer, offset, wait list]
//     the worker does the same once the region is mapped
// followed, as with shared memory pieces, by the command itself carrying the
// token: its event covers the piece.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rcl/protocol/unique_fd.h"

namespace rcl::protocol::bulk {

// (The calls BulkWrite and BulkRead: codegen/private_calls.toml.)
inline constexpr std::size_t kTokenBytes = 16;
inline constexpr unsigned char kAccepted = 1;
inline constexpr unsigned kMaxLanes = 8;
// A transfer is cut in pieces of at least this many bytes (smaller ones are
// not worth waking another lane's thread for).
inline constexpr std::size_t kMinPieceBytes = std::size_t{1} << 20;

// Before each piece's bytes on a lane (host byte order: both ends are the
// same build on machines of one byte order, which Hello's version checks).
struct Header {
  std::uint64_t id;      // the transfer (the piece's token)
  std::uint64_t total;   // the whole transfer's length
  std::uint64_t offset;  // where this piece starts in it
  std::uint64_t length;  // this piece's length (> 0)
};
// The header's numbers hold together: a piece inside its transfer, of at
// most `maxTotal` bytes.
bool plausible(const Header& header, std::uint64_t maxTotal);

struct Piece {
  std::size_t offset;
  std::size_t length;
};
// How a transfer of `total` bytes (> 0) is cut over `lanes` lanes: in order,
// piece i on lane i, as even as 4 KiB pages allow, none under `leastBytes`
// (kMinPieceBytes; encrypted lanes: a record, bulk_crypt.h) unless the whole is.
std::vector<Piece> piecesOf(std::size_t total, unsigned lanes, std::size_t leastBytes = kMinPieceBytes);

// Sends or receives exactly `size` bytes (EINTR resumed; no SIGPIPE). false:
// the connection failed or was shut down.
// `more`: more bytes follow at once (a header: it leaves with the first of them).
bool sendAll(int fd, const void* data, std::size_t size, bool more = false);
bool recvAll(int fd, void* data, std::size_t size);

// A TCP socket listening on `host` (an address, as in a tcp:// endpoint) at
// `port` (0 on input: one the system picks; the port on output); invalid on
// failure, with the reason in `error`.
// (Connections it accepts want tuneForBulk.)
UniqueFd listenOn(const std::string& host, std::uint16_t& port, std::string& error);
// A connection to host:port within `timeoutMs`; invalid on failure.
UniqueFd connectTo(const std::string& host, std::uint16_t port, int timeoutMs, std::string& error);
// No Nagle delay on a connection (both ends).
void tuneForBulk(int fd);
// Sets how long a receive (a send) on `fd` may wait without progress (0: forever).
void setReceiveTimeout(int fd, int timeoutMs);
void setSendTimeout(int fd, int timeoutMs);
// The host part of a tcp:// endpoint ("tcp://10.0.0.1:5555" -> "10.0.0.1"); empty for other transports.
std::string tcpHost(const std::string& endpoint);

}  // namespace rcl::protocol::bulk
