// An OpenCL error raised while decoding or running a call; the dispatcher
// turns it into the reply's status.
#pragma once

#include <stdexcept>
#include <string>

#include <CL/cl.h>

namespace rcl::server {

class CallError : public std::runtime_error {
 public:
  CallError(cl_int status, const std::string& what) : std::runtime_error(what), status_(status) {}
  cl_int status() const { return status_; }

 private:
  cl_int status_;
};

}  // namespace rcl::server
