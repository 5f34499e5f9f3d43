// The command queues a session made, held (retained once each) until the
// session ends so that every command has run before its memory goes, and
// which of them are busy: have commands not yet complete (for the status
// query, every second).
//
// Busy is found with a marker: when a queue got commands since it was last
// seen idle, a marker (clEnqueueMarkerWithWaitList: complete when every
// command before it is) goes in and is flushed; the queue is busy until that
// marker completes. A marker is no barrier: it holds back no later command.
// Thread-safe: the session adds queues, the worker's reporter counts.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <CL/cl.h>

#include "rcl/server/handle_table.h"

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
    cl_event marker = nullptr;       // the probe in flight
    std::uint64_t markedAt = 0;      // progress->enqueued when it went in
    std::uint64_t idleAt = 0;        // progress->enqueued when the queue was last seen idle
  };
  static bool isBusy(Queue& q);
  static void dropMarker(Queue& q);

  std::mutex mutex_;
  std::vector<Queue> queues_;
};

}  // namespace rcl::server
