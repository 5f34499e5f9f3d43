#include "rcl/server/bulk_channel.h"

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <new>
#include <random>

#include <spdlog/spdlog.h>

#include "rcl/server/call_context.h"
#include "rcl/server/mapped_transfer.h"

namespace rcl::server {

namespace bulk = protocol::bulk;

namespace {
// How long the worker waits for the client's connection.
constexpr auto kAcceptWithin = std::chrono::seconds(5);
// Bytes usually come a little before their region is mapped (the piece that
// maps it travels on another socket): the receiver waits this long for the
// map, so that they go straight into place, before it holds them aside.
constexpr auto kMapPatience = std::chrono::milliseconds(20);
}  // namespace

std::shared_ptr<BulkChannel> BulkChannel::open(const std::string& host,
                                               std::optional<std::pair<unsigned, unsigned>> ports,
                                               std::size_t maxTransferBytes, std::atomic<std::uint64_t>& bytesIn,
                                               std::atomic<std::uint64_t>& bytesOut, std::string& error) {
  std::uint16_t port = 0;
  protocol::UniqueFd listener;
  if (!ports) listener = bulk::listenOn(host, port, error);
  for (unsigned p = ports ? ports->first : 1; ports && p <= ports->second && !listener; ++p) {
    port = static_cast<std::uint16_t>(p);
    listener = bulk::listenOn(host, port, error);
  }
  if (!listener) return nullptr;
  return std::make_shared<BulkChannel>(std::move(listener), port, maxTransferBytes, bytesIn, bytesOut);
}

BulkChannel::BulkChannel(protocol::UniqueFd listener, std::uint16_t port, std::size_t maxTransferBytes,
                         std::atomic<std::uint64_t>& bytesIn, std::atomic<std::uint64_t>& bytesOut)
    : listener_(std::move(listener)),
      port_(port),
      maxTransferBytes_(maxTransferBytes),
      bytesIn_(bytesIn),
      bytesOut_(bytesOut) {
  std::random_device random;
  for (auto& b : token_) b = static_cast<unsigned char>(random());
  receiver_ = std::thread([this] { acceptThenReceive(); });
  sender_ = std::thread([this] { sendLoop(); });
}

BulkChannel::~BulkChannel() {
  close();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  sendReady_.notify_all();
  receiver_.join();
  sender_.join();
}

void BulkChannel::close() {
  std::vector<std::function<void()>> finished;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    if (socket_) ::shutdown(socket_.get(), SHUT_RDWR);
    // Writes the receiver is not reading into finish now; it finishes its own.
    for (auto it = writes_.begin(); it != writes_.end();) {
      if (it->second.receiving) {
        ++it;
        continue;
      }
      if (it->second.finished) finished.push_back(std::move(it->second.finished));
      it = writes_.erase(it);
    }
    earlyBytes_ = 0;
  }
  earlyFreed_.notify_all();
  mappedCv_.notify_all();
  sendReady_.notify_all();
  for (auto& f : finished) f();
}

bool BulkChannel::closed() {
  std::lock_guard lock(mutex_);
  return closed_;
}

void BulkChannel::acceptThenReceive() {
  const bool connected = accept();
  listener_.reset();
  if (!connected) return close();
  receive();
  close();
}

bool BulkChannel::accept() {
  const auto deadline = std::chrono::steady_clock::now() + kAcceptWithin;
  while (std::chrono::steady_clock::now() < deadline) {
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
    socket_ = std::move(peer);
    return true;
  }
  spdlog::warn("bulk socket: the client did not connect within {} s", kAcceptWithin.count());
  return false;
}

std::function<void()> BulkChannel::takeIfDone(std::uint64_t id) {
  const auto it = writes_.find(id);
  if (it == writes_.end()) return nullptr;
  Write& w = it->second;
  if (!w.arrived || w.receiving || !w.finished) return nullptr;
  if (!w.early.empty()) {
    std::memcpy(w.host, w.early.data(), std::min(w.early.size(), w.length));
    earlyBytes_ -= w.early.size();
    earlyFreed_.notify_all();
  }
  auto finished = std::move(w.finished);
  writes_.erase(it);
  return finished;
}

void BulkChannel::receive() {
  const int fd = socket_.get();  // set before this thread reads it; closed only when the channel goes
  bulk::Header header{};
  while (bulk::recvAll(fd, &header, sizeof header)) {
    unsigned char* into = nullptr;
    {
      std::unique_lock lock(mutex_);
      mappedCv_.wait_for(lock, kMapPatience, [&] {
        const auto found = writes_.find(header.id);
        return closed_ || (found != writes_.end() && found->second.host != nullptr);
      });
      auto it = writes_.find(header.id);
      const bool mapped = it != writes_.end() && it->second.host != nullptr;
      if (header.length > maxTransferBytes_ || (it != writes_.end() && (it->second.arrived || it->second.receiving)) ||
          (mapped && header.length != it->second.length)) {
        spdlog::warn("bulk socket: bytes of transfer {} are not what its piece says; closing it", header.id);
        return;
      }
      if (!mapped) {
        // They came before their region was mapped: held until it is (within a budget).
        earlyFreed_.wait(lock, [&] { return closed_ || earlyBytes_ + header.length <= maxTransferBytes_; });
        if (closed_) return;
        it = writes_.try_emplace(header.id).first;
        it->second.length = header.length;
        try {
          it->second.early.resize(header.length);
        } catch (const std::bad_alloc&) {
          spdlog::warn("bulk socket: no memory for {} bytes of transfer {} that came early; closing it", header.length,
                       header.id);
          writes_.erase(it);
          return;
        }
        earlyBytes_ += header.length;
      }
      Write& w = it->second;
      w.receiving = true;
      into = mapped ? w.host : w.early.data();
    }
    const bool ok = bulk::recvAll(fd, into, header.length);
    if (ok) bytesIn_ += sizeof header + header.length;
    std::function<void()> finished;
    {
      std::lock_guard lock(mutex_);
      auto it = writes_.find(header.id);
      it->second.receiving = false;
      it->second.arrived = ok;
      if (ok && !closed_) {
        finished = takeIfDone(header.id);
      } else {
        finished = std::move(it->second.finished);
        writes_.erase(it);
      }
    }
    if (finished) finished();
    if (!ok) return;
  }
}

void BulkChannel::receiveWrite(std::uint64_t id, unsigned char* host, std::size_t length,
                               std::function<void()> finished) {
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      Write& w = writes_[id];
      if (w.host == nullptr && (w.early.empty() || w.early.size() == length)) {
        w.length = length;
        w.host = host;
        w.finished = std::move(finished);
        finished = takeIfDone(id);
        mappedCv_.notify_all();
        if (!finished) return;  // the receiver finishes it
      } else {
        spdlog::warn("bulk socket: transfer {} mapped twice or with another length", id);
      }
    }
  }
  if (finished) finished();
}

void BulkChannel::sendRead(std::uint64_t id, const unsigned char* host, std::size_t length,
                           std::function<void()> finished) {
  {
    std::lock_guard lock(mutex_);
    sends_.push_back(Send{id, host, length, std::move(finished)});
  }
  sendReady_.notify_all();
}

void BulkChannel::sendLoop() {
  for (;;) {
    Send send;
    int fd = -1;
    {
      std::unique_lock lock(mutex_);
      sendReady_.wait(lock, [this] { return stopping_ || !sends_.empty(); });
      if (sends_.empty()) return;
      send = std::move(sends_.front());
      sends_.pop_front();
      if (!closed_) fd = socket_.get();
    }
    const bulk::Header header{send.id, send.length};
    if (fd >= 0 && !(bulk::sendAll(fd, &header, sizeof header, true) && bulk::sendAll(fd, send.host, send.length))) {
      spdlog::warn("bulk socket: cannot send transfer {}; closing it", send.id);
      close();
    } else if (fd >= 0) {
      bytesOut_ += sizeof header + send.length;
    }
    send.finished();
  }
}

void bulkPiece(CallContext& ctx, bool write) {
  MappedStep step;
  if (auto channel = ctx.session().bulk(); channel && !channel->closed()) {
    if (write) {
      step = [channel](unsigned char* host, std::uint64_t, std::uint64_t id, std::size_t length, std::function<void()> finished) {
        channel->receiveWrite(id, host, length, std::move(finished));
      };
    } else {
      step = [channel](unsigned char* host, std::uint64_t, std::uint64_t id, std::size_t length, std::function<void()> finished) {
        channel->sendRead(id, host, length, std::move(finished));
      };
    }
  }
  mappedPiece(ctx, write, "bulk socket pieces", std::move(step));
}

}  // namespace rcl::server
