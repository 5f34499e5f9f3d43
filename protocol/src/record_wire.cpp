#include "record_wire.h"

#include "rcl/protocol/bulk_socket.h"

namespace rcl::protocol::bulk {

RecordWire::RecordWire(int fd) : fd_(fd), thread_([this] { run(); }) {}

RecordWire::~RecordWire() { finish(); }

bool RecordWire::acquire(std::size_t s) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return failed_ || !slots_[s].full; });
  return !failed_;
}

void RecordWire::post(std::size_t s, const unsigned char* bytes, std::size_t size, int copies) {
  {
    std::lock_guard lock(mutex_);
    slots_[s] = Slot{bytes, size, copies, true};
  }
  changed_.notify_all();
}

bool RecordWire::finish() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  return !failed_;
}

void RecordWire::run() {
  for (std::size_t s = 0;; s = (s + 1) % kSlots) {
    Slot slot;
    bool failed = false;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return closing_ || slots_[s].full; });
      if (!slots_[s].full) return;  // closing, and the next record in order was never posted
      slot = slots_[s];
      failed = failed_;
    }
    bool ok = !failed;
    for (int i = 0; ok && i < slot.copies; ++i) ok = sendAll(fd_, slot.bytes, slot.size);
    {
      std::lock_guard lock(mutex_);
      slots_[s].full = false;
      failed_ = failed_ || !ok;
    }
    changed_.notify_all();
  }
}

}  // namespace rcl::protocol::bulk
