#include "rcl/server/session/outbox.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <system_error>

namespace rcl::server {

Outbox::Outbox() : wakeFd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wakeFd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Outbox::~Outbox() { close(wakeFd_); }

void Outbox::post(protocol::Frames frames, std::uint64_t replyTo) {
  bool wasEmpty;
  {
    std::lock_guard lock(mutex_);
    wasEmpty = queue_.empty();
    queue_.push_back(Message{std::move(frames), replyTo});
  }
  if (wasEmpty) wake();
}

void Outbox::wake() {
  const std::uint64_t one = 1;
  (void)!write(wakeFd_, &one, sizeof one);
}

std::deque<Outbox::Message> Outbox::drain() {
  std::uint64_t count;
  (void)!read(wakeFd_, &count, sizeof count);
  std::lock_guard lock(mutex_);
  return std::exchange(queue_, {});
}

}  // namespace rcl::server
