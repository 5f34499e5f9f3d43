#pragma once
// Shared pieces of the conformance suite (conformance/README.md).
//
// Every area is one gtest test suite named after the area (`buffers`, `images`, ...), so a case's
// full name is `<area>.<case>`. A suite fixture derives from Suite<Self>: the first test of the
// suite creates one context and in-order queue on the first device, and every program source is
// built at most once per suite (PoCL takes ~0.5 s per new source); all of it is released when the
// suite ends.

#include <CL/cl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rcl_test.h"

namespace rcl::conformance {

using namespace rcl::test;  // NOLINT: the harness's ClHandle, CL_CHECK, queryInfo, ...
using namespace std::chrono_literals;

// How long a test waits for a callback that must come.
constexpr auto kCallbackTimeout = std::chrono::seconds(10);

using Sampler = ClHandle<cl_sampler>;

struct SharedCl {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  Context context;
  CommandQueue queue;
  std::map<std::string, Program> programs;
};

template <class Self>
class Suite : public ::testing::Test {
 public:
  static void TearDownTestSuite() {
    if (shared_ && shared_->queue) clFinish(shared_->queue);
    shared_.reset();
  }

 protected:
  void SetUp() override {
    if (!shared_) {
      auto shared = std::make_unique<SharedCl>();
      ASSERT_NO_FATAL_FAILURE(firstPlatformAndDevice(&shared->platform, &shared->device));
      cl_int error = CL_SUCCESS;
      shared->context = createContext(shared->platform, shared->device, &error);
      CL_CHECK(error);
      shared->queue = createQueue(shared->context, shared->device, 0, &error);
      CL_CHECK(error);
      shared_ = std::move(shared);
    }
    platform_ = shared_->platform;
    device_ = shared_->device;
    context_ = shared_->context.get();
    queue_ = shared_->queue.get();
  }

  // The program built from `source` with `options` (built on first use, then shared by the suite).
  // nullptr and a non-fatal failure (with the build log) if it does not build.
  cl_program program(const std::string& source, const std::string& options = "") {
    const std::string key = options + '\n' + source;
    auto found = shared_->programs.find(key);
    if (found != shared_->programs.end()) return found->second.get();
    ProgramBuild build = buildProgram(context_, device_, source, options);
    if (!build.ok()) {
      ADD_FAILURE() << build.describe();
      return nullptr;
    }
    cl_program result = build.program.get();
    shared_->programs.emplace(key, std::move(build.program));
    return result;
  }

  // A new kernel object from the shared program; empty handle and a failure on error.
  Kernel kernel(const std::string& source, const char* name, const std::string& options = "") {
    cl_program built = program(source, options);
    if (built == nullptr) return Kernel();
    cl_int error = CL_SUCCESS;
    Kernel result(clCreateKernel(built, name, &error));
    EXPECT_EQ(error, CL_SUCCESS) << "clCreateKernel " << name << ": " << clErrorName(error);
    return result;
  }

  Mem buffer(cl_mem_flags flags, size_t size, void* hostPtr = nullptr, cl_int* errorOut = nullptr) {
    cl_int error = CL_SUCCESS;
    Mem result(clCreateBuffer(context_, flags, size, hostPtr, &error));
    if (errorOut != nullptr) {
      *errorOut = error;
    } else {
      EXPECT_EQ(error, CL_SUCCESS) << "clCreateBuffer: " << clErrorName(error);
    }
    return result;
  }

  std::vector<uint8_t> readBytes(cl_mem mem, size_t size, size_t offset = 0) {
    std::vector<uint8_t> bytes(size, 0xee);
    const cl_int error = clEnqueueReadBuffer(queue_, mem, CL_TRUE, offset, size, bytes.data(), 0, nullptr, nullptr);
    EXPECT_EQ(error, CL_SUCCESS) << "clEnqueueReadBuffer: " << clErrorName(error);
    return bytes;
  }

  template <typename T>
  std::vector<T> read(cl_mem mem, size_t count) {
    std::vector<T> values(count);
    const cl_int error =
        clEnqueueReadBuffer(queue_, mem, CL_TRUE, 0, count * sizeof(T), values.data(), 0, nullptr, nullptr);
    EXPECT_EQ(error, CL_SUCCESS) << "clEnqueueReadBuffer: " << clErrorName(error);
    return values;
  }

  cl_int eventStatus(cl_event event) {
    cl_int status = 1234;
    const cl_int error = queryInfo(&status, clGetEventInfo, event, CL_EVENT_COMMAND_EXECUTION_STATUS);
    EXPECT_EQ(error, CL_SUCCESS) << "CL_EVENT_COMMAND_EXECUTION_STATUS: " << clErrorName(error);
    return status;
  }

  bool deviceHasExtension(const std::string& name) {
    std::string extensions;
    if (queryString(&extensions, clGetDeviceInfo, device_, CL_DEVICE_EXTENSIONS) != CL_SUCCESS) return false;
    return (" " + extensions + " ").find(" " + name + " ") != std::string::npos;
  }

  cl_platform_id platform_ = nullptr;
  cl_device_id device_ = nullptr;
  cl_context context_ = nullptr;
  cl_command_queue queue_ = nullptr;

 private:
  static inline std::unique_ptr<SharedCl> shared_;
};

// Bytes 0, 1, 2, ... (mod 256) starting at `start`.
inline std::vector<uint8_t> counting(size_t size, uint8_t start = 0) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(start + i);
  return bytes;
}

// Records every invocation of a callback, thread-safely; tests wait for a count.
template <typename Record>
class CallLog {
 public:
  void add(Record record) {
    std::lock_guard<std::mutex> lock(mutex_);
    records_.push_back(std::move(record));
    changed_.notify_all();
  }
  // True once at least `count` calls were recorded (waits up to kCallbackTimeout).
  bool waitFor(size_t count, std::chrono::milliseconds timeout = kCallbackTimeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return records_.size() >= count; });
  }
  std::vector<Record> records() {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Record> records_;
};

}  // namespace rcl::conformance
