// The arguments a handler gives the real call, made from the request's
// decoded values (CallContext): arrays, strings, lists of strings or blobs,
// bytes, SVM addresses, outputs, the event a command returns, a callback.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <CL/cl.h>

#include "rcl/protocol/callback_kind.h"
#include "rcl/server/session/callbacks.h"
#include "rcl/server/support/call_error.h"

namespace rcl::server {

using protocol::CallbackKind;

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

}  // namespace rcl::server
