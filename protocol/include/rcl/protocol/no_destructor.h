// Storage for an object that is built on first use and never destroyed, for
// what must outlive every static destructor:
// - the driver's instance: applications release OpenCL objects from their own
//   exit-time destructors (CLBlast's program cache, for one), which the C
//   runtime runs after this library's; what must happen at exit (goodbye to
//   the servers, the trace file) is done by Driver::shutdown instead;
// - the server's registry of completion actions: OpenCL implementations call
//   back from their own threads, whenever they like;
// - the driver's logger: the connections' threads log until the driver's
//   shutdown at exit stopped them.
#pragma once

#include <new>
#include <utility>

namespace rcl {

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

}  // namespace rcl
