// Buffer reads and writes through shared memory (protocol/shm.h), client
// side: the first bytes of a transfer go as pieces, one slot each, sent
// ahead of the command itself; the command then carries the pieces' token
// and only the bytes no slot came for in time (through the socket).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <CL/cl.h>

#include "rcl/icd/transport/call.h"
#include "rcl/icd/transport/connection.h"

namespace rcl::icd {

// What the pieces of one transfer covered: its first `bytes`, under `token`
// (0: no pieces, everything goes through the socket). `direct`: one direct
// piece covers it all, which the server copies while the command runs (so
// the application's memory is in use until the command's event completes,
// and a read's bytes are in place when it does).
struct StagedPieces {
  std::size_t bytes = 0;
  std::uint64_t token = 0;
  bool direct = false;
};

// Whether a transfer of `size` bytes on `connection` goes through shared memory.
bool usesSharedMemory(const Connection* connection, std::size_t size);

// The pieces of a buffer write (read) of `size` bytes from (into) `ptr` that
// `call` (encoded up to its size, not failed) is about to carry: sent ahead
// if the transfer goes through shared memory and its wait list is one the
// command accepts; nothing staged otherwise. A read through slots makes
// `join`, which the read's event then waits on too. A `blocking` write to a
// shared buffer that nothing must wait for is copied at once (the caller
// waits anyway; a non-blocking one leaves the copy to the receiver thread).
StagedPieces stageWrite(Call& call, cl_command_queue queue, cl_mem buffer, std::size_t offset, std::size_t size,
                        const void* ptr, const cl_event* waits, cl_uint n, bool blocking);
StagedPieces stageRead(Call& call, cl_command_queue queue, cl_mem buffer, std::size_t offset, std::size_t size,
                       void* ptr, const cl_event* waits, cl_uint n, std::shared_ptr<ReadJoin>& join);

// Copies the first bytes of `ptr` into slots (or, with direct copies, names
// all of `ptr` in one direct piece) and sends them as write pieces
// of (queue, buffer, offset, waits); returns what they covered. The wait
// list must have been checked.
StagedPieces writePieces(Connection& connection, cl_command_queue queue, cl_mem buffer, std::size_t offset,
                         std::size_t size, const void* ptr, const cl_event* waits, cl_uint n, bool blocking);

// Sends read pieces for the first bytes of the read into `ptr`; `join`
// counts them (they complete the read's event with the read's own bytes).
// With direct copies: one direct piece for all of it, which `join` need not count.
StagedPieces readPieces(Connection& connection, cl_command_queue queue, cl_mem buffer, std::size_t offset,
                        std::size_t size, void* ptr, const cl_event* waits, cl_uint n,
                        const std::shared_ptr<ReadJoin>& join);

// The memory a buffer's bytes live in if it is a shared buffer (or a
// sub-buffer of one; `offset`, if given, gets where the buffer starts in it).
const std::shared_ptr<SharedBuffer>& sharedMemoryOf(cl_mem buffer, std::size_t* offset = nullptr);

}  // namespace rcl::icd
