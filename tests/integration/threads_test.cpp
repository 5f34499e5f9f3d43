// Eight threads calling OpenCL at once, with private objects and with a shared context and queue.

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rcl_test.h"
#include "vector_add.h"

namespace rcl::test {
namespace {

constexpr int kThreads = 8;
constexpr int kIterations = 20;
constexpr size_t kCount = 1024;

// Collects what went wrong in worker threads; the test asserts on it after joining.
class Problems {
 public:
  void add(int thread, const std::string& problem) {
    std::lock_guard<std::mutex> lock(mutex_);
    list_.push_back("thread " + std::to_string(thread) + ": " + problem);
  }
  std::vector<std::string> list() {
    std::lock_guard<std::mutex> lock(mutex_);
    return list_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> list_;
};

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

void runThreads(const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
  for (std::thread& thread : threads) thread.join();
}

class ThreadsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(firstPlatformAndDevice(&platform_, &device_)); }

  cl_platform_id platform_ = nullptr;
  cl_device_id device_ = nullptr;
};

TEST_F(ThreadsTest, EachThreadWithItsOwnContextQueueAndKernel) {
  Problems problems;
  runThreads([&](int thread) {
    cl_int error = CL_SUCCESS;
    Context context = createContext(platform_, device_, &error);
    if (error != CL_SUCCESS) return problems.add(thread, "clCreateContext: " + clErrorName(error));
    CommandQueue queue = createQueue(context, device_, 0, &error);
    if (error != CL_SUCCESS) return problems.add(thread, "clCreateCommandQueue: " + clErrorName(error));
    ProgramBuild build = buildProgram(context, device_, kVectorAddSource);
    if (!build.ok()) return problems.add(thread, build.describe());
    Kernel kernel(clCreateKernel(build.program, "vector_add", &error));
    if (error != CL_SUCCESS) return problems.add(thread, "clCreateKernel: " + clErrorName(error));
    for (int i = 0; i < kIterations; ++i) {
      const std::string problem = runCheckedVectorAdd(context, queue, kernel, kCount, thread * 1000 + i);
      if (!problem.empty()) return problems.add(thread, "iteration " + std::to_string(i) + ": " + problem);
    }
  });
  const std::vector<std::string> found = problems.list();
  EXPECT_TRUE(found.empty()) << joined(found);
}

TEST_F(ThreadsTest, ThreadsSharingOneContextAndQueue) {
  cl_int error = CL_SUCCESS;
  Context context = createContext(platform_, device_, &error);
  CL_CHECK(error);
  CommandQueue queue = createQueue(context, device_, 0, &error);
  CL_CHECK(error);
  ProgramBuild build = buildProgram(context, device_, kVectorAddSource);
  ASSERT_TRUE(build.ok()) << build.describe();

  Problems problems;
  runThreads([&](int thread) {
    // Kernel arguments are per kernel object, so each thread needs its own kernel.
    cl_int kernelError = CL_SUCCESS;
    Kernel kernel(clCreateKernel(build.program, "vector_add", &kernelError));
    if (kernelError != CL_SUCCESS) return problems.add(thread, "clCreateKernel: " + clErrorName(kernelError));
    for (int i = 0; i < kIterations; ++i) {
      const std::string problem = runCheckedVectorAdd(context, queue, kernel, kCount, -thread * 1000 - i);
      if (!problem.empty()) return problems.add(thread, "iteration " + std::to_string(i) + ": " + problem);
    }
  });
  const std::vector<std::string> found = problems.list();
  EXPECT_TRUE(found.empty()) << joined(found);
}

TEST_F(ThreadsTest, ThreadsSharingAContextWithOwnQueues) {
  cl_int error = CL_SUCCESS;
  Context context = createContext(platform_, device_, &error);
  CL_CHECK(error);
  ProgramBuild build = buildProgram(context, device_, kVectorAddSource);
  ASSERT_TRUE(build.ok()) << build.describe();

  Problems problems;
  runThreads([&](int thread) {
    cl_int threadError = CL_SUCCESS;
    CommandQueue queue = createQueue(context, device_, 0, &threadError);
    if (threadError != CL_SUCCESS) return problems.add(thread, "clCreateCommandQueue: " + clErrorName(threadError));
    Kernel kernel(clCreateKernel(build.program, "vector_add", &threadError));
    if (threadError != CL_SUCCESS) return problems.add(thread, "clCreateKernel: " + clErrorName(threadError));
    for (int i = 0; i < kIterations; ++i) {
      const std::string problem = runCheckedVectorAdd(context, queue, kernel, kCount, thread * 7 + i);
      if (!problem.empty()) return problems.add(thread, "iteration " + std::to_string(i) + ": " + problem);
    }
  });
  const std::vector<std::string> found = problems.list();
  EXPECT_TRUE(found.empty()) << joined(found);
}

}  // namespace
}  // namespace rcl::test
