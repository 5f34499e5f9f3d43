// A sealing lane's second thread (bulk_crypt.cpp): while the lane's own thread
// seals the next record into one buffer, this one sends the previous record
// from the other, so that sealing and sending overlap. Records leave in the
// order they were posted (slot 0, 1, 0, 1, ...).
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace rcl::protocol::bulk {

class RecordWire {
 public:
  static constexpr std::size_t kSlots = 2;

  explicit RecordWire(int fd);
  ~RecordWire();  // finish()
  RecordWire(const RecordWire&) = delete;
  RecordWire& operator=(const RecordWire&) = delete;

  // Waits until slot `s`'s previous record is sent; false: the connection failed
  // (nothing more is sent then).
  bool acquire(std::size_t s);
  // Slot `s` holds `size` bytes at `bytes` to send `copies` times (a test's replay: 2).
  void post(std::size_t s, const unsigned char* bytes, std::size_t size, int copies = 1);
  // Sends what was posted, then ends the thread; false if a send failed. Idempotent.
  bool finish();

 private:
  struct Slot {
    const unsigned char* bytes = nullptr;
    std::size_t size = 0;
    int copies = 0;
    bool full = false;
  };
  void run();

  const int fd_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::array<Slot, kSlots> slots_{};
  bool failed_ = false;
  bool closing_ = false;
  std::thread thread_;  // last: starts once the rest is set up
};

}  // namespace rcl::protocol::bulk
