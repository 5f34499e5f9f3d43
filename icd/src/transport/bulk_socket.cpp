#include "rcl/icd/transport/bulk_socket.h"

#include <sys/socket.h>

#include <cstring>

#include "rcl/icd/support/log.h"

namespace rcl::icd {

namespace bulk = protocol::bulk;

namespace {
constexpr std::uint64_t kMaxTransfer = std::uint64_t{1} << 40;
}  // namespace

std::unique_ptr<BulkSocket> BulkSocket::connect(const std::string& host, std::uint16_t port, const Token& token,
                                                unsigned lanes, int timeoutMs, int stallMs, std::string& error,
                                                const bulk::LaneKeys* keys) {
  std::vector<protocol::UniqueFd> connected;
  for (unsigned lane = 0; lane < lanes; ++lane) {
    auto fd = bulk::connectTo(host, port, timeoutMs, error);
    if (!fd) return nullptr;
    bulk::setReceiveTimeout(fd.get(), timeoutMs);
    unsigned char answer = 0;
    if (!bulk::sendAll(fd.get(), token.data(), token.size()) || !bulk::recvAll(fd.get(), &answer, 1) ||
        answer != bulk::kAccepted) {
      error = "the worker did not accept lane " + std::to_string(lane) + " of the bulk socket";
      return nullptr;
    }
    bulk::setReceiveTimeout(fd.get(), 0);
    bulk::setSendTimeout(fd.get(), stallMs);
    connected.push_back(std::move(fd));
  }
  return std::make_unique<BulkSocket>(std::move(connected), keys);
}

BulkSocket::BulkSocket(std::vector<protocol::UniqueFd> lanes, const bulk::LaneKeys* keys)
    : lanes_(lanes.size()), encrypted_(keys != nullptr) {
  receiversRunning_ = lanes_.size();
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    lanes_[i].fd = std::move(lanes[i]);
    if (keys != nullptr) {
      const auto lane = static_cast<unsigned>(i);
      lanes_[i].sealer = std::make_unique<bulk::SealedSender>(keys->toServer, bulk::Direction::ToServer, lane);
      lanes_[i].opener = std::make_unique<bulk::SealedReceiver>(keys->toClient, bulk::Direction::ToClient, lane);
    }
    lanes_[i].receiver = std::thread([this, i] { encrypted_ ? receiveSealed(i) : receiveLoop(i); });
    if (i > 0) lanes_[i].sender = std::thread([this, i] { sendLoop(i); });
  }
}

BulkSocket::~BulkSocket() { close(); }

void BulkSocket::close() {
  abort();
  {
    std::lock_guard lock(piecesMutex_);
    stopping_ = true;
  }
  pieceReady_.notify_all();
  for (auto& lane : lanes_) {
    if (lane.receiver.joinable()) lane.receiver.join();
    if (lane.sender.joinable()) lane.sender.join();
  }
}

void BulkSocket::abort() {
  for (auto& lane : lanes_) ::shutdown(lane.fd.get(), SHUT_RDWR);
}

bool BulkSocket::alive() const {
  std::lock_guard lock(mutex_);
  return alive_;
}

bool BulkSocket::sendPiece(std::size_t lane, const Piece& piece) {
  const auto& header = piece.header;
  const int fd = lanes_[lane].fd.get();
  if (lanes_[lane].sealer) return lanes_[lane].sealer->send(fd, header, piece.bytes + header.offset);
  return bulk::sendAll(fd, &header, sizeof header, true) &&
         bulk::sendAll(fd, piece.bytes + header.offset, header.length);
}

bool BulkSocket::send(std::uint64_t id, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  const auto pieces = bulk::piecesOf(size, lanes(), encrypted_ ? bulk::kMinSealedPieceBytes : bulk::kMinPieceBytes);
  if (pieces.empty()) return true;  // no bytes
  std::lock_guard transfer(sendMutex_);
  if (pieces.size() > 1) {
    {
      std::lock_guard lock(piecesMutex_);
      if (stopping_) return false;  // the senders are gone (or going)
      for (std::size_t i = 1; i < pieces.size(); ++i)
        lanes_[i].piece = Piece{{id, size, pieces[i].offset, pieces[i].length}, bytes};
      piecesLeft_ = pieces.size() - 1;
      piecesFailed_ = false;
    }
    pieceReady_.notify_all();
  }
  bool ok = sendPiece(0, Piece{{id, size, pieces[0].offset, pieces[0].length}, bytes});
  if (!ok) abort();  // the other lanes' pieces fail at once too
  {
    std::unique_lock lock(piecesMutex_);
    piecesSent_.wait(lock, [&] { return piecesLeft_ == 0; });
    ok = ok && !piecesFailed_;
  }
  // A transfer cut short: nothing after it could be read right.
  if (!ok) abort();
  return ok;
}

void BulkSocket::sendLoop(std::size_t lane) {
  for (;;) {
    Piece piece{};
    {
      std::unique_lock lock(piecesMutex_);
      pieceReady_.wait(lock, [&] { return stopping_ || lanes_[lane].piece.has_value(); });
      if (!lanes_[lane].piece) return;
      piece = *lanes_[lane].piece;
    }
    const bool ok = sendPiece(lane, piece);
    if (!ok) abort();
    {
      std::lock_guard lock(piecesMutex_);
      lanes_[lane].piece.reset();
      piecesFailed_ = piecesFailed_ || !ok;
      --piecesLeft_;
    }
    piecesSent_.notify_all();
  }
}

void BulkSocket::expect(std::uint64_t id, void* into, std::size_t size, std::function<void(cl_int)> done) {
  {
    std::lock_guard lock(mutex_);
    if (alive_) {
      expected_.emplace(id, Expected{static_cast<unsigned char*>(into), size, size, 0, false, std::move(done)});
      return;
    }
  }
  done(CL_OUT_OF_RESOURCES);
}

void BulkSocket::cancel(std::uint64_t id) {
  std::unique_lock lock(mutex_);
  received_.wait(lock, [&] {
    const auto it = expected_.find(id);
    return it == expected_.end() || it->second.receiving == 0;
  });
  expected_.erase(id);
}

std::function<void(cl_int)> BulkSocket::takeIfDone(std::unordered_map<std::uint64_t, Expected>::iterator it,
                                                   cl_int& status) {
  Expected& e = it->second;
  if (e.receiving > 0 || (e.unclaimed > 0 && !e.failed)) return nullptr;
  status = e.failed ? CL_OUT_OF_RESOURCES : CL_COMPLETE;
  auto done = std::move(e.done);
  expected_.erase(it);
  return done;
}

unsigned char* BulkSocket::claim(const bulk::Header& header, bool& trusted) {
  std::lock_guard lock(mutex_);
  trusted = true;
  const auto it = expected_.find(header.id);
  if (it == expected_.end()) return nullptr;
  Expected& e = it->second;
  // Not what was asked: the lane cannot be trusted.
  trusted = e.size == header.total && header.length <= e.unclaimed;
  if (!trusted) return nullptr;
  e.unclaimed -= header.length;
  ++e.receiving;
  return e.into + header.offset;
}

void BulkSocket::received(std::uint64_t id, bool ok) {
  std::function<void(cl_int)> done;
  cl_int status = CL_COMPLETE;
  {
    std::lock_guard lock(mutex_);
    const auto it = expected_.find(id);  // kept while a lane receives into it
    --it->second.receiving;
    it->second.failed = it->second.failed || !ok;
    done = takeIfDone(it, status);
  }
  received_.notify_all();
  if (done) done(status);
}

void BulkSocket::receiveLoop(std::size_t lane) {
  const int fd = lanes_[lane].fd.get();
  bulk::Header header{};
  std::vector<unsigned char> discard;
  while (bulk::recvAll(fd, &header, sizeof header)) {
    if (!bulk::plausible(header, kMaxTransfer)) break;  // no worker sends that: the lane cannot be trusted
    bool trusted = true;
    unsigned char* into = claim(header, trusted);
    if (!trusted) break;
    const bool expected = into != nullptr;
    if (!expected) {  // a read nobody waits for any more
      discard.resize(header.length);
      into = discard.data();
    }
    const bool ok = bulk::recvAll(fd, into, header.length);
    if (expected) received(header.id, ok);
    if (!ok) break;
  }
  receiverGone();
}

void BulkSocket::receiveSealed(std::size_t lane) {
  const int fd = lanes_[lane].fd.get();
  auto& opener = *lanes_[lane].opener;
  bulk::Header header{};
  for (;;) {
    const auto result = opener.receive(fd, header, kMaxTransfer);
    if (result == bulk::SealedReceiver::Result::Forged) {
      log().warn("remote-cl: a record on encrypted lane {} of the bulk socket failed authentication; closing the lanes",
                 lane);
      break;
    }
    if (result != bulk::SealedReceiver::Result::Ok) break;
    // Authentic: only now does the header say where its bytes go.
    bool trusted = true;
    unsigned char* into = claim(header, trusted);
    if (!trusted) break;
    if (into == nullptr) continue;  // a read nobody waits for any more
    std::memcpy(into, opener.plain(), header.length);
    received(header.id, true);
  }
  receiverGone();
}

void BulkSocket::receiverGone() {
  abort();  // one lane lost: the transfers on the others cannot complete either
  std::unordered_map<std::uint64_t, Expected> failed;
  {
    std::lock_guard lock(mutex_);
    alive_ = false;
    // The last receiver fails what is left (no lane receives into it any more).
    if (--receiversRunning_ == 0) failed.swap(expected_);
  }
  received_.notify_all();
  if (!failed.empty()) log().warn("remote-cl: the bulk socket closed with {} reads on the way", failed.size());
  for (auto& [id, e] : failed) e.done(CL_OUT_OF_RESOURCES);
}

}  // namespace rcl::icd
