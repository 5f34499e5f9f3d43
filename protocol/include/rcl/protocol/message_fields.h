// What the generated decoders of the pushes (build/generated/pushes.cpp,
// from codegen/messages.toml) read each field with: Reader's values, checked
// for range and length, every error naming the field ("Event.status: expected
// integer"). Nothing here reads past what msgpack parsed (Reader's limits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "rcl/protocol/codec.h"

namespace rcl::protocol::fields {

[[noreturn]] inline void fail(const char* field, std::string_view what) {
  throw DecodeError(std::string(field) + ": " + std::string(what));
}

// Runs `read` on r, naming `field` in its DecodeError.
template <class Read>
decltype(auto) named(const char* field, Read read) {
  try {
    return read();
  } catch (const DecodeError& e) {
    fail(field, e.what());
  }
}

template <class T>
T integer(Reader& r, const char* field) {
  static_assert(std::is_integral_v<T>);
  if constexpr (std::is_signed_v<T>) {
    const std::int64_t v = named(field, [&] { return r.i64(); });
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) fail(field, "integer out of range");
    return static_cast<T>(v);
  } else {
    const std::uint64_t v = named(field, [&] { return r.u64(); });
    if (v > std::numeric_limits<T>::max()) fail(field, "integer out of range");
    return static_cast<T>(v);
  }
}

inline bool boolean(Reader& r, const char* field) { return named(field, [&] { return r.boolean(); }); }

inline std::string string(Reader& r, const char* field, std::size_t max) {
  const std::string_view s = named(field, [&] { return r.strView(); });
  if (s.size() > max) fail(field, "string longer than " + std::to_string(max) + " bytes");
  return std::string(s);
}

inline std::string bytes(Reader& r, const char* field, std::size_t max) {
  const std::string_view s = named(field, [&] { return r.bin(); });
  if (s.size() > max) fail(field, "bin longer than " + std::to_string(max) + " bytes");
  return std::string(s);
}

// A nested array's header: its count, refused outside [least, most].
inline std::uint32_t count(Reader& r, const char* field, std::size_t least, std::size_t most) {
  const std::uint32_t n = named(field, [&] { return r.array(); });
  if (n < least || n > most)
    fail(field, least == most ? "array of " + std::to_string(n) + " elements, not " + std::to_string(most)
                              : "array of " + std::to_string(n) + " elements, over " + std::to_string(most));
  return n;
}

inline void end(Reader& r, const char* message) {
  if (!r.atEnd()) fail(message, std::to_string(r.remaining()) + " values past its last field");
}

// The bulk frames a message names, each at most once.
class BulkFrames {
 public:
  zmq::message_t take(Reader& r, const char* field) {
    zmq::message_t& frame = named(field, [&]() -> zmq::message_t& { return r.bulk(); });
    for (const void* t : taken_)
      if (t == &frame) fail(field, "a bulk frame named twice");
    taken_.push_back(&frame);
    return std::move(frame);
  }

 private:
  std::vector<const void*> taken_;
};

}  // namespace rcl::protocol::fields
