// The client's memory behind one SVM allocation of a server: anonymous pages,
// placed at the server's address of the allocation when the client has that
// address free, so pointers stored inside SVM data (a linked list) mean the
// same on both sides; anywhere otherwise (same offset in its page). The
// server's allocations may share pages (a heap); their shadows share them too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace rcl::icd {

class Shadow {
  struct Key {  // only place() makes shadows
    explicit Key() = default;
  };

 public:
  // The shadow of `size` bytes at the server's `address`; nullptr if the
  // client has no address space for it.
  static std::unique_ptr<Shadow> place(std::uint64_t address, std::size_t size);
  Shadow(Key, unsigned char* base, std::size_t size, bool fixed, std::uintptr_t mapStart, std::size_t mapLength);
  ~Shadow();
  Shadow(const Shadow&) = delete;
  Shadow& operator=(const Shadow&) = delete;

  unsigned char* base() const { return base_; }
  // Whether the shadow sits at the server's address.
  bool atServerAddress() const { return fixed_; }

 private:
  unsigned char* const base_;
  const std::size_t size_;
  const bool fixed_;
  const std::uintptr_t mapStart_;  // a shadow placed anywhere: its own mapping
  const std::size_t mapLength_;
};

}  // namespace rcl::icd
