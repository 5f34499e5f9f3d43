// Same-host bulk data: a POSIX shared memory segment the client creates and
// the session's worker maps, cut into slots. Buffer reads and writes then
// move through the slots; the socket carries only small messages naming them.
//
// Layout: a header page (Header), then `slots` slots of `slotBytes` each.
//
// Setting it up, on the session's control channel after Attach:
//   shm attach [Request, seq, ShmAttach, name, slots, slot_bytes, pid, header_address]
//     ->       [Reply, seq, CL_SUCCESS, cookie, direct]   the cookie read from the header;
//              direct: the worker read the header at header_address in the
//              client's process `pid` too, and takes direct pieces (below)
//     or       [Error, seq, status, message]      (another host, another user, ...)
// The worker unlinks the name as soon as it has mapped the segment; the
// client unlinks it too when the answer (or none) came, so no name outlives
// the handshake.
//
// The slots belong to the client; it lends one per piece of a transfer, on
// the calls channel (seq 0, no reply). Every piece, whatever moves its bytes,
// is laid out as [requests.Piece] in codegen/messages.toml
// (rcl::protocol::calls::Piece: token, where, length, queue, buffer, offset,
// wait list):
//   write piece [Request, 0, ShmWritePiece, token, slot, length, queue, buffer, offset, wait list]
//     the worker writes `length` bytes of `slot` at `offset` of `buffer` and,
//     once the device has them, pushes   [SlotFree, 0, slot]
//   read piece  [Request, 0, ShmReadPiece, token, slot, length, queue, buffer, offset, wait list]
//     the worker reads into `slot` and, when the read is done, pushes
//                                         [SlotData, 0, slot, status]
// With `direct`, a whole transfer may instead be one direct piece naming the
// application's memory (no slot; the worker copies between it and the
// mapped buffer with process_vm_readv/writev, server/direct_copy.h):
//   direct write [Request, 0, DirectWrite, token, address, length, queue, buffer, offset, wait list]
//   direct read  [Request, 0, DirectRead,  token, address, length, queue, buffer, offset, wait list]
//     nothing is pushed for them: the command's event covers the copy.
// The command itself (clEnqueueWriteBuffer, clEnqueueReadBuffer) follows its
// pieces, with `token` as its last argument: its event stands for its pieces
// and its own bytes (the rest, through the socket, at offset + the pieces' bytes).
//
// Shared buffers (with `direct`): a buffer of kMinSharedBufferBytes or more
// may live in memory both processes map. The client creates a memfd of the
// buffer's size and names it where a creation's host memory goes:
//   clCreateBuffer[WithProperties] ..., [fd, bytes]   (an array instead of nil or bytes)
// The worker opens /proc/<client pid>/fd/<fd> (the pid the attach proved),
// maps it, and, if every device of the context shares the host's memory
// (CL_DEVICE_HOST_UNIFIED_MEMORY), creates the buffer with
// CL_MEM_USE_HOST_PTR on it (COPY_HOST_PTR bytes are already in it); the
// reply then ends with `true`. Otherwise the buffer is made as asked (its
// COPY_HOST_PTR bytes read from the memfd), the mapping is dropped and the
// reply ends with `false`. Transfers of a shared buffer are then
//   shared write [Request, 0, SharedWrite, token, address, length, queue, buffer, offset, wait list]
//   shared read  [Request, 0, SharedRead,  token, address, length, queue, buffer, offset, wait list]
// The worker maps the region in the queue's order. If the mapped bytes lie in
// the memfd (as OpenCL promises for USE_HOST_PTR), it pushes
//                                         [CopyNow, 0, token, offset in the memfd]
// the client copies between the application's memory and its own mapping of
// the memfd with memcpy, and answers
//   copied       [Request, 0, SharedCopied, token]
// upon which the worker unmaps the region. Otherwise the worker copies itself,
// as for a direct piece, and pushes [CopyNow, 0, token, nil]: nothing to do.
// A blocking write that nothing must wait for (its in-order queue's last
// command and every event of its wait list are known complete) is copied into
// the memfd by the client at once, before it is sent (the application waits
// anyway; a non-blocking write keeps the copy off its thread):
//   written      [Request, 0, SharedWritten, token, address, length, queue, buffer, offset, wait list]
// The worker maps and unmaps the region in the queue's order all the same
// (for a device that keeps its own copy of host memory: the unmap hands it
// the bytes); if the mapped bytes do not lie in the memfd, it copies from the
// application's memory there, as for a direct piece. No CopyNow.
// Maps of a shared buffer give the application the client's own mapping of
// the region (no copy); the worker holds the real map meanwhile:
//   map   [Request, 0, SharedMap, queue, buffer, flags, offset, size, wait list, event, memfd offset]
//   unmap [Request, 0, SharedUnmap, queue, buffer, memfd offset, wait list, event]
// A map whose region is not at `memfd offset` fails with CL_MAP_FAILURE.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rcl::protocol::shm {

inline constexpr std::uint64_t kMagic = 0x314d4853204c4352;  // "RCL SHM1"
inline constexpr std::size_t kHeaderBytes = 4096;
inline constexpr std::uint32_t kMaxSlots = 256;
inline constexpr std::size_t kMaxSlotBytes = std::size_t{64} << 20;

// The first bytes of the segment, written by the client before it asks.
struct Header {
  std::uint64_t magic;
  std::uint64_t cookie;  // random: the worker's answer proves it mapped this very segment
  std::uint64_t slots;
  std::uint64_t slotBytes;
};

// The piece calls (calls channel: WritePiece, ReadPiece, DirectWrite,
// DirectRead, SharedWrite, SharedRead, SharedWritten, SharedCopied, SharedMap,
// SharedUnmap) and the attach call (control channel: ShmAttach) have their
// ids in codegen/private_calls.toml, like every message (CallId, ControlCall).
//
// A map for writing (CL_MAP_WRITE) of memory the host may not read
// (CL_MEM_HOST_WRITE_ONLY) needs the region's bytes, which the real platform
// refuses to a read: the server copies the region on the device into a
// scratch buffer and reads that (MapReadBuffer, MapReadImage). Shaped as
// clEnqueueReadBuffer (without shared memory pieces) and clEnqueueReadImage;
// any transport.

// Smaller buffers are not worth a memfd of their own.
inline constexpr std::size_t kMinSharedBufferBytes = std::size_t{64} << 10;

// The whole segment's size, or 0 for a layout no side accepts.
inline constexpr std::size_t segmentBytes(std::uint64_t slots, std::uint64_t slotBytes) {
  if (slots == 0 || slots > kMaxSlots || slotBytes == 0 || slotBytes > kMaxSlotBytes || slotBytes % 4096 != 0)
    return 0;
  return kHeaderBytes + static_cast<std::size_t>(slots * slotBytes);
}

}  // namespace rcl::protocol::shm
