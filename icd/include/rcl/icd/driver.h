// The one ICD instance: configuration, the connections to every server, the
// platforms they offer, and the storage of every proxy.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "rcl/icd/connection.h"
#include "rcl/icd/info_cache.h"
#include "rcl/icd/trace.h"
#include "rcl/icd/object_pool.h"
#include "rcl/icd/objects.h"

namespace rcl::icd {

class Driver {
 public:
  // Created on first use; connects to the configured servers then.
  static Driver& instance();
  ~Driver();

  // The platforms of every configured server; connects on the first call.
  const std::vector<cl_platform_id>& platforms();
  Connection* defaultConnection();

  InfoCache& infoCache() { return infoCache_; }
  // The tracer when tracing is on (REMOTE_CL_TRACE), else nullptr.
  Tracer* tracer() const { return tracer_.get(); }
  std::uint64_t newId() { return nextId_++; }
  template <class P>
  P* newProxy();
  void recycle(Object* object);

 private:
  Driver();
  void connect();
  template <class P>
  ObjectPool<P>& pool();

  zmq::context_t zmq_;
  std::once_flag connected_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<cl_platform_id> platforms_;
  std::atomic<std::uint64_t> nextId_{1};
  InfoCache infoCache_;
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

template <class P>
P* Driver::newProxy() {
  P* p = pool<P>().allocate();
  p->kind = protocol::HandleTraits<P*>::kind;
  p->id = newId();
  return p;
}

}  // namespace rcl::icd
