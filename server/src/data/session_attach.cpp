#include "rcl/server/session/session.h"

#include <algorithm>
#include <optional>

#include <spdlog/spdlog.h>

#include "rcl/protocol/bulk_crypt.h"
#include "rcl/protocol/bulk_socket.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/shm.h"
#include "rcl/server/data/bulk_channel.h"
#include "rcl/server/data/direct_copy.h"
#include "rcl/server/data/shared_buffers.h"
#include "rcl/server/data/shm_segment.h"
#include "rcl/server/support/call_error.h"
#include "rcl/server/support/security.h"

// A session's data paths, attached when its client offers them (control
// calls ShmAttach and BulkAttach): the shared-memory segment, direct copies
// and shared buffers, the bulk lanes.
namespace rcl::server {

using protocol::Kind;

void Session::attachShm(protocol::Reader& reader, std::uint64_t seq) {
  const std::string name = reader.str();
  const auto slots = reader.u64();
  const auto slotBytes = reader.u64();
  try {
    if (shm_) throw CallError(CL_INVALID_OPERATION, "the session has shared memory already");
    shm_ = std::make_shared<ShmSegment>(name, slots, slotBytes);
  } catch (const CallError& e) {
    spdlog::debug("session {:016x}: no shared memory: {}", id_, e.what());
    return sendError(seq, e.status(), e.what());
  }
  // Optional: the client's pid and where its own mapping of the segment
  // starts, for direct copies (direct_copy.h) if this worker can read it there.
  if (!reader.atEnd()) {
    const auto pid = reader.integer<pid_t>();
    const auto header = reader.u64();
    if (DirectCopier::probe(pid, header, shm_->header(), sizeof(protocol::shm::Header))) {
      direct_ = std::make_shared<DirectCopier>(pid);
      sharedBuffers_ = std::make_shared<SharedBuffers>(pid);
    }
  }
  spdlog::info("session {:016x}: shared memory of {} x {} bytes{}", id_, slots, slotBytes,
               direct_ ? ", direct copies" : "");
  protocol::Writer w;
  w.integer(Kind::Reply);
  w.u64(seq);
  w.i64(CL_SUCCESS);
  w.u64(shm_->cookie());
  w.boolean(direct_ != nullptr);
  send(w.finish());
}

void Session::attachBulk(protocol::Reader& reader, std::uint64_t seq) {
  const auto lanes = reader.atEnd() ? 1 : std::clamp<std::uint64_t>(reader.u64(), 1, protocol::bulk::kMaxLanes);
  const bool encrypted = !reader.atEnd() && reader.boolean();  // the client can seal its lanes (bulk_crypt.h)
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
  bulk_ = BulkChannel::open(host, sessionPortRange(bindTo_), static_cast<unsigned>(lanes), options_.maxMessageBytes,
                            stats_.bytesIn, stats_.bytesOut, error, keys ? &*keys : nullptr);
  if (!bulk_) return sendError(seq, CL_OUT_OF_RESOURCES, error);
  spdlog::info("session {:016x}: bulk socket on {} port {}, {} lane{}{}", id_, host, bulk_->port(), bulk_->lanes(),
               bulk_->lanes() == 1 ? "" : "s", keys ? ", encrypted (AES-256-GCM)" : "");
  protocol::Writer w;
  w.integer(Kind::Reply);
  w.u64(seq);
  w.i64(CL_SUCCESS);
  w.u64(bulk_->port());
  w.bin(bulk_->token().data(), bulk_->token().size());
  w.u64(bulk_->lanes());
  if (keys) {
    w.bin(keys->toServer.data(), keys->toServer.size());
    w.bin(keys->toClient.data(), keys->toClient.size());
  }
  send(w.finish());
  // Copies of the keys live only in the channel's ciphers.
  if (keys) protocol::bulk::wipe(*keys);
}

}  // namespace rcl::server
