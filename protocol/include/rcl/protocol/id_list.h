#pragma once
// A list of object ids: the `ids` fields of the OpenCL calls' requests and
// replies (a wait list, handles: rcl/protocol/opencl_wire.h). Up to kInline
// ids are held in the list itself, more on the heap: filling a command's
// request with a short wait list allocates nothing on the calling thread (the
// hot path), as when the ids were written straight into the message.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

namespace rcl::protocol {

class IdList {
 public:
  static constexpr std::size_t kInline = 8;

  IdList() = default;
  IdList(std::initializer_list<std::uint64_t> ids) {
    reserve(ids.size());
    for (std::uint64_t id : ids) push_back(id);
  }

  // Room for `n` ids: more than kInline go to the heap at once.
  void reserve(std::size_t n) {
    if (n <= kInline && !onHeap_) return;
    heap_.reserve(n);
    moveToHeap();
  }
  void push_back(std::uint64_t id) {
    if (!onHeap_ && size_ == kInline) moveToHeap();
    if (onHeap_) heap_.push_back(id);
    else inline_[size_++] = id;
  }

  std::size_t size() const { return onHeap_ ? heap_.size() : size_; }
  bool empty() const { return size() == 0; }
  const std::uint64_t* data() const { return onHeap_ ? heap_.data() : inline_.data(); }
  const std::uint64_t* begin() const { return data(); }
  const std::uint64_t* end() const { return data() + size(); }
  std::uint64_t operator[](std::size_t i) const { return data()[i]; }
  std::span<const std::uint64_t> view() const { return {data(), size()}; }
  // Whether the ids went to the heap (more than kInline of them).
  bool onHeap() const { return onHeap_; }

  friend bool operator==(const IdList& a, const IdList& b) { return std::ranges::equal(a.view(), b.view()); }

 private:
  void moveToHeap() {
    if (onHeap_) return;
    heap_.insert(heap_.end(), inline_.begin(), inline_.begin() + static_cast<std::ptrdiff_t>(size_));
    onHeap_ = true;
    size_ = 0;
  }

  std::array<std::uint64_t, kInline> inline_{};
  std::size_t size_ = 0;  // of inline_, while the ids are there
  bool onHeap_ = false;
  std::vector<std::uint64_t> heap_;  // every id, once onHeap_
};

}  // namespace rcl::protocol
