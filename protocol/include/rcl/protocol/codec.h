// Encoding and decoding of the msgpack part of a message, and the bulk frames
// that travel beside it. Writer and Reader are the only code that touches
// msgpack; everything else speaks in typed values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "rcl/protocol/message.h"

namespace rcl::protocol {

// Thrown by Reader when a message does not have the shape it should.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Builds one message: a msgpack array (its length patched in at the end) and
// any number of bulk frames.
class Writer {
 public:
  Writer();

  Writer(Writer&&) noexcept = default;
  Writer& operator=(Writer&&) noexcept = default;

  void nil() { pack().pack_nil(); ++count_; }
  void boolean(bool v) { v ? pack().pack_true() : pack().pack_false(); ++count_; }
  void i64(std::int64_t v) { pack().pack_int64(v); ++count_; }
  void u64(std::uint64_t v) { pack().pack_uint64(v); ++count_; }
  void f64(double v) { pack().pack_double(v); ++count_; }
  void str(std::string_view s);
  void bin(const void* data, std::size_t size);
  // A uint64 whose value is filled in later (patchU64) - the sequence number
  // of a request, known only when it is sent. Returns its place.
  std::size_t reserveU64();
  void patchU64(std::size_t place, std::uint64_t v);

  // Starts a nested array of n elements; the next n values belong to it.
  void array(std::uint32_t n);

  template <class T>
  void integer(T v) {
    static_assert(std::is_integral_v<T> || std::is_enum_v<T>);
    if constexpr (std::is_signed_v<T>) i64(static_cast<std::int64_t>(v));
    else u64(static_cast<std::uint64_t>(v));
  }

  // Bulk data in a frame of its own; the msgpack part records its index.
  // copy: the bytes are copied now. borrow: sent straight from `data`, which
  // must stay valid until `release(hint)` is called by ZeroMQ.
  void bulkCopy(const void* data, std::size_t size);
  void bulkBorrow(const void* data, std::size_t size, zmq::free_fn* release, void* hint);
  void bulkMove(zmq::message_t&& frame);

  // The finished frames: the msgpack frame, then the bulk frames.
  std::vector<zmq::message_t> finish();
  // Bytes written so far, bulk frames included.
  std::size_t bytes() const {
    std::size_t n = buffer_.size();
    for (const auto& b : bulk_) n += b.size();
    return n;
  }

 private:
  msgpack::packer<msgpack::sbuffer> pack() { return msgpack::packer<msgpack::sbuffer>(buffer_); }

  msgpack::sbuffer buffer_;
  std::uint32_t count_ = 0;
  std::vector<zmq::message_t> bulk_;
};

// Reads one message produced by Writer, value by value, checking types.
class Reader {
 public:
  // `frames` holds the msgpack frame first, then the bulk frames.
  explicit Reader(std::vector<zmq::message_t> frames);
  Reader(Reader&&) noexcept = default;
  Reader& operator=(Reader&&) noexcept = default;

  bool atEnd() const { return pos_ >= top_.size; }
  // Bytes of the whole message, bulk frames included.
  std::size_t bytes() const {
    std::size_t n = 0;
    for (const auto& f : frames_) n += f.size();
    return n;
  }
  std::size_t remaining() const { return atEnd() ? 0 : top_.size - pos_; }
  // Passes over the values left (a newer sender's fields an extensible message skips).
  void skipRest() { pos_ = top_.size; }

  bool isNil();  // true (and consumed) if the next value is nil
  bool peekIsBin();  // true if the next value is bin (not consumed)
  bool peekIsArray();  // true if the next value is an array (not consumed)
  bool boolean();
  std::int64_t i64();
  std::uint64_t u64();
  double f64();
  std::string str();
  std::string_view strView();
  // A bin value: pointer into the message, valid while the Reader lives.
  std::string_view bin();
  std::uint32_t array();  // a nested array header: the element count

  template <class T>
  T integer() {
    static_assert(std::is_integral_v<T> || std::is_enum_v<T>);
    if constexpr (std::is_signed_v<T>) return static_cast<T>(i64());
    else return static_cast<T>(u64());
  }

  // A bulk frame named by the next value.
  zmq::message_t& bulk();
  zmq::message_t takeBulk();
  // The bulk frame `bytes` views (a decoded message's field), taken out of the
  // Reader; DecodeError if it views none.
  zmq::message_t takeBulk(std::string_view bytes);

 private:
  const msgpack::object& next(msgpack::type::object_type expected, const char* what);
  const msgpack::object& nextAny();
  const msgpack::object* peek();

  std::vector<zmq::message_t> frames_;
  msgpack::object_handle handle_;
  msgpack::object_array top_{};
  std::uint32_t pos_ = 0;
  // Nested arrays being walked: (array, index) pairs.
  std::vector<std::pair<msgpack::object_array, std::uint32_t>> stack_;
};

}  // namespace rcl::protocol
