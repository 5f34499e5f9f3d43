#include "rcl/server/session/handle_table.h"

#include <utility>

#include "rcl/protocol/message.h"

namespace rcl::server {

void HandleTable::add(std::uint64_t id, ObjectKind kind, void* handle, std::size_t bytes) {
  if (id == 0 || (id & protocol::kServerIdBit) != 0) throw CallError(CL_INVALID_VALUE, "object id out of the client's range");
  Entry entry{kind, handle, 1, false, nullptr, bytes};
  if (!byId_.emplace(id, entry).second) throw CallError(CL_INVALID_VALUE, "object id already in use");
  byHandle_[handle] = id;
  counted(entry, +1);
}

void HandleTable::addFailed(std::uint64_t id, ObjectKind kind, cl_int error) {
  if (id == 0 || (id & protocol::kServerIdBit) != 0 || byId_.count(id) != 0 || failed_.size() >= kMaxFailed) return;
  failed_[id] = Failed{kind, error};
}

void HandleTable::counted(const Entry& entry, int change) {
  if (change > 0) memoryBytes_ += entry.bytes;
  else memoryBytes_ -= entry.bytes;
  if (!entry.pinned && entry.kind != ObjectKind::Event) objectCount_ += change;
}

void* HandleTable::any(std::uint64_t id, cl_int error) const {
  const auto it = byId_.find(id);
  if (it == byId_.end()) {
    // An argument whose pipelined creation failed: its use fails as that creation did.
    if (const auto failed = failed_.find(id); failed != failed_.end())
      throw CallError(failed->second.error, "an argument's creation failed (a pipelined creation)");
    throw CallError(error, "unknown object id");
  }
  switch (it->second.kind) {
    case ObjectKind::Mem:
    case ObjectKind::Sampler:
    case ObjectKind::Queue:
      return it->second.handle;
    default:
      throw CallError(error, "object cannot be a kernel argument");
  }
}

std::uint64_t HandleTable::idOf(const void* handle) const {
  const auto it = byHandle_.find(handle);
  return it == byHandle_.end() ? 0 : it->second;
}

std::uint64_t HandleTable::idOrAdopt(void* handle, ObjectKind kind) {
  if (handle == nullptr) return 0;
  if (const auto id = idOf(handle); id != 0) return id;
  const std::uint64_t id = protocol::kServerIdBit | nextServerId_++;
  const Entry entry{kind, handle, 1, false, nullptr, 0};
  byId_.emplace(id, entry);
  byHandle_[handle] = id;
  counted(entry, +1);
  return id;
}

void HandleTable::pinAll() {
  for (auto& [id, entry] : byId_) {
    if (!entry.pinned) counted(entry, -1);
    entry.pinned = true;
  }
}

void HandleTable::markBusy(const void* queue, bool mayWait) {
  if (const auto progress = progressFor(queue)) {
    ++progress->enqueued;
    if (mayWait) progress->mayWait = progress->enqueued.load();
  }
}

void HandleTable::markMayWait(const void* queue) {
  if (const auto progress = progressFor(queue)) progress->mayWait = progress->enqueued.load();
}

std::shared_ptr<QueueProgress> HandleTable::progressFor(const void* queue) {
  const auto it = byId_.find(idOf(queue));
  if (it == byId_.end()) return nullptr;
  auto& progress = it->second.progress;
  if (!progress) {
    progress = std::make_shared<QueueProgress>();
    cl_command_queue_properties properties = 0;
    auto* q = static_cast<cl_command_queue>(const_cast<void*>(queue));
    progress->inOrder = ::clGetCommandQueueInfo(q, CL_QUEUE_PROPERTIES, sizeof properties, &properties, nullptr) ==
                            CL_SUCCESS &&
                        (properties & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) == 0;
  }
  return progress;
}

std::shared_ptr<QueueProgress> HandleTable::progressOf(const void* queue) const {
  const auto it = byId_.find(idOf(queue));
  return it != byId_.end() ? it->second.progress : nullptr;
}

void HandleTable::retained(std::uint64_t id) {
  if (auto it = byId_.find(id); it != byId_.end()) ++it->second.refs;
}

void HandleTable::released(std::uint64_t id) {
  auto it = byId_.find(id);
  if (it == byId_.end() || it->second.pinned) return;
  if (--it->second.refs == 0) {
    counted(it->second, -1);
    byHandle_.erase(it->second.handle);
    byId_.erase(it);
    failedArgs_.erase(id);
  }
}

void HandleTable::argFailed(std::uint64_t kernel, cl_uint index, bool failed) {
  if (failed) {
    failedArgs_[kernel].insert(index);
  } else if (const auto it = failedArgs_.find(kernel); it != failedArgs_.end()) {
    it->second.erase(index);
    if (it->second.empty()) failedArgs_.erase(it);
  }
}

void HandleTable::forEach(const std::function<void(std::uint64_t, const Entry&)>& visit) const {
  for (const auto& [id, entry] : byId_) visit(id, entry);
}

void HandleTable::clear() {
  byId_.clear();
  failed_.clear();
  byHandle_.clear();
  memoryBytes_ = 0;
  objectCount_ = 0;
}

}  // namespace rcl::server
