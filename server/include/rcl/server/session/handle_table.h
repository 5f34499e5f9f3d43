// One client session's objects: the ids the client uses, the real OpenCL
// handles behind them, and how many references the client holds. Every id
// that arrives is checked here for existence and type; an id of another
// session is simply unknown.
#pragma once

#include <atomic>
#include <memory>
#include <cstdint>
#include <functional>
#include <set>
#include <unordered_map>

#include <CL/cl.h>

#include "rcl/protocol/object_kind.h"
#include "rcl/server/support/call_error.h"

namespace rcl::server {

using protocol::ObjectKind;

// A queue's calls: how many named it, and up to which of them everything is
// known done (seen by a finished clFinish, or, on an in-order queue, by the
// completion of a later command). Equal: the queue is idle, clFinish can
// answer at once. (Atomic: completions come on other threads.)
struct QueueProgress {
  std::atomic<std::uint64_t> enqueued{0};
  std::atomic<std::uint64_t> finished{0};
  // The last call that may wait: any but one settled on send (protocol/queue_commands.h).
  std::atomic<std::uint64_t> mayWait{0};
  bool inOrder = false;
  // Everything since the queue was last known finished ends without waiting
  // for anything (writes with no wait list): a clFinish may wait for it inline.
  bool settles() const { return mayWait.load() <= finished.load(); }
  // Everything up to call `upTo` is done.
  void doneUpTo(std::uint64_t upTo) {
    std::uint64_t seen = finished.load();
    while (seen < upTo && !finished.compare_exchange_weak(seen, upTo)) {
    }
  }
};

class HandleTable {
 public:
  struct Entry {
    ObjectKind kind = ObjectKind::None;
    void* handle = nullptr;
    std::uint32_t refs = 1;  // references the client holds
    bool pinned = false;     // platforms and root devices: never released
    std::shared_ptr<QueueProgress> progress;  // queues only
    std::size_t bytes = 0;   // memory objects: the device memory they hold (not sub-buffers)
  };

  // The real handle behind `id`, or CallError with the type's invalid error
  // (or the error its pipelined creation failed with).
  template <class Handle>
  Handle get(std::uint64_t id) const {
    constexpr auto kind = protocol::HandleTraits<Handle>::kind;
    const auto it = byId_.find(id);
    if (it == byId_.end() || it->second.kind != kind) {
      if (const auto failed = failed_.find(id);
          failed != failed_.end() && (failed->second.kind == kind || failed->second.kind == ObjectKind::None))
        throw CallError(failed->second.error, std::string("the ") + protocol::kindName(kind) +
                                                  "'s creation failed (a pipelined creation)");
      throw CallError(protocol::HandleTraits<Handle>::invalidError,
                      std::string("unknown ") + protocol::kindName(kind) + " id");
    }
    return static_cast<Handle>(it->second.handle);
  }

  // A creation the client did not wait for failed with `error`: every use of
  // `id` fails with it until the client releases the object (forgetFailed).
  // ObjectKind::None: a creation refused before it knew its kind (an
  // argument), which fails the uses of any kind.
  // Bounded: past kMaxFailed such ids, the id is just unknown.
  void addFailed(std::uint64_t id, ObjectKind kind, cl_int error);
  // Whether `id` named a failed creation (now forgotten).
  bool forgetFailed(std::uint64_t id) { return failed_.erase(id) != 0; }
  static constexpr std::size_t kMaxFailed = 1 << 16;

  // The handle behind an id of any kind that can be a kernel argument
  // (memory object, sampler, device queue); CallError(error) otherwise (or
  // the error its pipelined creation failed with).
  void* any(std::uint64_t id, cl_int error) const;

  // Registers an object the client named; CallError if the id is taken.
  // `bytes`: the device memory it holds, counted in memoryBytes().
  void add(std::uint64_t id, ObjectKind kind, void* handle, std::size_t bytes = 0);
  std::size_t memoryBytes() const { return memoryBytes_; }
  // Objects the client holds, platforms, root devices and events aside (what limits count).
  std::size_t objectCount() const { return objectCount_; }
  // The id of a known handle, 0 if the session does not know it.
  std::uint64_t idOf(const void* handle) const;
  // The id of a handle, registering it under a fresh server id if new.
  std::uint64_t idOrAdopt(void* handle, ObjectKind kind);

  // Marks every entry so far as never released (platforms, root devices).
  void pinAll();

  void retained(std::uint64_t id);
  // Drops one client reference; the entry goes when none are left.
  void released(std::uint64_t id);

  // Queues: note that a command went in, one that `mayWait` for something
  // (protocol::settlesOnSend); then that it does after all (a wait list).
  void markBusy(const void* queue, bool mayWait);
  void markMayWait(const void* queue);
  // A known queue's progress, made if it has none yet (nullptr for an unknown queue).
  std::shared_ptr<QueueProgress> progressFor(const void* queue);
  std::shared_ptr<QueueProgress> progressOf(const void* queue) const;

  // A kernel argument the client set without waiting failed to set (or, with
  // `failed` false, was set): the kernel's launches fail with
  // CL_INVALID_KERNEL_ARGS while any such argument is left.
  void argFailed(std::uint64_t kernel, cl_uint index, bool failed);
  bool argsFailed(std::uint64_t kernel) const { return failedArgs_.count(kernel) != 0; }

  std::size_t size() const { return byId_.size(); }
  // Visits every entry (for cleanup and statistics).
  void forEach(const std::function<void(std::uint64_t, const Entry&)>& visit) const;
  void clear();

 private:
  std::unordered_map<std::uint64_t, Entry> byId_;
  std::unordered_map<const void*, std::uint64_t> byHandle_;
  struct Failed {
    ObjectKind kind;
    cl_int error;
  };
  std::unordered_map<std::uint64_t, Failed> failed_;
  std::unordered_map<std::uint64_t, std::set<cl_uint>> failedArgs_;  // kernel id -> argument indexes
  std::uint64_t nextServerId_ = 1;
  std::size_t memoryBytes_ = 0;
  std::size_t objectCount_ = 0;
  void counted(const Entry& entry, int change);
};

}  // namespace rcl::server
