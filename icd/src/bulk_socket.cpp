#include "rcl/icd/bulk_socket.h"

#include <sys/socket.h>

#include <vector>

#include "rcl/icd/log.h"

namespace rcl::icd {

namespace bulk = protocol::bulk;

namespace {
constexpr std::uint64_t kMaxTransfer = std::uint64_t{1} << 40;
}  // namespace

std::unique_ptr<BulkSocket> BulkSocket::connect(const std::string& host, std::uint16_t port, const Token& token,
                                                int timeoutMs, int stallMs, std::string& error) {
  auto fd = bulk::connectTo(host, port, timeoutMs, error);
  if (!fd) return nullptr;
  bulk::setReceiveTimeout(fd.get(), timeoutMs);
  unsigned char answer = 0;
  if (!bulk::sendAll(fd.get(), token.data(), token.size()) || !bulk::recvAll(fd.get(), &answer, 1) ||
      answer != bulk::kAccepted) {
    error = "the worker did not accept the bulk socket";
    return nullptr;
  }
  bulk::setReceiveTimeout(fd.get(), 0);
  bulk::setSendTimeout(fd.get(), stallMs);
  return std::make_unique<BulkSocket>(std::move(fd));
}

BulkSocket::BulkSocket(protocol::UniqueFd connected) : fd_(std::move(connected)) {
  receiver_ = std::thread([this] { receiveLoop(); });
}

BulkSocket::~BulkSocket() { close(); }

void BulkSocket::close() {
  abort();
  if (receiver_.joinable()) receiver_.join();
}

void BulkSocket::abort() { ::shutdown(fd_.get(), SHUT_RDWR); }

bool BulkSocket::alive() const {
  std::lock_guard lock(mutex_);
  return alive_;
}

bool BulkSocket::send(std::uint64_t id, const void* data, std::size_t size) {
  const bulk::Header header{id, size};
  std::lock_guard lock(sendMutex_);
  if (bulk::sendAll(fd_.get(), &header, sizeof header, true) && bulk::sendAll(fd_.get(), data, size)) return true;
  abort();  // a transfer cut short: nothing after it could be read right
  return false;
}

void BulkSocket::expect(std::uint64_t id, void* into, std::size_t size, std::function<void(cl_int)> done) {
  {
    std::lock_guard lock(mutex_);
    if (alive_) {
      expected_.emplace(id, Expected{into, size, std::move(done)});
      return;
    }
  }
  done(CL_OUT_OF_RESOURCES);
}

void BulkSocket::cancel(std::uint64_t id) {
  std::unique_lock lock(mutex_);
  received_.wait(lock, [&] { return receiving_ != id; });
  expected_.erase(id);
}

void BulkSocket::receiveLoop() {
  bulk::Header header{};
  std::vector<unsigned char> discard;
  while (bulk::recvAll(fd_.get(), &header, sizeof header)) {
    if (header.length > kMaxTransfer) break;  // no worker sends that: the stream cannot be trusted
    Expected expected{nullptr, 0, nullptr};
    {
      std::lock_guard lock(mutex_);
      auto it = expected_.find(header.id);
      if (it != expected_.end()) {
        if (it->second.size != header.length) break;  // not what was asked: the stream cannot be trusted
        expected = std::move(it->second);
        expected_.erase(it);
        receiving_ = header.id;
      }
    }
    void* into = expected.into;
    if (into == nullptr) {  // a read nobody waits for any more
      discard.resize(header.length);
      into = discard.data();
    }
    const bool ok = bulk::recvAll(fd_.get(), into, header.length);
    {
      std::lock_guard lock(mutex_);
      receiving_ = 0;
    }
    received_.notify_all();
    if (expected.done) expected.done(ok ? CL_COMPLETE : CL_OUT_OF_RESOURCES);
    if (!ok) break;
  }
  std::unordered_map<std::uint64_t, Expected> failed;
  {
    std::lock_guard lock(mutex_);
    alive_ = false;
    failed.swap(expected_);
  }
  if (!failed.empty()) log().warn("remote-cl: the bulk socket closed with {} reads on the way", failed.size());
  for (auto& [id, e] : failed) e.done(CL_OUT_OF_RESOURCES);
}

}  // namespace rcl::icd
