// The client's end of a session's bulk socket (protocol/bulk_socket.h): write
// bytes go out of the application's memory straight into the socket (on the
// calling thread), read bytes come off it straight into the application's
// memory (on a receiver thread of its own).
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include <CL/cl.h>

#include "rcl/protocol/bulk_socket.h"

namespace rcl::icd {

class BulkSocket {
 public:
  using Token = std::array<unsigned char, protocol::bulk::kTokenBytes>;

  // Connects to the worker at host:port with `token` and waits for its answer
  // (at most `timeoutMs`); nullptr (and `error`) on failure. A send that makes
  // no progress for `stallMs` fails (a peer gone silent).
  static std::unique_ptr<BulkSocket> connect(const std::string& host, std::uint16_t port, const Token& token,
                                             int timeoutMs, int stallMs, std::string& error);
  // Takes over a connection the worker accepted; starts the receiver.
  explicit BulkSocket(protocol::UniqueFd connected);
  ~BulkSocket();  // close()
  // Shuts the socket down, joins the receiver, fails the reads still expected. Idempotent.
  void close();
  // Shuts the socket down (the receiver then fails the reads still expected), from any thread.
  void abort();
  BulkSocket(const BulkSocket&) = delete;
  BulkSocket& operator=(const BulkSocket&) = delete;

  // Sends transfer `id`'s bytes; false if the socket failed (it is closed then).
  bool send(std::uint64_t id, const void* data, std::size_t size);
  // Transfer `id`'s `size` bytes will come: received into `into`, then
  // `done(CL_COMPLETE)` on the receiver thread (or a failure, once).
  void expect(std::uint64_t id, void* into, std::size_t size, std::function<void(cl_int)> done);
  // Forgets an expected read (its piece was not sent); waits if its bytes are coming in now.
  void cancel(std::uint64_t id);
  bool alive() const;

 private:
  struct Expected {
    void* into;
    std::size_t size;
    std::function<void(cl_int)> done;
  };
  void receiveLoop();

  protocol::UniqueFd fd_;
  std::mutex sendMutex_;
  mutable std::mutex mutex_;
  std::condition_variable received_;
  bool alive_ = true;
  std::uint64_t receiving_ = 0;  // the id whose bytes come in now (0: none)
  std::unordered_map<std::uint64_t, Expected> expected_;
  std::thread receiver_;
};

}  // namespace rcl::icd
