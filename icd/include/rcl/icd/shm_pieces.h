// Buffer reads and writes through shared memory (protocol/shm.h), client
// side: the first bytes of a transfer go as pieces, one slot each, sent
// ahead of the command itself; the command then carries the pieces' token
// and only the bytes no slot came for in time (through the socket).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <CL/cl.h>

#include "rcl/icd/connection.h"

namespace rcl::icd {

// What the pieces of one transfer covered: its first `bytes`, under `token`
// (0: no pieces, everything goes through the socket).
struct StagedPieces {
  std::size_t bytes = 0;
  std::uint64_t token = 0;
};

// Whether a transfer of `size` bytes on `connection` goes through shared memory.
bool usesSharedMemory(const Connection* connection, std::size_t size);

// Copies the first bytes of `ptr` into slots and sends them as write pieces
// of (queue, buffer, offset, waits); returns what they covered. The wait
// list must have been checked.
StagedPieces writePieces(Connection& connection, cl_command_queue queue, cl_mem buffer, std::size_t offset,
                         std::size_t size, const void* ptr, const cl_event* waits, cl_uint n);

// Sends read pieces for the first bytes of the read into `ptr`; `join`
// counts them (they complete the read's event with the read's own bytes).
StagedPieces readPieces(Connection& connection, cl_command_queue queue, cl_mem buffer, std::size_t offset,
                        std::size_t size, void* ptr, const cl_event* waits, cl_uint n,
                        const std::shared_ptr<ReadJoin>& join);

}  // namespace rcl::icd
