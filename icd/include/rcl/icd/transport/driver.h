// The one ICD instance: configuration, the connections to every server, the
// platforms they offer, and the storage of every proxy.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "rcl/icd/transport/connection.h"
#include "rcl/icd/objects/info_cache.h"
#include "rcl/icd/transport/mapping_memory.h"
#include "rcl/protocol/no_destructor.h"
#include "rcl/icd/support/trace.h"
#include "rcl/icd/objects/object_pool.h"
#include "rcl/icd/objects/objects.h"
#include "rcl/icd/transport/server_link.h"

namespace rcl::icd {

class Driver {
 public:
  // Created on first use; connects to the configured servers then.
  static Driver& instance();
  // At exit: writes the trace, says goodbye to every server and stops the
  // connections' threads. The proxies stay: calls made later (from other
  // libraries' exit handlers) fail with CL_OUT_OF_RESOURCES or do nothing.
  void shutdown();

  // The platforms of every configured server; connects on the first call.
  const std::vector<cl_platform_id>& platforms();
  // The first server's current connection (for calls that name no object);
  // a new session first if it died and the server is back (server_link.h).
  Connection* defaultConnection();
  // `connection` died: if its server is back, its platforms and devices move
  // to a new session (rate limited; server_link.h).
  void revive(const Connection* connection);

  InfoCache& infoCache() { return infoCache_; }
  MappingMemory& mappingMemory() { return mappingMemory_; }
  // The tracer when tracing is on (REMOTE_CL_TRACE), else nullptr.
  Tracer* tracer() const { return tracer_.get(); }
  std::uint64_t newId() { return nextId_++; }
  template <class P>
  P* newProxy();
  void recycle(Object* object);

 private:
  template <class T>
  friend class rcl::NoDestructor;
  Driver();
  void connect();
  template <class P>
  ObjectPool<P>& pool();

  zmq::context_t zmq_;
  std::once_flag connected_;
  std::atomic<bool> shutDown_{false};
  std::vector<std::unique_ptr<ServerLink>> servers_;  // in placement order (placement.h)
  std::vector<cl_platform_id> platforms_;
  std::atomic<std::uint64_t> nextId_{1};
  InfoCache infoCache_;
  MappingMemory mappingMemory_;
  std::unique_ptr<Tracer> tracer_;
  ObjectPool<_cl_platform_id> platformPool_;
  ObjectPool<_cl_device_id> devicePool_;
  ObjectPool<_cl_context> contextPool_;
  ObjectPool<_cl_command_queue> queuePool_;
  ObjectPool<_cl_mem> memPool_;
  ObjectPool<_cl_program> programPool_;
  ObjectPool<_cl_kernel> kernelPool_;
  ObjectPool<_cl_event> eventPool_;
  ObjectPool<_cl_sampler> samplerPool_;
  ObjectPool<_cl_command_buffer_khr> commandBufferPool_;
};

template <> ObjectPool<_cl_platform_id>& Driver::pool();
template <> ObjectPool<_cl_device_id>& Driver::pool();
template <> ObjectPool<_cl_context>& Driver::pool();
template <> ObjectPool<_cl_command_queue>& Driver::pool();
template <> ObjectPool<_cl_mem>& Driver::pool();
template <> ObjectPool<_cl_program>& Driver::pool();
template <> ObjectPool<_cl_kernel>& Driver::pool();
template <> ObjectPool<_cl_event>& Driver::pool();
template <> ObjectPool<_cl_sampler>& Driver::pool();
template <> ObjectPool<_cl_command_buffer_khr>& Driver::pool();

template <class P>
P* Driver::newProxy() {
  P* p = pool<P>().allocate();
  p->kind = protocol::HandleTraits<P*>::kind;
  p->id = newId();
  return p;
}

// Records a call the client answered itself (no round trip), when tracing.
void traceLocalAnswer(const char* call, cl_int status = CL_SUCCESS);
// Records a call that sent nothing but waited from `start` for pushed
// completions (clWaitForEvents): a round trip when it had to wait for the
// device (`waited`), none when everything was already complete.
void traceWaitForPushes(const char* call, std::chrono::steady_clock::time_point start, bool waited, cl_int status);

}  // namespace rcl::icd
