// What a handler sees of one call: the decoded arguments, typed and checked,
// and the reply it builds. Generated handlers (server_handlers.cpp) and
// hand-written ones (custom_*.cpp) use only this interface.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CL/cl.h>

#include "rcl/protocol/call_ids.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/queue_commands.h"
#include "rcl/server/support/call_error.h"
#include "rcl/server/session/callbacks.h"
#include "rcl/server/calls/info_filters.h"
#include "rcl/server/session/session.h"

namespace rcl::server {

class CallContext;
using Handler = void (*)(CallContext&);
extern const Handler kHandlers[protocol::kCallIdCount];
extern const bool kRunsLong[protocol::kCallIdCount];

// A pointer to pass for "present but empty" arrays, so the implementation
// sees a non-NULL pointer exactly when the client passed one.
inline constexpr std::uint64_t kEmptyArraySentinel[1] = {0};

template <class T>
class ArrayArg {
 public:
  ArrayArg() = default;
  explicit ArrayArg(std::vector<T> values) : values_(std::move(values)), present_(true) {}
  const T* data() const {
    if (!present_) return nullptr;
    return values_.empty() ? reinterpret_cast<const T*>(kEmptyArraySentinel) : values_.data();
  }
  std::size_t size() const { return values_.size(); }
  bool present() const { return present_; }

 private:
  std::vector<T> values_;
  bool present_ = false;
};

class StringArg {
 public:
  StringArg() = default;
  explicit StringArg(std::string s) : value_(std::move(s)), present_(true) {}
  const char* c_str() const { return present_ ? value_.c_str() : nullptr; }

 private:
  std::string value_;
  bool present_ = false;
};

// A list of strings or binaries, with the pointer and length arrays OpenCL wants.
template <class Char>
class BlobListArg {
 public:
  BlobListArg() = default;
  explicit BlobListArg(std::vector<std::string> items) : items_(std::move(items)), present_(true) {
    for (const auto& s : items_) {
      pointers_.push_back(reinterpret_cast<const Char*>(s.c_str()));
      lengths_.push_back(s.size());
    }
  }
  const Char** pointers() { return present_ ? pointers_.data() : nullptr; }
  const size_t* lengths() const { return present_ ? lengths_.data() : nullptr; }
  std::size_t size() const { return items_.size(); }
  bool present() const { return present_; }

 private:
  std::vector<std::string> items_;
  std::vector<const Char*> pointers_;
  std::vector<size_t> lengths_;
  bool present_ = false;
};
using StringsArg = BlobListArg<char>;
using BlobsArg = BlobListArg<unsigned char>;

// Bytes that came with the call (inline or in a bulk frame).
class BytesArg {
 public:
  BytesArg() = default;
  explicit BytesArg(std::string_view bytes) : bytes_(bytes), present_(true) {}
  const void* data() const { return present_ ? bytes_.data() : nullptr; }
  std::size_t size() const { return bytes_.size(); }
  template <class T>
  const T* as() const {
    if (present_ && bytes_.size() < sizeof(T)) throw CallError(CL_INVALID_VALUE, "value too short");
    return static_cast<const T*>(data());
  }

 private:
  std::string_view bytes_;
  bool present_ = false;
};

// An SVM address the client sent (the server's address of its pointer). Its
// pointer is given out only once CallContext::expectSvm checked that the
// session owns the bytes the call touches (NULL passes: the implementation refuses it).
class SvmArg {
 public:
  SvmArg() = default;
  explicit SvmArg(std::uint64_t address) : address_(address) {}
  std::uint64_t address() const { return address_; }
  void* pointer() const {
    if (!checked_) throw CallError(CL_INVALID_VALUE, "an SVM address used unchecked");
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(address_));
  }

 private:
  friend class CallContext;
  std::uint64_t address_ = 0;
  bool checked_ = false;
};

template <class T>
struct OutArg {
  T value{};
  bool wanted = false;
  T* ptr() { return wanted ? &value : nullptr; }
};

template <class T>
struct OutArrayArg {
  std::vector<T> values;
  bool wanted = false;
  T* data() { return wanted ? (values.empty() ? reinterpret_cast<T*>(const_cast<std::uint64_t*>(kEmptyArraySentinel)) : values.data()) : nullptr; }
};

struct EventOut {
  std::uint64_t id = 0;
  cl_event event = nullptr;
  cl_event* ptr() { return id != 0 ? &event : nullptr; }
};

template <CallbackKind K>
struct CallbackArg {
  void* key = nullptr;  // CallbackTargets::add's
  auto function() const { return key != nullptr ? &CallbackTrampoline<K>::call : nullptr; }
  void* userData() const { return key; }
};

using protocol::mayEnqueue;

// The release calls of the kinds whose creation the client may pipeline
// (contexts, programs of source, buffers, kernels, samplers, host queues,
// user events: icd/include/rcl/icd/entry/pipelined.h): they may name an id
// whose creation failed.
constexpr bool releases(protocol::CallId call) {
  using protocol::CallId;
  return call == CallId::clReleaseMemObject || call == CallId::clReleaseKernel || call == CallId::clReleaseSampler ||
         call == CallId::clReleaseCommandQueue || call == CallId::clReleaseEvent ||
         call == CallId::clReleaseContext || call == CallId::clReleaseProgram;
}

class CallContext {
 public:
  // `holdsState`: the call runs on the session's leader, holding its state
  // (Session::Outside); false for held calls' helpers and the fuzzer.
  CallContext(Session& session, protocol::Reader& args, std::uint64_t seq, protocol::CallId call,
              bool holdsState = false);

  // Runs the real OpenCL call `realCall` outside the session's state: a slow
  // driver lets the session go on (session.h).
  template <class F>
  auto outside(F&& realCall) {
    Session::Outside guard(session_, holdsState_, seq_ == 0);
    if (!delayed_) {
      delayed_ = true;
      session_.delayForTests(call_);
    }
    return realCall();
  }

  Session& session() { return session_; }
  protocol::Reader& args() { return args_; }
  protocol::CallId call() const { return call_; }
  std::uint64_t seq() const { return seq_; }

  // ---- arguments, in the order the client encoded them
  std::uint64_t newId();
  template <class Handle>
  Handle handle() {
    if (args_.isNil()) return nullptr;
    return handleOf<Handle>(args_.u64());
  }
  // The object an id names (a described request's handle field, protocol::calls::NAME), checked as handle() does.
  template <class Handle>
  Handle handleOf(std::uint64_t id) {
    // Releasing an object whose pipelined creation failed: nothing is left
    // to release on the platform (the call succeeds, as the client's did).
    if (releases(call_) && session_.table().forgetFailed(id)) throw CallError(CL_SUCCESS, "released a failed creation");
    Handle h = session_.table().get<Handle>(id);
    if constexpr (std::is_same_v<Handle, cl_command_queue>) {
      if (mayEnqueue(call_)) session_.table().markBusy(h);
    }
    // (Refused once its event is known, so that the event fails: event().)
    if constexpr (std::is_same_v<Handle, cl_kernel>) kernelArgsFailed_ = session_.table().argsFailed(id);
    return h;
  }
  // An integer that does not fit its type is malformed: cut to fit, it
  // would be another value (an argument index 2^32 would be index 0).
  template <class T>
  T scalar() {
    if constexpr (std::is_enum_v<T>) {
      return static_cast<T>(scalar<std::underlying_type_t<T>>());
    } else if constexpr (std::is_integral_v<T>) {
      using Wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
      const Wide v = args_.integer<Wide>();
      if (static_cast<Wide>(static_cast<T>(v)) != v) throw protocol::DecodeError("an integer out of its type's range");
      return static_cast<T>(v);
    } else {
      return static_cast<T>(args_.f64());
    }
  }
  template <class T>
  ArrayArg<T> array() {
    if (args_.isNil()) return {};
    const auto bytes = args_.bin();
    if (bytes.size() % sizeof(T) != 0) throw protocol::DecodeError("array size is not a whole number of elements");
    std::vector<T> values(bytes.size() / sizeof(T));
    if (!values.empty()) std::memcpy(values.data(), bytes.data(), bytes.size());
    return ArrayArg<T>(std::move(values));
  }
  template <class Handle>
  ArrayArg<Handle> handles() {
    if (args_.isNil()) return {};
    const std::uint32_t n = args_.array();
    std::vector<Handle> values;
    values.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) values.push_back(handle<Handle>());
    return ArrayArg<Handle>(std::move(values));
  }
  template <class T>
  ArrayArg<T> properties() {
    if (args_.isNil()) return {};
    const std::uint32_t n = args_.array();
    std::vector<T> values;
    values.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) values.push_back(static_cast<T>(args_.i64()));
    if constexpr (std::is_same_v<T, cl_context_properties>) translateContextProperties(values);
    return ArrayArg<T>(std::move(values));
  }
  StringArg string();
  StringsArg strings();
  // Build options: the client's headers written here, their folders in the
  // options (server/include/rcl/server/calls/build_includes.h).
  StringArg buildOptions();
  BlobsArg blobs();
  BytesArg value();
  // A value the call reads exactly `size` bytes of (the client sends that
  // many): CallError(`error`) if it holds another number; nil (NULL) passes.
  BytesArg value(std::uint64_t size, cl_int error);
  BytesArg bulk();
  zmq::message_t takeBulk();  // a bulk frame the handler keeps (bytes to write later)
  // A bulk frame kept by the handler, which uses exactly `size` bytes of it:
  // CallError(`error`) if it holds another number.
  zmq::message_t takeBulk(std::uint64_t size, cl_int error);
  // Buffer data sent in pieces (an array of bulk frames), kept by the handler.
  std::vector<std::shared_ptr<zmq::message_t>> bulkPieces();
  template <class T>
  OutArg<T> out() {
    OutArg<T> o;
    o.wanted = args_.boolean();
    return o;
  }
  template <class T>
  OutArrayArg<T> outArray(std::uint64_t count) {
    OutArrayArg<T> o;
    o.wanted = args_.boolean();
    if (o.wanted) o.values.resize(checkedCount(count));
    return o;
  }
  template <class T>
  OutArrayArg<T> outHandles(std::uint64_t count) {
    static_assert(protocol::kIsHandle<T>);
    return outArray<T>(count);
  }
  EventOut event();
  // An SVM address: nil (NULL) or the server's address.
  SvmArg svm() { return args_.isNil() ? SvmArg() : SvmArg(args_.u64()); }
  // CallError(CL_INVALID_VALUE) unless the session owns `size` bytes at the
  // SVM address (size 0: the byte there); then its pointer may be used.
  void expectSvm(SvmArg& arg, std::uint64_t size) {
    if (arg.address_ != 0) session_.svm().holding(arg.address_, static_cast<std::size_t>(size));
    arg.checked_ = true;
  }
  // CallError(CL_INVALID_VALUE) unless a value sent holds at least `size`
  // bytes (the implementation reads that many; a NULL one is left to it).
  void expectBytes(const BytesArg& value, std::uint64_t size) {
    if (value.data() != nullptr && value.size() < size)
      throw CallError(CL_INVALID_VALUE, "a value is shorter than its size says");
  }
  // CallError(CL_INVALID_VALUE) unless an array sent holds `count` elements
  // (a NULL one is left to the implementation to judge).
  template <class Array>
  void expectLength(const Array& array, std::uint64_t count) {
    if (array.present() && array.size() != count)
      throw CallError(CL_INVALID_VALUE, "an array's length does not match its count");
  }
  template <CallbackKind K>
  CallbackArg<K> callback() {
    CallbackArg<K> cb;
    if (!args_.isNil()) cb.key = session_.newCallbackTarget(args_.u64());
    return cb;
  }

  // ---- results
  // Registers an object the call created under the id the client picked,
  // if the session's limits allow; otherwise releases it and sets `status`
  // to the limit's error. A creation the client did not wait for (posted)
  // that failed: its id answers with the failure from now on, until the
  // client releases it (HandleTable::addFailed).
  template <class Handle>
  void adopt(std::uint64_t id, Handle created, cl_int& status) {
    constexpr auto kind = protocol::HandleTraits<Handle>::kind;
    adopted_ = true;
    if (status != CL_SUCCESS || created == nullptr) {
      if (seq_ == 0) session_.table().addFailed(id, kind, status != CL_SUCCESS ? status : CL_OUT_OF_RESOURCES);
      return;
    }
    std::size_t bytes = 0;
    if (const cl_int refused = session_.admit(kind, created, bytes); refused != CL_SUCCESS) {
      Session::releaseReal(kind, created);
      status = refused;
      if (seq_ == 0) session_.table().addFailed(id, kind, status);
      return;
    }
    session_.table().add(id, kind, created, bytes);
    if constexpr (std::is_same_v<Handle, cl_command_queue>) session_.keepQueue(created);
    if constexpr (std::is_same_v<Handle, cl_event>) {
      if (call_ == protocol::CallId::clCreateUserEvent) session_.keepUserEvent(created);
      watchEvent(id, created);
    }
  }
  void adoptEvent(EventOut& event, cl_int status);
  template <class Handle>
  void retained(Handle h, cl_int status) {
    if (status == CL_SUCCESS) session_.table().retained(session_.table().idOf(h));
  }
  template <class Handle>
  void released(Handle h, cl_int status) {
    if (status == CL_SUCCESS) session_.table().released(session_.table().idOf(h));
  }

  // Starts the reply (status first); puts follow in parameter order.
  void reply(cl_int status);
  template <class T>
  void put(OutArg<T>& o) {
    if (!replying()) return;
    if (o.wanted) reply_.bin(&o.value, sizeof(T));
    else reply_.nil();
  }
  template <class T>
  void put(OutArrayArg<T>& o) {
    if (!replying()) return;
    if (!o.wanted) return reply_.nil();
    if constexpr (protocol::kIsHandle<T>) {
      reply_.array(static_cast<std::uint32_t>(o.values.size()));
      for (T h : o.values) reply_.u64(session_.table().idOrAdopt(h, protocol::HandleTraits<T>::kind));
    } else {
      reply_.bin(o.values.data(), o.values.size() * sizeof(T));
    }
  }
  protocol::Writer& replyWriter() { return reply_; }

  // An info query: fetches the whole value, filters it, turns handles into
  // ids, and replies with it.
  using InfoQuery = server::InfoQuery;
  // Edits a value before it is sent (CL_SUCCESS), or refuses the query (an
  // error: what cannot work remotely); `query` asks the same object for others.
  using InfoFilter = cl_int (*)(const SessionOptions& options, cl_uint param, std::vector<unsigned char>& value,
                              const InfoQuery& query);
  void replyInfo(cl_uint param, const InfoQuery& query, InfoFilter filter = nullptr);
  // The value replyInfo sends (not CL_PROGRAM_BINARIES), or the query's error.
  cl_int infoValue(cl_uint param, const InfoQuery& query, InfoFilter filter, std::vector<unsigned char>& value);

  // For calls answered later (from a completion callback): the reply is
  // sent by whoever holds this.
  struct Deferred {
    std::shared_ptr<Outbox> outbox;
    std::uint64_t seq;
    void send(cl_int status) const;
  };
  Deferred defer();

  // What the completion of `event` (a command this call enqueued) tells of its
  // queue: on an in-order queue, every call so far is done. Empty otherwise.
  struct QueueMark {
    std::shared_ptr<QueueProgress> progress;
    std::uint64_t upTo = 0;
    void completed(cl_int status) const {
      if (progress && status == CL_COMPLETE) progress->doneUpTo(upTo);
    }
  };
  QueueMark queueMark(cl_event event);

  // Sends what the handler built (called by the dispatcher).
  void finish();
  // The handler failed with `status` before replying.
  void fail(cl_int status, const std::string& message);
  // A reply is started and wanted (a sync call): puts into replyWriter() go out.
  bool replying() const { return started_ && seq_ != 0; }
  // The client did not wait for this call (no reply goes back).
  bool posted() const { return seq_ == 0; }

 private:
  std::size_t checkedCount(std::uint64_t count) const;
  void translateContextProperties(std::vector<cl_context_properties>& values);
  void watchEvent(std::uint64_t id, cl_event event);

  Session& session_;
  protocol::Reader& args_;
  const std::uint64_t seq_;
  const protocol::CallId call_;
  const bool holdsState_;
  bool delayed_ = false;  // delayForTests ran (once per call)
  bool kernelArgsFailed_ = false;  // the kernel named has an argument that failed to set (HandleTable::argFailed)
  protocol::Writer reply_;
  bool started_ = false;
  bool deferred_ = false;
  cl_int status_ = CL_SUCCESS;
  std::uint64_t eventId_ = 0;
  // The id a creation's client picked (newId), and whether adopt() took it
  // over: a posted creation that failed before (an argument refused, e.g. a
  // context whose own posted creation failed) leaves it failed in finish().
  std::uint64_t newId_ = 0;
  bool adopted_ = false;
};

}  // namespace rcl::server
