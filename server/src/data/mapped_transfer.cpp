#include "rcl/server/data/mapped_transfer.h"

#include <memory>
#include <type_traits>

#include "rcl/server/calls/call_context.h"
#include "rcl/server/support/call_error.h"
#include "rcl/server/support/checked_sizes.h"
#include "rcl/server/calls/object_info.h"
#include "rcl/server/data/piece_header.h"
#include "rcl/server/data/shm_transfers.h"

namespace rcl::server {

namespace {
// Holds an OpenCL object for as long as a step needs it.
template <class T>
std::shared_ptr<std::remove_pointer_t<T>> held(T object, cl_int (*release)(T)) {
  return std::shared_ptr<std::remove_pointer_t<T>>(object, [release](T o) { release(o); });
}
}  // namespace

void mappedPiece(CallContext& ctx, const protocol::calls::Piece& request, bool write, const char* kind,
                 MappedStep step) {
  Session& session = ctx.session();
  if (!step) throw CallError(CL_INVALID_OPERATION, std::string("this session takes no ") + kind);
  const PieceHeader piece = pieceHeader(ctx, request);
  const auto& [token, where, length, queue, buffer, offset, waits] = piece;
  StagedTransfer& staged = session.staged().at(token);
  if (!staged.add(length)) return;
  // The step moves `length` bytes at the mapped address: they must all lie in
  // the buffer (an offset that wraps must not slip past the map's own check).
  if (length == 0 || !inBuffer(buffer, offset, length)) {
    staged.status = CL_INVALID_VALUE;
    return;
  }

  cl_int status = CL_SUCCESS;
  cl_event mapped = nullptr;
  const cl_map_flags flags = write ? CL_MAP_WRITE_INVALIDATE_REGION : CL_MAP_READ;
  auto* host = static_cast<unsigned char*>(::clEnqueueMapBuffer(
      queue, buffer, CL_FALSE, flags, offset, length, static_cast<cl_uint>(waits.size()), waits.data(), &mapped,
      &status));
  if (status != CL_SUCCESS) {
    staged.status = status;
    return;
  }
  auto mappedHold = held(mapped, ::clReleaseEvent);
  cl_event stepped = ::clCreateUserEvent(contextOf(queue), &status);
  if (status != CL_SUCCESS) {
    ::clEnqueueUnmapMemObject(queue, buffer, host, 1, &mapped, nullptr);
    staged.status = status;
    return;
  }
  auto steppedHold = held(stepped, ::clReleaseEvent);
  // The map among the waits: if it fails, so does the unmap, rather than wait for a step that never comes.
  const cl_event unmapWaits[2] = {mapped, stepped};
  cl_event unmapped = nullptr;
  status = ::clEnqueueUnmapMemObject(queue, buffer, host, 2, unmapWaits, &unmapped);
  if (status != CL_SUCCESS) {
    ::clSetUserEventStatus(stepped, CL_COMPLETE);
    staged.status = status;
    return;
  }
  staged.parts.push_back(unmapped);
  ::clRetainMemObject(buffer);  // the mapped bytes stay while the step may touch them
  auto bufferHold = held(buffer, ::clReleaseMemObject);
  session.completions().onComplete(
      mapped, [step = std::move(step), host, token = token, where = where, length = length, steppedHold, bufferHold,
               mappedHold](cl_int done) {
        // A map that failed (behind a failed event) maps nothing to copy: the
        // unmap, which waits for it too, fails with it; the step is only let go.
        if (done < 0) {
          ::clSetUserEventStatus(steppedHold.get(), CL_COMPLETE);
          return;
        }
        step(host, token, where, length,
             [steppedHold, bufferHold](bool ok) {
               ::clSetUserEventStatus(steppedHold.get(), ok ? CL_COMPLETE : CL_OUT_OF_RESOURCES);
             });
      });
  ::clFlush(queue);
}

}  // namespace rcl::server
