#pragma once
// Copies everything arriving on a pipe into a file, on a background thread, until EOF or stop().
// Keeps a child's stdout pipe from filling up (and blocking the child) after we stop reading it.

#include <atomic>
#include <thread>

#include "unique_fd.h"

namespace rcl::test {

class PipeDrain {
 public:
  // Takes ownership of both descriptors. Returns once the thread runs: tests
  // fork children right after starting a server, and a thread still starting
  // up may hold the sanitizer allocator's locks, which a child would inherit
  // locked (a child of the ASan build hung that way).
  PipeDrain(UniqueFd source, UniqueFd sink);
  ~PipeDrain();

  PipeDrain(const PipeDrain&) = delete;
  PipeDrain& operator=(const PipeDrain&) = delete;

  // Copies what is still readable without blocking, then ends the thread. Idempotent.
  void stop();

 private:
  void run();

  UniqueFd source_;
  UniqueFd sink_;
  std::atomic<bool> stopRequested_{false};
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace rcl::test
