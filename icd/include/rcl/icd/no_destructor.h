// Storage for an object that is built on first use and never destroyed.
// The driver's instance lives in one: applications release OpenCL objects
// from their own exit-time destructors (CLBlast's program cache, for one),
// which the C runtime runs after this library's, so the proxies and pools
// must outlive every static destructor. What must happen at exit (goodbye to
// the servers, the trace file) is done by Driver::shutdown, not a destructor.
#pragma once

#include <new>
#include <utility>

namespace rcl::icd {

template <class T>
class NoDestructor {
 public:
  template <class... Args>
  explicit NoDestructor(Args&&... args) {
    ::new (static_cast<void*>(storage_)) T(std::forward<Args>(args)...);
  }
  NoDestructor(const NoDestructor&) = delete;
  NoDestructor& operator=(const NoDestructor&) = delete;
  ~NoDestructor() = default;  // T's destructor is never run

  T& get() { return *std::launder(reinterpret_cast<T*>(storage_)); }

 private:
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace rcl::icd
