// Building one call to the server, and reading its reply. Generated entry
// points (client_stubs.cpp) and hand-written ones (custom_*.cpp) are made of
// these pieces only. The first invalid argument records its error; the call
// is then never sent and returns that error.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include <CL/cl.h>

#include "rcl/icd/transport/connection.h"
#include "rcl/icd/transport/driver.h"
#include "rcl/icd/objects/lifetime.h"
#include "rcl/icd/objects/objects.h"
#include "rcl/icd/transport/send_latch.h"
#include "rcl/protocol/call_ids.h"
#include "rcl/protocol/build_includes.h"
#include "rcl/protocol/callback_kind.h"
#include "rcl/protocol/codec.h"
#include "rcl/protocol/id_list.h"
#include "rcl/protocol/opencl_wire.h"

namespace rcl::icd {

using protocol::CallId;

using protocol::CallbackKind;  // one definition for both sides

class Reply;
struct SvmAllocation;

// The context an object belongs to (a context: itself), nullptr for the kinds that have none.
cl_context contextOf(Object* o);
// Records the context an object belongs to (for the kinds that have one).
void setContext(Object* o, cl_context c);

class Call {
 public:
  explicit Call(CallId call);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  // ---- arguments, encoded in parameter order
  template <class P>
  P* handle(P* h) {
    P* p = use(h);
    if (p != nullptr) writer_.u64(p->id);
    return p;
  }
  // A described request's handle field (protocol::calls::NAME): checked as
  // handle() checks it, its id returned for the struct, not written (0 if refused).
  template <class P>
  std::uint64_t handleId(P* h) {
    P* p = use(h);
    return p != nullptr ? static_cast<std::uint64_t>(p->id) : std::uint64_t{0};
  }
  // A described request's fields, after the header: a private call's
  // (codegen/messages.toml [requests.NAME]) or an OpenCL call's
  // (rcl::protocol::opencl::NAMERequest, filled by the methods below).
  template <class Request>
  void request(const Request& r) {
    if (failed()) return;
    if constexpr (requires { Request::kCall; }) {
      static_assert(std::is_same_v<std::remove_cv_t<decltype(Request::kCall)>, CallId>, "a calls channel request");
      r.encodeBody(writer_);
    } else {
      r.encode(writer_);
    }
  }

  // ---- an OpenCL call's request fields (rcl::protocol::opencl::NAMERequest,
  // codegen/wire.py's rows): each checked as the writing method above checks
  // it, its value returned for the struct (nothing once the call failed).
  // Bytes and strings are views of the caller's memory, encoded by request().
  // `h` while the call stands, nullptr once it failed (a handle or argument refused).
  template <class P>
  P* unlessFailed(P* h) const { return failed() ? nullptr : h; }
  template <class P>
  std::optional<std::uint64_t> optionalHandleId(P* h) {
    if (h == nullptr) return std::nullopt;
    return handleId(h);
  }
  template <class T>
  static std::optional<std::string_view> elements(const T* values, std::size_t n) {
    return bytes(values, n * sizeof(T));
  }
  static std::optional<std::string_view> bytes(const void* p, std::size_t size) {
    if (p == nullptr) return std::nullopt;
    return std::string_view(static_cast<const char*>(p), size);
  }
  template <class P>
  std::optional<protocol::IdList> handleIds(P* const* list, std::size_t n) {
    return handleListIds(list, n, protocol::HandleTraits<P*>::invalidError);
  }
  std::optional<protocol::IdList> waitListIds(const cl_event* list, cl_uint n);
  static std::optional<std::string_view> text(const char* s) {
    if (s == nullptr) return std::nullopt;
    return std::string_view(s);
  }
  std::optional<std::vector<std::string_view>> texts(const char** list, cl_uint count, const size_t* lengths);
  std::optional<std::vector<std::string_view>> programSourceTexts(const char** list, cl_uint count,
                                                                  const size_t* lengths);
  std::optional<protocol::IncludeBundle> includeBundle(const char* options);
  static std::optional<std::vector<std::optional<std::string_view>>> blobViews(const unsigned char** list,
                                                                               cl_uint count, const size_t* lengths);
  template <class T>
  std::optional<std::vector<std::int64_t>> propertyValues(const T* list) {
    if (failed() || list == nullptr) return std::nullopt;
    std::size_t n = 0;
    while (list[n] != 0) n += 2;
    std::vector<std::int64_t> values;
    values.reserve(n + 1);
    for (std::size_t i = 0; i < n; i += 2) {
      values.push_back(static_cast<std::int64_t>(list[i]));
      if constexpr (std::is_same_v<T, cl_context_properties>) {
        if (list[i] == CL_CONTEXT_PLATFORM) {
          values.push_back(static_cast<std::int64_t>(platformId(list[i + 1])));
          continue;
        }
      }
      values.push_back(static_cast<std::int64_t>(list[i + 1]));
    }
    values.push_back(0);
    return values;
  }
  std::optional<std::uint64_t> svmAddress(const void* p, std::size_t size, cl_int error = CL_INVALID_VALUE);
  std::optional<std::uint64_t> eventId(cl_event* out);
  template <class Fn>
  std::optional<std::uint64_t> callbackId(CallbackKind kind, Fn* fn, void* userData) {
    if (failed()) return std::nullopt;
    if (fn == nullptr && userData != nullptr) return fail(CL_INVALID_VALUE), std::nullopt;  // the spec's rule for every pfn_notify
    if (fn == nullptr) return std::nullopt;
    return registerCallback(kind, reinterpret_cast<void (*)()>(fn), userData);
  }
  // An object the client holds but the application may have released: its
  // id, unchecked (0 once the call failed).
  std::uint64_t ownHandleId(Object* o) {
    if (failed() || !useConnection(o->connection)) return 0;
    if (first_ == nullptr) first_ = o;
    return o->id;
  }
  // The same, written: the one field of a retain or release (lifetime.h).
  void ownHandle(Object* o) {
    const std::uint64_t id = ownHandleId(o);
    if (!failed()) writer_.u64(id);
  }
  template <class T>
  void scalar(T v) {
    if (failed()) return;
    if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) writer_.integer(v);
    else writer_.f64(static_cast<double>(v));
  }
  void waitList(const cl_event* list, cl_uint n);
  void string(const char* s);
  void value(const void* bytes, std::size_t size);
  void bulkCopy(const void* bytes, std::size_t size);
  // Buffer data for a described request's field (kind pieces), in frames of
  // protocol::kBulkPiece: lent from the caller's memory (into this call's
  // writer, when the request is written), `sent`, if given, counting down as
  // ZeroMQ is done with each (the caller waits for it before the memory may
  // change); up to `copiedMax` bytes are copied instead (`sent` untouched).
  // Nothing once the call failed or for NULL.
  static constexpr std::size_t kCopiedPiecesMax = std::size_t{64} << 10;
  std::optional<protocol::opencl::BulkPieces> pieces(const void* bytes, std::size_t size, SendLatch* sent = nullptr,
                                                     std::size_t copiedMax = kCopiedPiecesMax);
  // An SVM pointer of the application: the server's address of it travels
  // (nil for NULL). Fails with `error` unless `size` bytes at `p` (size 0: the
  // byte at p) lie in one SVM allocation of the call's context and server.
  // Returns that allocation (nullptr for NULL or on failure). In svm_ranges.cpp.
  std::shared_ptr<SvmAllocation> svm(const void* p, std::size_t size, cl_int error = CL_INVALID_VALUE);
  // Sends to `c` (a call that names none of its objects, only addresses).
  void via(Connection* c) {
    if (!failed()) useConnection(c);
  }
  // The event a command returns; allocated now, given out if the call works.
  void event(cl_event* out);
  // A read's event: always allocated (the bytes complete it); `out` may be
  // NULL. Its id goes into the request (data/transfers.h ReadTail).
  cl_event readEvent(cl_event* out);
  // The object a creation returns (its id: the request struct's created_id).
  template <class P>
  P* newObject() {
    P* p = Driver::instance().newProxy<P>();
    created_ = p;
    return p;
  }

  // ---- running it
  Reply sync();
  // Sends without waiting for a reply. `awaited`: the caller then waits for
  // what the server pushes back (a blocking read's bytes), which the trace
  // counts as the round trip it costs.
  cl_int post(bool awaited = false);
  // A command clFinish need not wait for once sent (queue_progress.h).
  void settledOnSend() { settledOnSend_ = true; }

  cl_int info(cl_uint param, size_t size, void* value, size_t* size_ret);
  // The whole value of an info query (not CL_PROGRAM_BINARIES), handles
  // translated, asked of the server whatever the cache holds.
  cl_int infoValue(cl_uint param, std::vector<unsigned char>& bytes);

  // ---- state
  void check(cl_int status) {
    if (status != CL_SUCCESS) fail(status);
  }
  void fail(cl_int status) {
    if (status_ == CL_SUCCESS) status_ = status;
  }
  bool failed() const { return status_ != CL_SUCCESS; }
  cl_int status() const { return status_; }
  Connection* connection() const { return connection_; }
  cl_command_queue queue() const { return queue_; }
  cl_context context() const { return context_; }
  CallId id() const { return call_; }
  protocol::Writer& writer() { return writer_; }

 private:
  friend class Reply;
  bool useConnection(Connection* c);
  // The connection of `o` now: a platform or root device whose session died
  // moves to a new session first, if its server is back (server_link.h).
  static Connection* connectionOf(Object* o);
  void checkContext(Object* o);
  // A handle argument checked (valid, this call's connection, its context), or nullptr with the call failed.
  template <class P>
  P* use(P* h) {
    if (failed()) return nullptr;
    P* p = checked(h);
    if (p == nullptr) return fail(protocol::HandleTraits<P*>::invalidError), nullptr;
    if (!useConnection(connectionOf(p))) return nullptr;
    checkContext(p);
    if constexpr (std::is_same_v<P, _cl_kernel>) kernel_ = p;
    return p;
  }
  template <class P>
  std::optional<protocol::IdList> handleListIds(P* const* list, std::size_t n, cl_int invalid) {
    if (failed() || list == nullptr) return std::nullopt;
    protocol::IdList ids;
    ids.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      P* p = checked(list[i]);
      if (p == nullptr || !useConnection(connectionOf(p))) return fail(invalid), std::nullopt;
      ids.push_back(p->id);
    }
    // clCreateContext: the new context keeps the devices it is made of
    // (each once: a device named twice counts once).
    if constexpr (std::is_same_v<P, _cl_device_id>) {
      if (created_ != nullptr && created_->kind == ObjectKind::Context) {
        auto& devices = static_cast<cl_context>(created_)->devices;
        devices.clear();
        for (std::size_t i = 0; i < n; ++i)
          if (std::find(devices.begin(), devices.end(), list[i]) == devices.end()) devices.push_back(list[i]);
      }
    }
    return ids;
  }
  // nil or [id...] (nothing once the call failed).
  void writeIds(const std::optional<protocol::IdList>& ids);
  // The SVM allocation holding `size` bytes at `p` (nullptr for NULL, or with the call failed: svm()).
  std::shared_ptr<SvmAllocation> svmAllocation(const void* p, std::size_t size, cl_int error);
  std::uint64_t platformId(cl_context_properties value);
  std::uint64_t registerCallback(CallbackKind kind, void (*fn)(), void* userData);
  Connection* target();
  // Before sending: make the new proxies findable (pushes may come at once).
  void prepareNew(Connection* c);
  // After the answer: keep them, or throw them away.
  void settleNew(bool ok);

  // Tracing: what the call cost (no-op when tracing is off).
  void traced(bool roundTrip, cl_int status, std::size_t bytesOut, std::size_t bytesIn);
  // Adds a frame lent from the application's memory, counted in `sent` (if
  // given) and in the connection's lent frames.
  void lend(const void* bytes, std::size_t size, SendLatch* sent);
  // Every information of the device this call queries, at once, into `cache`
  // (protocol/device_info.h).
  void askAllDeviceInfo(InfoCache& cache);
  // Tracing: the command's device time goes into the timeline once its event
  // completes (the client makes an event of its own when the caller did not).
  void traceCommandAfterSend(bool sent);

  const CallId call_;
  Tracer::Clock::time_point start_{};
  protocol::Writer writer_;
  std::size_t seqOffset_ = 0;
  cl_int status_ = CL_SUCCESS;
  Connection* connection_ = nullptr;
  cl_context context_ = nullptr;      // of the first argument that has one
  cl_command_queue queue_ = nullptr;  // the first argument, for commands
  Object* first_ = nullptr;           // the first handle argument
  Object* created_ = nullptr;
  cl_event event_ = nullptr;          // allocated for the caller's event
  cl_event* eventOut_ = nullptr;
  cl_kernel kernel_ = nullptr;        // the kernel argument, if any
  cl_event tracedCommand_ = nullptr;  // tracing: the event whose device time is recorded
  bool settledOnSend_ = false;
};

// Keeps what the session's set-up brought of its platforms and devices
// (Connection::platformInfo, protocol/platform_info.h) as the answers of
// their info queries, once their proxies answer for its ids.
void keepPlatformInfo(Connection& connection, InfoCache& cache);

class Reply {
 public:
  static constexpr struct AlwaysTag {} Always{};

  Reply(Call& call, cl_int status, std::optional<protocol::Reader> reader);
  cl_int status() const { return status_; }

  // An OpenCL call's reply (rcl::protocol::opencl::NAMEReply), decoded after
  // its status; a malformed one is logged and gives no outputs.
  template <class R>
  R decoded() {
    R answer;
    answer.status = status_;
    if (!reader_) return answer;
    try {
      return R::decodeRest(*reader_, status_);
    } catch (const protocol::DecodeError& e) {
      malformed(e);
      return answer;
    }
  }
  // Its outputs, written where the caller asked (on success, or Always).
  template <class T>
  void out(T* p, const std::optional<std::string_view>& v) { copyOut(p, sizeof(T), v, status_ == CL_SUCCESS); }
  template <class T>
  void out(T* p, const std::optional<std::string_view>& v, AlwaysTag) { copyOut(p, sizeof(T), v, true); }
  template <class T>
  void array(T* p, std::size_t n, const std::optional<std::string_view>& v) {
    copyOut(p, n * sizeof(T), v, status_ == CL_SUCCESS);
  }
  template <class T>
  void array(T* p, std::size_t n, const std::optional<std::string_view>& v, AlwaysTag) { copyOut(p, n * sizeof(T), v, true); }
  template <class P>
  void handles(P** p, std::size_t n, const std::optional<protocol::IdList>& ids) {
    if (!ids || status_ != CL_SUCCESS || p == nullptr) return;
    for (std::size_t i = 0; i < ids->size() && i < n; ++i)
      if ((*ids)[i] != 0) p[i] = adopt<P>((*ids)[i]);
  }
  // The object a creation made: given to the application on success (the
  // Reply's constructor already kept or discarded it).
  template <class P>
  P* created(P* p, cl_int* errcode_ret) {
    if (errcode_ret != nullptr) *errcode_ret = status_;
    return status_ == CL_SUCCESS ? p : nullptr;
  }
  protocol::Reader* reader() { return reader_ ? &*reader_ : nullptr; }

 private:
  static void copyOut(void* p, std::size_t size, const std::optional<std::string_view>& v, bool write) {
    if (write && p != nullptr && v) std::memcpy(p, v->data(), std::min(size, v->size()));
  }
  void malformed(const protocol::DecodeError& e);
  // A proxy for an id the server named: known, or new (sub-devices, kernels).
  template <class P>
  P* adopt(std::uint64_t id) {
    if (Object* o = connection_->find(id)) return static_cast<P*>(o);
    P* p = Driver::instance().newProxy<P>();
    p->id = id;
    setContext(p, context_);
    activate(p, connection_);
    inherit(p);
    return p;
  }
  // A new object takes what it has of the call's first argument's (the
  // kernels of clCreateKernelsInProgram: their program's build facts).
  void inherit(Object* adopted) const;

  cl_int status_;
  Connection* connection_;
  cl_context context_;
  Object* first_;  // the call's first handle, if any
  std::optional<protocol::Reader> reader_;
};

// One information of a handle, asked through its query's described request
// (an info query's NAMERequest: the handle, then param_name) and answered as
// Call::info answers (through the client's cache of values).
template <class Request, class P>
cl_int askInfo(CallId id, P* handle, cl_uint param, size_t size, void* value, size_t* sizeRet) {
  Call call(id);
  call.request(Request{call.handleId(handle), static_cast<decltype(Request::param_name)>(param)});
  return call.info(param, size, value, sizeRet);
}

}  // namespace rcl::icd
