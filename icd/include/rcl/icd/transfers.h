// Reads: the server pushes the bytes when the command completes; the client
// puts them in place, then completes the event. Shared by the read, rect,
// image and map entry points.
#pragma once

#include <functional>

#include <CL/cl.h>

#include "rcl/icd/call.h"

namespace rcl::icd {

// Puts a chunk of the bytes in place, `offset` bytes into the whole.
using Unpack = std::function<void(const void* bytes, std::size_t size, std::size_t offset)>;

// `call` holds every argument up to and including the wait list. Adds the
// read's event, sends, and waits when `blocking`.
cl_int enqueueRead(Call& call, cl_bool blocking, Unpack unpack, cl_event* event, cl_command_type type = 0);

// The host may read (or write) a memory object unless its host access
// flags (its own, or its parent's for a sub-buffer) forbid it.
bool hostMayRead(cl_mem m);
bool hostMayWrite(cl_mem m);

// Waits for the reads of `queue` whose bytes are still on the way.
void waitForPendingReads(cl_command_queue queue);

// Asks the server to start what is queued (before the client waits on it).
void flush(cl_command_queue queue);

// Copies a packed region into memory laid out with the given pitches, and back.
void unpackRegion(const unsigned char* packed, unsigned char* dst, const std::size_t origin[3],
                  const std::size_t region[3], std::size_t rowPitch, std::size_t slicePitch);
void packRegion(const unsigned char* src, unsigned char* packed, const std::size_t origin[3],
                const std::size_t region[3], std::size_t rowPitch, std::size_t slicePitch);

}  // namespace rcl::icd
