#include "rcl/protocol/codec.h"

#include <algorithm>

namespace rcl::protocol {

namespace {
constexpr char kArray32Tag = static_cast<char>(0xdd);
constexpr std::size_t kHeaderSize = 5;  // array32 tag + 32-bit count
}  // namespace

Writer::Writer() {
  const char header[kHeaderSize] = {kArray32Tag, 0, 0, 0, 0};
  buffer_.write(header, kHeaderSize);
}

void Writer::str(std::string_view s) {
  pack().pack_str(static_cast<std::uint32_t>(s.size()));
  pack().pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
  ++count_;
}

void Writer::bin(const void* data, std::size_t size) {
  pack().pack_bin(static_cast<std::uint32_t>(size));
  pack().pack_bin_body(static_cast<const char*>(data), static_cast<std::uint32_t>(size));
  ++count_;
}

std::size_t Writer::reserveU64() {
  const char placeholder[9] = {static_cast<char>(0xcf), 0, 0, 0, 0, 0, 0, 0, 0};
  const std::size_t place = buffer_.size();
  buffer_.write(placeholder, sizeof placeholder);
  ++count_;
  return place;
}

void Writer::patchU64(std::size_t place, std::uint64_t v) {
  char* p = buffer_.data() + place + 1;
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

void Writer::array(std::uint32_t n) {
  pack().pack_array(n);
  ++count_;
  // The n elements of a nested array do not count at the top level.
  count_ -= n;
}

void Writer::bulkCopy(const void* data, std::size_t size) {
  u64(bulk_.size() + 1);
  bulk_.emplace_back(data, size);
}

void Writer::bulkBorrow(const void* data, std::size_t size, zmq::free_fn* release, void* hint) {
  u64(bulk_.size() + 1);
  bulk_.emplace_back(const_cast<void*>(data), size, release, hint);
}

void Writer::bulkMove(zmq::message_t&& frame) {
  u64(bulk_.size() + 1);
  bulk_.push_back(std::move(frame));
}

std::vector<zmq::message_t> Writer::finish() {
  char* head = buffer_.data();
  head[1] = static_cast<char>((count_ >> 24) & 0xff);
  head[2] = static_cast<char>((count_ >> 16) & 0xff);
  head[3] = static_cast<char>((count_ >> 8) & 0xff);
  head[4] = static_cast<char>(count_ & 0xff);
  std::vector<zmq::message_t> frames;
  frames.reserve(1 + bulk_.size());
  frames.emplace_back(buffer_.data(), buffer_.size());
  for (auto& b : bulk_) frames.push_back(std::move(b));
  bulk_.clear();
  return frames;
}

Reader::Reader(std::vector<zmq::message_t> frames) : frames_(std::move(frames)) {
  if (frames_.empty()) throw DecodeError("empty message");
  const auto& head = frames_.front();
  try {
    // Limits: no array, map, string or bin may claim more elements or bytes
    // than the frame holds (msgpack would allocate for the claim first), and
    // nesting stays shallow.
    const std::size_t n = head.size();
    handle_ = msgpack::unpack(static_cast<const char*>(head.data()), n, nullptr, nullptr,
                              msgpack::unpack_limit(n, n, n, n, n, 64));
  } catch (const std::exception& e) {
    throw DecodeError(std::string("not msgpack: ") + e.what());
  }
  if (handle_.get().type != msgpack::type::ARRAY) throw DecodeError("message is not a msgpack array");
  top_ = handle_.get().via.array;
}

const msgpack::object& Reader::nextAny() {
  while (!stack_.empty() && stack_.back().second >= stack_.back().first.size) stack_.pop_back();
  if (!stack_.empty()) return stack_.back().first.ptr[stack_.back().second++];
  if (pos_ >= top_.size) throw DecodeError("message too short");
  return top_.ptr[pos_++];
}

const msgpack::object& Reader::next(msgpack::type::object_type expected, const char* what) {
  const auto& o = nextAny();
  if (o.type != expected) throw DecodeError(std::string("expected ") + what);
  return o;
}

const msgpack::object* Reader::peek() {
  while (!stack_.empty() && stack_.back().second >= stack_.back().first.size) stack_.pop_back();
  if (!stack_.empty()) return &stack_.back().first.ptr[stack_.back().second];
  if (pos_ < top_.size) return &top_.ptr[pos_];
  return nullptr;
}

bool Reader::isNil() {
  const msgpack::object* o = peek();
  if (o == nullptr || o->type != msgpack::type::NIL) return false;
  nextAny();
  return true;
}

bool Reader::peekIsBin() {
  const msgpack::object* o = peek();
  return o != nullptr && o->type == msgpack::type::BIN;
}

bool Reader::peekIsArray() {
  const msgpack::object* o = peek();
  return o != nullptr && o->type == msgpack::type::ARRAY;
}

bool Reader::boolean() { return next(msgpack::type::BOOLEAN, "boolean").via.boolean; }

std::int64_t Reader::i64() {
  const auto& o = nextAny();
  if (o.type == msgpack::type::NEGATIVE_INTEGER) return o.via.i64;
  if (o.type == msgpack::type::POSITIVE_INTEGER) return static_cast<std::int64_t>(o.via.u64);
  throw DecodeError("expected integer");
}

std::uint64_t Reader::u64() {
  const auto& o = nextAny();
  if (o.type == msgpack::type::POSITIVE_INTEGER) return o.via.u64;
  throw DecodeError("expected unsigned integer");
}

double Reader::f64() {
  const auto& o = nextAny();
  if (o.type == msgpack::type::FLOAT64 || o.type == msgpack::type::FLOAT32) return o.via.f64;
  throw DecodeError("expected float");
}

std::string Reader::str() { return std::string(strView()); }

std::string_view Reader::strView() {
  const auto& o = next(msgpack::type::STR, "string");
  return {o.via.str.ptr, o.via.str.size};
}

std::string_view Reader::bin() {
  const auto& o = next(msgpack::type::BIN, "bin");
  return {o.via.bin.ptr, o.via.bin.size};
}

std::uint32_t Reader::array() {
  const auto& o = next(msgpack::type::ARRAY, "array");
  stack_.emplace_back(o.via.array, 0);
  return o.via.array.size;
}

zmq::message_t& Reader::bulk() {
  const std::uint64_t index = u64();
  if (index == 0 || index >= frames_.size()) throw DecodeError("bulk frame index out of range");
  return frames_[index];
}

zmq::message_t Reader::takeBulk() { return std::move(bulk()); }

zmq::message_t Reader::takeBulk(std::string_view bytes) {
  for (std::size_t i = 1; i < frames_.size(); ++i) {
    if (frames_[i].data() == bytes.data() && frames_[i].size() == bytes.size()) return std::move(frames_[i]);
  }
  throw DecodeError("no bulk frame of this message holds those bytes");
}

}  // namespace rcl::protocol
