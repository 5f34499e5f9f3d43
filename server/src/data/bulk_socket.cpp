#include "rcl/server/data/bulk_socket.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <new>
#include <random>

#include <spdlog/spdlog.h>

#include "rcl/server/calls/call_context.h"
#include "rcl/server/data/mapped_transfer.h"

namespace rcl::server {

namespace bulk = protocol::bulk;

namespace {
// How long the worker waits for the client's lanes.
constexpr auto kAcceptWithin = std::chrono::seconds(5);
// How long a piece that came before its region was mapped waits for the map,
// so that it goes straight into place, before it is held aside.
constexpr auto kMapPatience = std::chrono::milliseconds(20);
}  // namespace

std::shared_ptr<BulkSocket> BulkSocket::open(const std::string& host,
                                               std::optional<std::pair<unsigned, unsigned>> ports, unsigned lanes,
                                               std::size_t maxTransferBytes, std::atomic<std::uint64_t>& bytesIn,
                                               std::atomic<std::uint64_t>& bytesOut, std::string& error,
                                               const bulk::LaneKeys* keys) {
  std::uint16_t port = 0;
  protocol::UniqueFd listener;
  if (!ports) listener = bulk::listenOn(host, port, error);
  for (unsigned p = ports ? ports->first : 1; ports && p <= ports->second && !listener; ++p) {
    port = static_cast<std::uint16_t>(p);
    listener = bulk::listenOn(host, port, error);
  }
  if (!listener) return nullptr;
  return std::make_shared<BulkSocket>(std::move(listener), port, lanes, maxTransferBytes, bytesIn, bytesOut, keys);
}

BulkSocket::BulkSocket(protocol::UniqueFd listener, std::uint16_t port, unsigned lanes,
                         std::size_t maxTransferBytes, std::atomic<std::uint64_t>& bytesIn,
                         std::atomic<std::uint64_t>& bytesOut, const bulk::LaneKeys* keys)
    : listener_(std::move(listener)),
      port_(port),
      encrypted_(keys != nullptr),
      maxTransferBytes_(maxTransferBytes),
      bytesIn_(bytesIn),
      bytesOut_(bytesOut),
      lanes_(std::clamp(lanes, 1U, bulk::kMaxLanes)) {
  std::random_device random;
  for (auto& b : token_) b = static_cast<unsigned char>(random());
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    if (keys != nullptr) {
      // Lane i is the i-th connection accepted: the client connects them one after another.
      const auto lane = static_cast<unsigned>(i);
      lanes_[i].sealer = std::make_unique<bulk::SealedSender>(keys->toClient, bulk::Direction::ToClient, lane);
      lanes_[i].opener = std::make_unique<bulk::SealedReceiver>(keys->toServer, bulk::Direction::ToServer, lane);
    }
  }
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    lanes_[i].receiver = std::thread([this, i] { receive(i); });
    lanes_[i].sender = std::thread([this, i] { sendLoop(i); });
  }
}

BulkSocket::~BulkSocket() {
  close();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  sendReady_.notify_all();
  for (auto& lane : lanes_) {
    lane.receiver.join();
    lane.sender.join();
  }
}

void BulkSocket::close() {
  std::vector<std::function<void(bool)>> finished;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    for (auto& lane : lanes_)
      if (lane.socket) ::shutdown(lane.socket.get(), SHUT_RDWR);
    // Writes no lane reads into finish now; the lanes finish their own.
    for (auto it = writes_.begin(); it != writes_.end();) {
      if (it->second.receiving > 0) {
        ++it;
        continue;
      }
      if (it->second.finished) finished.push_back(std::move(it->second.finished));
      earlyBytes_ -= it->second.early.size();
      it = writes_.erase(it);
    }
  }
  earlyFreed_.notify_all();
  mappedCv_.notify_all();
  sendReady_.notify_all();
  for (auto& f : finished) f(false);
}

bool BulkSocket::closed() {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool BulkSocket::accept() {
  const auto deadline = std::chrono::steady_clock::now() + kAcceptWithin;
  std::size_t accepted = 0;
  while (accepted < lanes_.size() && std::chrono::steady_clock::now() < deadline) {
    if (closed()) return false;
    pollfd p{listener_.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) != 1) continue;
    protocol::UniqueFd peer(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!peer) continue;
    bulk::setReceiveTimeout(peer.get(), 1000);
    Token offered{};
    if (!bulk::recvAll(peer.get(), offered.data(), offered.size()) || offered != token_) {
      spdlog::warn("bulk socket: a connection without the session's token, refused");
      continue;
    }
    bulk::setReceiveTimeout(peer.get(), 0);
    bulk::tuneForBulk(peer.get());
    std::lock_guard lock(mutex_);
    if (closed_ || !bulk::sendAll(peer.get(), &bulk::kAccepted, 1)) return false;
    lanes_[accepted++].socket = std::move(peer);
  }
  if (accepted < lanes_.size())
    spdlog::warn("bulk socket: the client connected {} of {} lanes within {} s", accepted, lanes_.size(),
                 kAcceptWithin.count());
  return accepted == lanes_.size();
}

std::function<void(bool)> BulkSocket::takeIfDone(std::uint64_t id) {
  const auto it = writes_.find(id);
  if (it == writes_.end()) return nullptr;
  Write& w = it->second;
  if (w.unclaimed > 0 || w.receiving > 0 || !w.finished) return nullptr;
  for (const auto& piece : w.earlyPieces) std::memcpy(w.host + piece.offset, w.early.data() + piece.offset, piece.length);
  if (!w.early.empty()) {
    earlyBytes_ -= w.early.size();
    earlyFreed_.notify_all();
  }
  auto finished = std::move(w.finished);
  writes_.erase(it);
  return finished;
}

unsigned char* BulkSocket::placePiece(std::unique_lock<std::mutex>& lock, const bulk::Header& header) {
  if (!bulk::plausible(header, maxTransferBytes_)) {
    spdlog::warn("bulk socket: a piece of transfer {} outside it ({} bytes at {} of {}); closing it", header.id,
                 header.length, header.offset, header.total);
    return nullptr;
  }
  // Bytes usually come a little before their region is mapped (the piece
  // that maps it travels on another socket): wait for the map a little.
  mappedCv_.wait_for(lock, kMapPatience, [&] {
    const auto found = writes_.find(header.id);
    return closed_ || (found != writes_.end() && found->second.host != nullptr);
  });
  for (;;) {
    if (closed_) return nullptr;
    auto it = writes_.find(header.id);
    if (it != writes_.end()) {
      Write& w = it->second;
      if (w.length != header.total || header.length > w.unclaimed) {
        spdlog::warn("bulk socket: bytes of transfer {} are not what its piece says; closing it", header.id);
        return nullptr;
      }
      if (w.host != nullptr || !w.early.empty()) {
        w.unclaimed -= header.length;
        ++w.receiving;
        if (w.host != nullptr) return w.host + header.offset;
        w.earlyPieces.push_back({header.offset, header.length});
        return w.early.data() + header.offset;
      }
    }
    // The first piece of a transfer not mapped yet: held with its whole
    // transfer until the map (within a budget).
    if (earlyBytes_ + header.total > maxTransferBytes_) {
      earlyFreed_.wait(lock);
      continue;
    }
    Write& w = writes_[header.id];
    w.length = w.unclaimed = header.total;
    try {
      w.early.resize(header.total);
    } catch (const std::bad_alloc&) {
      spdlog::warn("bulk socket: no memory for {} bytes of transfer {} that came early; closing it", header.total,
                   header.id);
      writes_.erase(header.id);
      return nullptr;
    }
    earlyBytes_ += header.total;
  }
}

void BulkSocket::receive(std::size_t lane) {
  if (lane == 0) {
    const bool connected = accept();
    listener_.reset();
    if (!connected) return close();
    std::lock_guard lock(mutex_);
    connected_ = true;
  }
  int fd = -1;
  {
    std::unique_lock lock(mutex_);
    mappedCv_.notify_all();
    mappedCv_.wait(lock, [&] { return connected_ || closed_; });
    if (closed_) return;
    fd = lanes_[lane].socket.get();  // closed only when the channel goes
  }
  bulk::Header header{};
  if (auto* opener = lanes_[lane].opener.get()) {
    for (;;) {
      const auto result = opener->receive(fd, header, maxTransferBytes_);
      if (result == bulk::SealedReceiver::Result::Forged) {
        spdlog::warn("bulk socket: a record on encrypted lane {} failed authentication (transfer {}); closing the lanes",
                     lane, header.id);
        break;
      }
      if (result != bulk::SealedReceiver::Result::Ok) break;
      // Authentic: only now does the header say where its bytes go.
      unsigned char* into = nullptr;
      {
        std::unique_lock lock(mutex_);
        into = placePiece(lock, header);
      }
      if (into == nullptr) break;
      std::memcpy(into, opener->plain(), header.length);
      bytesIn_ += sizeof header + header.length + bulk::kTagBytes;
      pieceIn(header.id, true);
    }
    return close();
  }
  while (bulk::recvAll(fd, &header, sizeof header)) {
    unsigned char* into = nullptr;
    {
      std::unique_lock lock(mutex_);
      into = placePiece(lock, header);
    }
    if (into == nullptr) break;
    const bool ok = bulk::recvAll(fd, into, header.length);
    if (ok) bytesIn_ += sizeof header + header.length;
    pieceIn(header.id, ok);
    if (!ok) break;
  }
  close();
}

void BulkSocket::pieceIn(std::uint64_t id, bool ok) {
  std::function<void(bool)> finished;
  bool complete = false;
  {
    std::lock_guard lock(mutex_);
    const auto it = writes_.find(id);  // kept while a lane receives into it
    Write& w = it->second;
    --w.receiving;
    if (ok && !closed_) {
      finished = takeIfDone(id);
      complete = true;
    } else if (w.receiving == 0) {
      // Cut short: the transfer fails (close() leaves it to its last lane).
      finished = std::move(w.finished);
      earlyBytes_ -= w.early.size();
      writes_.erase(it);
    }
  }
  if (finished) finished(complete);
}

void BulkSocket::receiveWrite(std::uint64_t id, unsigned char* host, std::size_t length,
                               std::function<void(bool)> finished) {
  bool mismatch = false;
  {
    std::unique_lock lock(mutex_);
    if (!closed_) {
      const auto [it, fresh] = writes_.try_emplace(id);
      Write& w = it->second;
      if (fresh) w.length = w.unclaimed = length;
      if (w.host == nullptr && w.length == length) {
        w.host = host;
        w.finished = std::move(finished);
        finished = takeIfDone(id);
        mappedCv_.notify_all();
        if (!finished) return;  // the lanes finish it
        lock.unlock();
        return finished(true);
      }
      spdlog::warn("bulk socket: transfer {} mapped twice or with another length; closing it", id);
      mismatch = true;
    }
  }
  if (finished) finished(false);
  if (mismatch) close();
}

void BulkSocket::sendRead(std::uint64_t id, const unsigned char* host, std::size_t length,
                           std::function<void()> finished) {
  const auto pieces = bulk::piecesOf(length, lanes(), encrypted_ ? bulk::kMinSealedPieceBytes : bulk::kMinPieceBytes);
  auto out = std::make_shared<ReadOut>();
  out->piecesLeft = pieces.size();
  out->finished = std::move(finished);
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < pieces.size(); ++i)
      lanes_[i].sends.push_back(Send{{id, length, pieces[i].offset, pieces[i].length}, host, out});
  }
  sendReady_.notify_all();
}

void BulkSocket::sendLoop(std::size_t lane) {
  for (;;) {
    Send send;
    int fd = -1;
    {
      std::unique_lock lock(mutex_);
      auto& sends = lanes_[lane].sends;
      sendReady_.wait(lock, [&] { return stopping_ || !sends.empty(); });
      if (sends.empty()) return;
      send = std::move(sends.front());
      sends.pop_front();
      if (connected_ && !closed_) fd = lanes_[lane].socket.get();
    }
    const auto& header = send.header;
    auto* sealer = lanes_[lane].sealer.get();
    if (fd >= 0 && !(sealer != nullptr ? sealer->send(fd, header, send.bytes + header.offset)
                                       : bulk::sendAll(fd, &header, sizeof header, true) &&
                                             bulk::sendAll(fd, send.bytes + header.offset, header.length))) {
      spdlog::warn("bulk socket: cannot send transfer {}; closing it", header.id);
      close();
    } else if (fd >= 0) {
      bytesOut_ += sizeof header + header.length +
                   (sealer != nullptr ? (header.length + bulk::kRecordBytes - 1) / bulk::kRecordBytes *
                                                (sizeof header + bulk::kTagBytes) - sizeof header
                                      : 0);
    }
    if (--send.out->piecesLeft == 0) send.out->finished();
  }
}

void bulkPiece(CallContext& ctx, const protocol::calls::Piece& piece, bool write) {
  MappedStep step;
  if (auto channel = ctx.session().bulk(); channel && !channel->closed()) {
    if (write) {
      step = [channel](unsigned char* host, std::uint64_t, std::uint64_t id, std::size_t length, std::function<void(bool)> finished) {
        channel->receiveWrite(id, host, length, std::move(finished));
      };
    } else {
      step = [channel](unsigned char* host, std::uint64_t, std::uint64_t id, std::size_t length, std::function<void(bool)> finished) {
        channel->sendRead(id, host, length, [finished = std::move(finished)] { finished(true); });
      };
    }
  }
  mappedPiece(ctx, piece, write, "bulk socket pieces", std::move(step));
}

}  // namespace rcl::server
