// What a handler sees of one call: the decoded arguments, typed and checked,
// and the reply it builds. Generated handlers (server_handlers.cpp) and
// hand-written ones (custom_*.cpp) use only this interface.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CL/cl.h>

#include "rcl/protocol/call_ids.h"
#include "rcl/protocol/build_includes.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/device_info.h"
#include "rcl/protocol/id_list.h"
#include "rcl/protocol/queue_commands.h"
#include "rcl/server/calls/call_args.h"
#include "rcl/server/support/call_error.h"
#include "rcl/server/session/callbacks.h"
#include "rcl/server/calls/info_filters.h"
#include "rcl/server/session/session.h"

namespace rcl::server {

class CallContext;
using Handler = void (*)(CallContext&);
extern const Handler kHandlers[protocol::kCallIdCount];
extern const bool kRunsLong[protocol::kCallIdCount];
extern const bool kCreates[protocol::kCallIdCount];  // its request begins with the created object's id

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
      if (mayEnqueue(call_)) session_.table().markBusy(h, !protocol::settlesOnSend(call_));
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
    return arrayOf<T>(args_.bin());
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
  // The bulk frame a decoded request's field views, kept by the handler.
  zmq::message_t takeBulkOf(std::string_view bytes) { return args_.takeBulk(bytes); }
  template <class T>
  OutArg<T> out() {
    return outOf<T>(args_.boolean());
  }
  template <class T>
  OutArrayArg<T> outArray(std::uint64_t count) {
    return outArrayOf<T>(args_.boolean(), count);
  }
  template <class T>
  OutArrayArg<T> outHandles(std::uint64_t count) {
    static_assert(protocol::kIsHandle<T>);
    return outArray<T>(count);
  }
  EventOut event();
  // An SVM address: nil (NULL) or the server's address.
  SvmArg svm() { return args_.isNil() ? SvmArg() : SvmArg(args_.u64()); }

  // ---- a described request (rcl::protocol::opencl::NAMERequest, codegen/call_shapes.py):
  // decoded whole (a DecodeError names the field), then each argument made
  // from its decoded field, in parameter order.
  // A creation's id is noted before any argument is made from the request:
  // one refused there leaves the id failed (finish()).
  template <class Request>
  Request request() {
    Request r = Request::decode(args_);
    if constexpr (requires { r.created_id; }) newId_ = r.created_id;
    return r;
  }
  template <class Handle>
  Handle handleOf(const std::optional<std::uint64_t>& id) {
    return id ? handleOf<Handle>(*id) : nullptr;
  }
  // Whole elements (the decoder checked), copied where the implementation
  // may read them aligned.
  template <class T>
  static ArrayArg<T> arrayOf(const std::optional<std::string_view>& bytes) {
    if (!bytes) return {};
    if (bytes->size() % sizeof(T) != 0) throw protocol::DecodeError("array size is not a whole number of elements");
    std::vector<T> values(bytes->size() / sizeof(T));
    if (!values.empty()) std::memcpy(values.data(), bytes->data(), bytes->size());
    return ArrayArg<T>(std::move(values));
  }
  template <class Handle>
  ArrayArg<Handle> handlesOf(const std::optional<protocol::IdList>& ids) {
    if (!ids) return {};
    std::vector<Handle> values;
    values.reserve(ids->size());
    for (std::uint64_t id : *ids) values.push_back(handleOf<Handle>(id));
    return ArrayArg<Handle>(std::move(values));
  }
  template <class T>
  ArrayArg<T> propertiesOf(const std::optional<std::vector<std::int64_t>>& list) {
    if (!list) return {};
    std::vector<T> values;
    values.reserve(list->size());
    for (std::int64_t v : *list) values.push_back(static_cast<T>(v));
    if constexpr (std::is_same_v<T, cl_context_properties>) translateContextProperties(values);
    return ArrayArg<T>(std::move(values));
  }
  static StringArg stringOf(const std::optional<std::string_view>& s);
  static StringsArg stringsOf(const std::optional<std::vector<std::string_view>>& list);
  static StringArg buildOptionsOf(const std::optional<protocol::IncludeBundle>& bundle);
  static BlobsArg blobsOf(const std::optional<std::vector<std::optional<std::string_view>>>& list);
  static BytesArg bytesOf(const std::optional<std::string_view>& bytes) {
    return bytes ? BytesArg(*bytes) : BytesArg();
  }
  static SvmArg svmOf(const std::optional<std::uint64_t>& address) { return address ? SvmArg(*address) : SvmArg(); }
  template <class T>
  static OutArg<T> outOf(bool wanted) {
    OutArg<T> o;
    o.wanted = wanted;
    return o;
  }
  template <class T>
  OutArrayArg<T> outArrayOf(bool wanted, std::uint64_t count) {
    OutArrayArg<T> o;
    o.wanted = wanted;
    if (o.wanted) o.values.resize(checkedCount(count));
    return o;
  }
  template <class T>
  OutArrayArg<T> outHandlesOf(bool wanted, std::uint64_t count) {
    static_assert(protocol::kIsHandle<T>);
    return outArrayOf<T>(wanted, count);
  }
  EventOut eventOf(const std::optional<std::uint64_t>& id);
  template <CallbackKind K>
  CallbackArg<K> callbackOf(const std::optional<std::uint64_t>& id) {
    CallbackArg<K> cb;
    if (id) cb.key = session_.newCallbackTarget(*id);
    return cb;
  }
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
    if (args_.isNil()) return {};
    return callbackOf<K>(args_.u64());
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
  // A described reply (rcl::protocol::opencl::NAMEReply): its status starts
  // the reply, its outputs follow (none to a posted call).
  template <class Reply>
    requires requires(const Reply& r, protocol::Writer& w) { r.encodeRest(w); }
  void reply(const Reply& answer) {
    reply(answer.status);
    if (replying()) answer.encodeRest(reply_);
  }
  // An output's field of a described reply: nil unless wanted; a view of the
  // value (alive until the reply is encoded), or the ids of the handles it
  // holds (objects the session did not know yet are adopted).
  template <class T>
  static std::optional<std::string_view> output(const OutArg<T>& o) {
    if (!o.wanted) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(&o.value), sizeof(T));
  }
  template <class T>
  auto output(const OutArrayArg<T>& o) {
    if constexpr (protocol::kIsHandle<T>) {
      std::optional<protocol::IdList> ids;
      if (!o.wanted || posted()) return ids;
      ids.emplace();
      for (T h : o.values) ids->push_back(session_.table().idOrAdopt(h, protocol::HandleTraits<T>::kind));
      return ids;
    } else {
      std::optional<std::string_view> bytes;
      if (o.wanted) bytes = std::string_view(reinterpret_cast<const char*>(o.values.data()), o.values.size() * sizeof(T));
      return bytes;
    }
  }

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

// What CallContext::infoValue gives for `call` (an info query) of `session`,
// outside a call: the whole value, filtered, its handles as the session's ids
// (PlatformInfoAll, DeviceInfoAll: handlers/platform_info_all.cpp).
cl_int sessionInfoValue(Session& session, protocol::CallId call, cl_uint param, const InfoQuery& query,
                        CallContext::InfoFilter filter, std::vector<unsigned char>& value);

// Every param of `ranges` as sessionInfoValue gives it: each value into
// `values`, each refusal but CL_INVALID_VALUE (what a param named in neither
// means) into `refused` (records {param, value} and {param, status}).
template <std::size_t N, class Values, class Refusals>
void sessionInfoRanges(Session& session, protocol::CallId call, const protocol::InfoRange (&ranges)[N],
                       const InfoQuery& query, CallContext::InfoFilter filter, Values& values, Refusals& refused) {
  for (const auto& range : ranges) {
    for (cl_uint param = range.first; param <= range.last; ++param) {
      std::vector<unsigned char> value;
      const cl_int status = sessionInfoValue(session, call, param, query, filter, value);
      if (status == CL_SUCCESS) values.push_back({param, std::string(value.begin(), value.end())});
      else if (status != CL_INVALID_VALUE) refused.push_back({param, status});
    }
  }
}

}  // namespace rcl::server
