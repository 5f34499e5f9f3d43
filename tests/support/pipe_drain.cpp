#include "pipe_drain.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace rcl::test {

namespace {

constexpr int kPollIntervalMs = 100;

void writeAll(int fd, const char* data, ssize_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, static_cast<size_t>(size));
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere to report to; losing log output is acceptable.
    }
    data += written;
    size -= written;
  }
}

}  // namespace

PipeDrain::PipeDrain(UniqueFd source, UniqueFd sink)
    : source_(std::move(source)), sink_(std::move(sink)), thread_([this] { run(); }) {
  while (!running_.load()) std::this_thread::yield();
}

PipeDrain::~PipeDrain() { stop(); }

void PipeDrain::stop() {
  stopRequested_ = true;
  if (thread_.joinable()) thread_.join();
}

void PipeDrain::run() {
  running_ = true;
  char buffer[4096];
  for (;;) {
    pollfd pfd{source_.get(), POLLIN, 0};
    // Once stop() was called, only take what is already buffered.
    const int ready = ::poll(&pfd, 1, stopRequested_ ? 0 : kPollIntervalMs);
    if (ready < 0 && errno != EINTR) return;
    if (ready <= 0) {
      if (stopRequested_) return;
      continue;
    }
    const ssize_t got = ::read(source_.get(), buffer, sizeof buffer);
    if (got == 0) return;  // EOF: every writer has exited.
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return;
    }
    writeAll(sink_.get(), buffer, got);
  }
}

}  // namespace rcl::test
