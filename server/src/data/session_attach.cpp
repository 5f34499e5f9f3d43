#include "rcl/server/session/session.h"

#include <algorithm>
#include <optional>

#include <spdlog/spdlog.h>

#include "rcl/protocol/bulk_crypt.h"
#include "rcl/protocol/bulk_socket.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/control_messages.h"
#include "rcl/protocol/shm.h"
#include "rcl/server/data/bulk_socket.h"
#include "rcl/server/data/direct_copy.h"
#include "rcl/server/data/shared_buffers.h"
#include "rcl/server/data/shm_segment.h"
#include "rcl/server/support/call_error.h"
#include "rcl/server/support/security.h"

// A session's data paths, attached when its client offers them (control
// calls ShmAttach and BulkAttach): the shared-memory segment, direct copies
// and shared buffers, the bulk lanes.
namespace rcl::server {

void Session::attachShm(const protocol::control::ShmAttach& request) {
  const std::uint64_t seq = request.seq;
  const auto slots = request.slots;
  const auto slotBytes = request.slot_bytes;
  try {
    if (shm_) throw CallError(CL_INVALID_OPERATION, "the session has shared memory already");
    shm_ = std::make_shared<ShmSegment>(request.name, slots, slotBytes);
  } catch (const CallError& e) {
    spdlog::debug("session {:016x}: no shared memory: {}", id_, e.what());
    return sendError(seq, e.status(), e.what());
  }
  // Optional: the client's pid and where its own mapping of the segment
  // starts, for direct copies (direct_copy.h) if this worker can read it there.
  if (request.pid && request.header &&
      DirectCopier::probe(*request.pid, *request.header, shm_->header(), sizeof(protocol::shm::Header))) {
    direct_ = std::make_shared<DirectCopier>(*request.pid);
    sharedBuffers_ = std::make_shared<SharedBuffers>(*request.pid);
  }
  spdlog::info("session {:016x}: shared memory of {} x {} bytes{}", id_, slots, slotBytes,
               direct_ ? ", direct copies" : "");
  send(protocol::control::ShmAttachReply{.seq = seq, .cookie = shm_->cookie(), .direct = direct_ != nullptr}.frames());
}

void Session::attachBulk(const protocol::control::BulkAttach& request) {
  const std::uint64_t seq = request.seq;
  const auto lanes = std::clamp<std::uint64_t>(request.lanes.value_or(1), 1, protocol::bulk::kMaxLanes);
  const bool encrypted = request.sealed.value_or(false);  // the client can seal its lanes (bulk_crypt.h)
  const std::string host = protocol::bulk::tcpHost(endpoint_);
  if (host.empty()) return sendError(seq, CL_INVALID_OPERATION, "a bulk socket is for tcp:// sessions");
  const bool curve = options_.security && options_.security->curve();
  if (curve && !encrypted)
    return sendError(seq, CL_INVALID_OPERATION, "with CURVE, bulk data stays on the encrypted sockets");
  if (bulk_) return sendError(seq, CL_INVALID_OPERATION, "the session has a bulk socket already");
  // Over CURVE (this very answer travels encrypted): two fresh keys, one a direction.
  std::optional<protocol::bulk::LaneKeys> keys;
  if (curve) {
    keys.emplace();
    if (!protocol::bulk::drawKeys(*keys)) return sendError(seq, CL_OUT_OF_RESOURCES, "no random bytes for lane keys");
  }
  std::string error;
  bulk_ = BulkSocket::open(host, sessionPortRange(bindTo_), static_cast<unsigned>(lanes), options_.maxMessageBytes,
                            stats_.bytesIn, stats_.bytesOut, error, keys ? &*keys : nullptr);
  if (!bulk_) return sendError(seq, CL_OUT_OF_RESOURCES, error);
  spdlog::info("session {:016x}: bulk socket on {} port {}, {} lane{}{}", id_, host, bulk_->port(), bulk_->lanes(),
               bulk_->lanes() == 1 ? "" : "s", keys ? ", encrypted (AES-256-GCM)" : "");
  protocol::control::BulkAttachReply reply{.seq = seq,
                                           .port = bulk_->port(),
                                           .token = std::string(bulk_->token().begin(), bulk_->token().end()),
                                           .lanes = bulk_->lanes()};
  if (keys) {
    reply.key_to_server.emplace(keys->toServer.begin(), keys->toServer.end());
    reply.key_to_client.emplace(keys->toClient.begin(), keys->toClient.end());
  }
  send(reply.frames());
  // Copies of the keys live only in the channel's ciphers.
  if (keys) protocol::bulk::wipe(*keys);
  if (reply.key_to_server) protocol::bulk::wipe(*reply.key_to_server);
  if (reply.key_to_client) protocol::bulk::wipe(*reply.key_to_client);
}

}  // namespace rcl::server
