#include "rcl/server/session/staged_transfers.h"

#include <utility>

#include "rcl/server/support/call_error.h"

namespace rcl::server {

namespace {
// More transfers than this waiting for their command: a client that lost its way.
constexpr std::size_t kMaxStaged = 4096;
}  // namespace

StagedTransfer& StagedTransfers::at(std::uint64_t token) {
  if (token == 0) throw CallError(CL_INVALID_VALUE, "a piece needs a token");
  if (!staged_.contains(token) && staged_.size() >= kMaxStaged)
    throw CallError(CL_OUT_OF_RESOURCES, "too many transfers waiting for their command");
  return staged_[token];
}

StagedTransfer StagedTransfers::take(std::uint64_t token) {
  const auto it = staged_.find(token);
  if (it == staged_.end()) return {};
  StagedTransfer staged = std::move(it->second);
  staged_.erase(it);
  return staged;
}

void StagedTransfers::releaseAll() {
  for (auto& [token, staged] : staged_)
    for (cl_event e : staged.parts) ::clReleaseEvent(e);
  staged_.clear();
}

bool StagedTransfer::add(std::uint64_t length) {
  if (__builtin_add_overflow(bytes, length, &bytes) && status == CL_SUCCESS) status = CL_INVALID_VALUE;
  return status == CL_SUCCESS;
}

}  // namespace rcl::server
