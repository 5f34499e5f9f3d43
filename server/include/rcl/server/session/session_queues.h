// The command queues a session made, held (retained once each) until the
// session ends so that every command has run before its memory goes, and
// which of them are busy: have commands not yet complete (for the status
// query, every second).
//
// Busy is read from the queue's progress, with no call into the platform: an
// in-order queue is busy while commands went in after the last one whose
// completion the session saw (the completion each command's event pushes to
// the client moves QueueProgress::finished). Out-of-order queues are not
// counted. (Probing with markers crashed PoCL on the queues of a sub-device
// the client had released.)
// Thread-safe: the session adds queues, the worker's reporter counts.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <CL/cl.h>

#include "rcl/server/session/handle_table.h"

namespace rcl::server {

class SessionQueues {
 public:
  SessionQueues() = default;
  ~SessionQueues();
  SessionQueues(const SessionQueues&) = delete;
  SessionQueues& operator=(const SessionQueues&) = delete;

  // Holds `queue` (retains it); `progress` counts the commands that went in.
  void keep(cl_command_queue queue, std::shared_ptr<QueueProgress> progress);
  // How many of the queues have commands not yet complete.
  std::uint64_t busy();
  // Gives up every queue (each still retained once, for the caller to release).
  std::vector<cl_command_queue> takeAll();

 private:
  struct Queue {
    cl_command_queue queue = nullptr;
    std::shared_ptr<QueueProgress> progress;
  };
  static bool isBusy(const Queue& q);

  std::mutex mutex_;
  std::vector<Queue> queues_;
};

}  // namespace rcl::server
