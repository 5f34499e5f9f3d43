#include "rcl/icd/data/shm_pieces.h"

#include <algorithm>
#include <cstring>

#include "rcl/icd/objects/queue_progress.h"
#include "rcl/protocol/bulk_socket.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/shm.h"

namespace rcl::icd {

namespace {

using namespace std::chrono_literals;

// Smaller transfers take one message on the socket: a piece would only add a round of pushes.
constexpr std::size_t kMinSharedBytes = std::size_t{64} << 10;
// The same for the bulk socket, where a piece costs a map and an unmap on the server.
constexpr std::size_t kMinBulkBytes = std::size_t{256} << 10;

// A piece's request ([requests.Piece] in codegen/messages.toml: the server's
// stand-in table decodes it with the same struct), sent without reply; the
// header's seq is Connection::send's.
cl_int sendPiece(Connection& connection, CallId call, std::uint64_t token, cl_command_queue queue,
                 cl_mem buffer, std::size_t offset, std::uint64_t where, std::size_t length, const cl_event* waits,
                 cl_uint n) {
  protocol::calls::Piece piece{.call = call, .token = token, .where = where, .length = length, .queue = queue->id,
                               .buffer = buffer->id, .offset = offset};
  if (waits != nullptr) {
    piece.waits.emplace();
    piece.waits->reserve(n);
    for (cl_uint i = 0; i < n; ++i) piece.waits->push_back(waits[i]->id);
  }
  protocol::Writer w;
  w.integer(protocol::Kind::Request);
  const std::size_t seqOffset = w.reserveU64();
  w.integer(piece.call);
  piece.encodeBody(w);
  return connection.send(w, seqOffset);
}

// Whether a wait list is one a command of `queue` accepts (checked as the
// command itself will be, before shared memory pieces run ahead of it).
bool acceptedWaitList(cl_command_queue queue, const cl_event* list, cl_uint n) {
  Call probe(CallId::clEnqueueMarkerWithWaitList);
  probe.handleId(queue);
  probe.waitListIds(list, n);
  return !probe.failed();
}

bool staging(Call& call, cl_command_queue queue, std::size_t size, const cl_event* waits, cl_uint n) {
  return !call.failed() && usesSharedMemory(call.connection(), size) && acceptedWaitList(queue, waits, n);
}

// Nothing a write must follow is pending: its in-order queue's last command
// and every event of its wait list are known complete. (A command another
// thread sends meanwhile is unordered with this one for the application too.)
bool nothingToWaitFor(cl_command_queue queue, const cl_event* waits, cl_uint n) {
  if (!lastCommandComplete(queue)) return false;
  for (cl_uint i = 0; i < n; ++i) {
    std::lock_guard lock(waits[i]->mutex);
    if (waits[i]->status != CL_COMPLETE) return false;
  }
  return true;
}

bool bulkStaging(Call& call, cl_command_queue queue, std::size_t size, const cl_event* waits, cl_uint n) {
  return !call.failed() && call.connection() != nullptr && call.connection()->bulk() != nullptr &&
         call.connection()->bulk()->alive() && size >= kMinBulkBytes && acceptedWaitList(queue, waits, n);
}

}  // namespace

StagedPieces stageWrite(Call& call, cl_command_queue queue, cl_mem buffer, std::size_t offset, std::size_t size,
                        const void* ptr, const cl_event* waits, cl_uint n, bool blocking) {
  if (bulkStaging(call, queue, size, waits, n)) {
    // The piece first, so that the region is mapped by the time the bytes come.
    Connection& connection = *call.connection();
    StagedPieces staged{size, connection.nextToken()};
    if (sendPiece(connection, CallId::BulkWrite, staged.token, queue, buffer, offset, staged.token, size,
                  waits, n) != CL_SUCCESS)
      return {};
    if (!connection.bulk()->send(staged.token, ptr, size)) call.fail(CL_OUT_OF_RESOURCES);
    return staged;
  }
  if (!staging(call, queue, size, waits, n)) return {};
  return writePieces(*call.connection(), queue, buffer, offset, size, ptr, waits, n, blocking);
}

StagedPieces stageRead(Call& call, cl_command_queue queue, cl_mem buffer, std::size_t offset, std::size_t size,
                       void* ptr, const cl_event* waits, cl_uint n, std::shared_ptr<ReadJoin>& join) {
  if (bulkStaging(call, queue, size, waits, n)) {
    Connection& connection = *call.connection();
    StagedPieces staged{size, connection.nextToken()};
    join = std::make_shared<ReadJoin>();
    join->piecesLeft = 1;
    BulkSocket* bulk = connection.bulk();
    join->cancel = [bulk, token = staged.token] { bulk->cancel(token); };
    bulk->expect(staged.token, ptr, size, [join](cl_int status) { finishPiece(*join, status); });
    if (sendPiece(connection, CallId::BulkRead, staged.token, queue, buffer, offset, staged.token, size,
                  waits, n) != CL_SUCCESS) {
      connection.bulk()->cancel(staged.token);
      join = nullptr;
      return {};
    }
    return staged;
  }
  if (!staging(call, queue, size, waits, n)) return {};
  if (!call.connection()->directCopy()) join = std::make_shared<ReadJoin>();
  return readPieces(*call.connection(), queue, buffer, offset, size, ptr, waits, n, join);
}

bool usesSharedMemory(const Connection* connection, std::size_t size) {
  return connection != nullptr && connection->shm() != nullptr && size >= kMinSharedBytes;
}

const std::shared_ptr<SharedBuffer>& sharedMemoryOf(cl_mem buffer, std::size_t* offset) {
  std::size_t at = 0;
  for (; buffer->parent != nullptr; buffer = buffer->parent) at += buffer->offset;
  if (offset != nullptr) *offset = at;
  return buffer->shared;
}

// The whole transfer as one direct piece (the server copies from or to
// `ptr`), or, for a shared buffer, one shared piece (this process copies
// once the server has the region mapped).
StagedPieces directPiece(Connection& connection, bool write, cl_command_queue queue, cl_mem buffer,
                         std::size_t offset, std::size_t size, const void* ptr, const cl_event* waits, cl_uint n,
                         bool blocking) {
  StagedPieces staged{0, connection.nextToken()};
  CallId call = write ? CallId::DirectWrite : CallId::DirectRead;
  std::size_t root = 0;
  if (const auto& shared = sharedMemoryOf(buffer, &root)) {
    const SharedCopy copy{shared, const_cast<void*>(ptr), size, write};
    if (write && blocking && nothingToWaitFor(queue, waits, n) && runSharedCopy(copy, root + offset)) {
      call = CallId::SharedWritten;  // copied already: the worker only maps and unmaps
    } else {
      call = write ? CallId::SharedWrite : CallId::SharedRead;
      connection.expectSharedCopy(staged.token, copy);
    }
  }
  if (sendPiece(connection, call, staged.token, queue, buffer, offset, reinterpret_cast<std::uintptr_t>(ptr), size,
                waits, n) == CL_SUCCESS) {
    staged.bytes = size;
    staged.direct = true;
  } else {
    connection.cancelSharedCopy(staged.token);
  }
  return staged;
}

StagedPieces writePieces(Connection& connection, cl_command_queue queue, cl_mem buffer, std::size_t offset,
                         std::size_t size, const void* ptr, const cl_event* waits, cl_uint n, bool blocking) {
  if (connection.directCopy())
    return directPiece(connection, true, queue, buffer, offset, size, ptr, waits, n, blocking);
  ShmSegment& shm = *connection.shm();
  StagedPieces staged{0, connection.nextToken()};
  const auto* bytes = static_cast<const unsigned char*>(ptr);
  while (staged.bytes < size) {
    const auto slot = shm.acquire(connection.slotPatience());
    if (!slot) break;
    const std::size_t length = std::min(shm.slotBytes(), size - staged.bytes);
    std::memcpy(shm.slot(*slot), bytes + staged.bytes, length);
    if (sendPiece(connection, CallId::WritePiece, staged.token, queue, buffer, offset + staged.bytes, *slot,
                  length, waits, n) != CL_SUCCESS) {
      shm.release(*slot);
      break;
    }
    staged.bytes += length;
  }
  return staged;
}

StagedPieces readPieces(Connection& connection, cl_command_queue queue, cl_mem buffer, std::size_t offset,
                        std::size_t size, void* ptr, const cl_event* waits, cl_uint n,
                        const std::shared_ptr<ReadJoin>& join) {
  if (connection.directCopy()) return directPiece(connection, false, queue, buffer, offset, size, ptr, waits, n, false);
  ShmSegment& shm = *connection.shm();
  StagedPieces staged{0, connection.nextToken()};
  auto* bytes = static_cast<unsigned char*>(ptr);
  while (staged.bytes < size) {
    const auto slot = shm.acquire(connection.slotPatience());
    if (!slot) break;
    const std::size_t length = std::min(shm.slotBytes(), size - staged.bytes);
    {
      std::lock_guard lock(join->mutex);
      ++join->piecesLeft;
    }
    unsigned char* to = bytes + staged.bytes;
    shm.expectPiece(*slot, ReadPiece{[to, length](const void* from, std::size_t) { std::memcpy(to, from, length); },
                                     join});
    if (sendPiece(connection, CallId::ReadPiece, staged.token, queue, buffer, offset + staged.bytes, *slot,
                  length, waits, n) != CL_SUCCESS) {
      shm.takePiece(*slot);
      shm.release(*slot);
      std::lock_guard lock(join->mutex);
      --join->piecesLeft;
      break;
    }
    staged.bytes += length;
  }
  return staged;
}

}  // namespace rcl::icd
