// `rcl-bench measure`: every OpenCL measurement, on the first platform with a device that the
// environment's ICD loader offers (PoCL natively, remote-cl when OCL_ICD_VENDORS points at it).
// Any OpenCL error or wrong result throws: the mode then exits with 1.

#include <CL/cl.h>
#include <CL/cl_remote.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <random>
#include <sstream>

#include "bench_common.h"

namespace rcl::bench {
namespace {

[[noreturn]] void fail(const std::string& what, cl_int code) {
  throw std::runtime_error(what + " failed with OpenCL error " + std::to_string(code));
}

#define RCL_CHECK(call)                                  \
  do {                                                   \
    const cl_int rcl_status_ = (call);                   \
    if (rcl_status_ != CL_SUCCESS) fail(#call, rcl_status_); \
  } while (0)

std::string platformString(cl_platform_id platform, cl_platform_info what) {
  std::size_t size = 0;
  RCL_CHECK(clGetPlatformInfo(platform, what, 0, nullptr, &size));
  std::string text(size, '\0');
  RCL_CHECK(clGetPlatformInfo(platform, what, size, text.data(), nullptr));
  while (!text.empty() && text.back() == '\0') text.pop_back();
  return text;
}

// Where the platform is (CL/cl_remote.h); empty for a platform that is not remote-cl's.
std::string remoteEndpoint(cl_platform_id platform) {
  std::size_t size = 0;
  if (clGetPlatformInfo(platform, CL_PLATFORM_REMOTE_ENDPOINT_RCL, 0, nullptr, &size) != CL_SUCCESS) return {};
  return platformString(platform, CL_PLATFORM_REMOTE_ENDPOINT_RCL);
}

std::string deviceString(cl_device_id device, cl_device_info what) {
  std::size_t size = 0;
  RCL_CHECK(clGetDeviceInfo(device, what, 0, nullptr, &size));
  std::string text(size, '\0');
  RCL_CHECK(clGetDeviceInfo(device, what, size, text.data(), nullptr));
  while (!text.empty() && text.back() == '\0') text.pop_back();
  return text;
}

// Owns the context, queue and the objects of one run; released in reverse order.
struct Cl {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;

  Cl() {
    cl_uint count = 0;
    RCL_CHECK(clGetPlatformIDs(0, nullptr, &count));
    std::vector<cl_platform_id> platforms(count);
    RCL_CHECK(clGetPlatformIDs(count, platforms.data(), nullptr));
    for (cl_platform_id p : platforms) {
      cl_uint devices = 0;
      if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 1, &device, &devices) == CL_SUCCESS && devices > 0) {
        platform = p;
        break;
      }
    }
    if (platform == nullptr) throw std::runtime_error("no OpenCL platform with a device");
    cl_int err = CL_SUCCESS;
    context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &err);
    if (err != CL_SUCCESS) fail("clCreateContext", err);
    queue = clCreateCommandQueueWithProperties(context, device, nullptr, &err);
    if (err != CL_SUCCESS) fail("clCreateCommandQueueWithProperties", err);
  }
  ~Cl() {
    if (queue) clReleaseCommandQueue(queue);
    if (context) clReleaseContext(context);
  }
  Cl(const Cl&) = delete;
  Cl& operator=(const Cl&) = delete;

  cl_mem buffer(std::size_t bytes, cl_mem_flags flags = CL_MEM_READ_WRITE) const {
    cl_int err = CL_SUCCESS;
    cl_mem mem = clCreateBuffer(context, flags, bytes, nullptr, &err);
    if (err != CL_SUCCESS) fail("clCreateBuffer(" + sizeName(bytes) + ")", err);
    return mem;
  }

  cl_program program(const std::string& source, const char* options = "") const {
    const char* text = source.c_str();
    cl_int err = CL_SUCCESS;
    cl_program p = clCreateProgramWithSource(context, 1, &text, nullptr, &err);
    if (err != CL_SUCCESS) fail("clCreateProgramWithSource", err);
    build(p, options);
    return p;
  }

  void build(cl_program p, const char* options) const {
    const cl_int err = clBuildProgram(p, 1, &device, options, nullptr, nullptr);
    if (err != CL_SUCCESS) {
      std::size_t size = 0;
      clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size);
      std::string log(size, '\0');
      clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr);
      throw std::runtime_error("clBuildProgram failed (" + std::to_string(err) + "):\n" + log);
    }
  }

  cl_kernel kernel(cl_program p, const char* name) const {
    cl_int err = CL_SUCCESS;
    cl_kernel k = clCreateKernel(p, name, &err);
    if (err != CL_SUCCESS) fail(std::string("clCreateKernel ") + name, err);
    return k;
  }
};

// A unique comment makes every build a real one: PoCL caches built programs on disk by source.
std::string uniqueTag() {
  static int counter = 0;
  std::ostringstream tag;
  tag << "// rcl-bench " << getpid() << ' ' << Clock::now().time_since_epoch().count() << ' ' << counter++
      << '\n';
  return tag.str();
}

const char* kTinySource = R"CLC(
__kernel void tiny(__global int* out, int value) {
  if (get_global_id(0) == 0) out[0] = value;
}
)CLC";

// ---------------------------------------------------------------------------------------------
// Calls that need an answer
// ---------------------------------------------------------------------------------------------
// RCL_BENCH_CALLS=N caps the number of timed round trips of each kind (clGetEventInfo, clFinish):
// over an emulated link of 10 ms each is 10 ms (bench/run_network_bench.py).
int callCount(int count) {
  const char* cap = std::getenv("RCL_BENCH_CALLS");
  if (cap == nullptr || std::atoi(cap) <= 0) return count;
  return std::min(count, std::atoi(cap));
}

// RCL_BENCH_PARTS=roundtrips,transfers (comma-separated; default all of roundtrips, kernels,
// transfers, build, sgemm) runs only those parts of `measure` (bench/run_network_bench.py's
// encrypted and rate-capped columns, which need only the round trip and the transfers).
bool partWanted(const char* name) {
  const char* parts = std::getenv("RCL_BENCH_PARTS");
  if (parts == nullptr || *parts == '\0') return true;
  const std::string list = std::string(",") + parts + ",";
  return list.find(std::string(",") + name + ",") != std::string::npos;
}

void measureRoundTrips(const Cl& cl, bool quick, JsonOut& out) {
  const int queries = callCount(quick ? 2000 : 10000);
  cl_int err = CL_SUCCESS;
  cl_event user = clCreateUserEvent(cl.context, &err);
  if (err != CL_SUCCESS) fail("clCreateUserEvent", err);
  std::vector<double> times;
  times.reserve(queries);
  for (int i = 0; i < queries; ++i) {
    // A reference count stays a live query (the client answers a user
    // event's status itself, so that no longer measures a round trip).
    cl_uint refs = 0;
    const auto start = Clock::now();
    RCL_CHECK(clGetEventInfo(user, CL_EVENT_REFERENCE_COUNT, sizeof refs, &refs, nullptr));
    times.push_back(secondsSince(start));
    if (refs != 1) throw std::runtime_error("a user event held once reports " + std::to_string(refs) + " references");
  }
  out.number("call_round_trip_us", median(times) * 1e6);

  const int finishes = callCount(quick ? 1000 : 5000);
  RCL_CHECK(clFinish(cl.queue));
  times.clear();
  for (int i = 0; i < finishes; ++i) {
    const auto start = Clock::now();
    RCL_CHECK(clFinish(cl.queue));
    times.push_back(secondsSince(start));
  }
  out.number("finish_idle_us", median(times) * 1e6);

  // Only now is the user event completed ("never completed until the end").
  RCL_CHECK(clSetUserEventStatus(user, CL_COMPLETE));
  RCL_CHECK(clReleaseEvent(user));
}

// ---------------------------------------------------------------------------------------------
// Kernel enqueues
// ---------------------------------------------------------------------------------------------
void measureKernels(const Cl& cl, bool quick, JsonOut& out) {
  cl_program program = cl.program(uniqueTag() + kTinySource);
  cl_kernel kernel = cl.kernel(program, "tiny");
  cl_mem result = cl.buffer(sizeof(cl_int));
  RCL_CHECK(clSetKernelArg(kernel, 0, sizeof result, &result));
  cl_int value = 0;
  RCL_CHECK(clSetKernelArg(kernel, 1, sizeof value, &value));
  const std::size_t global = 1;

  // Warm-up: the first launch may compile the work-group function.
  RCL_CHECK(clEnqueueNDRangeKernel(cl.queue, kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  RCL_CHECK(clFinish(cl.queue));

  // Client-side time of one enqueue call, in batches with a clFinish (not timed) in between.
  const int batches = quick ? 4 : 10;
  const int perBatch = 500;
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(batches * perBatch));
  for (int b = 0; b < batches; ++b) {
    for (int i = 0; i < perBatch; ++i) {
      const auto start = Clock::now();
      RCL_CHECK(clEnqueueNDRangeKernel(cl.queue, kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
      times.push_back(secondsSince(start));
    }
    RCL_CHECK(clFinish(cl.queue));
  }
  out.number("enqueue_us", median(times) * 1e6);

  // End-to-end rate: N x (clSetKernelArg + enqueue), then clFinish; the last value must land.
  const int kernels = quick ? 2000 : 10000;
  const auto start = Clock::now();
  for (int i = 1; i <= kernels; ++i) {
    value = i;
    RCL_CHECK(clSetKernelArg(kernel, 1, sizeof value, &value));
    RCL_CHECK(clEnqueueNDRangeKernel(cl.queue, kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
  }
  RCL_CHECK(clFinish(cl.queue));
  const double elapsed = secondsSince(start);
  cl_int last = -1;
  RCL_CHECK(clEnqueueReadBuffer(cl.queue, result, CL_TRUE, 0, sizeof last, &last, 0, nullptr, nullptr));
  if (last != kernels)
    throw std::runtime_error("tiny kernels: expected " + std::to_string(kernels) + ", read " + std::to_string(last));
  out.number("kernels_count", kernels);
  out.number("kernels_per_s", kernels / elapsed);

  RCL_CHECK(clReleaseMemObject(result));
  RCL_CHECK(clReleaseKernel(kernel));
  RCL_CHECK(clReleaseProgram(program));
}

// ---------------------------------------------------------------------------------------------
// Blocking write/read, map/unmap
// ---------------------------------------------------------------------------------------------
void measureTransfers(const Cl& cl, bool quick, JsonOut& out) {
  const auto sizes = transferSizes(quick);
  const std::size_t largest = sizes.back().bytes;
  cl_mem mem = cl.buffer(largest);
  std::vector<unsigned char> source(largest), destination(largest);
  for (const auto& [bytes, repetitions] : sizes) {
    source.resize(bytes);
    destination.resize(bytes);
    fillPattern(source, static_cast<std::uint32_t>(bytes));
    // Warm-up (first touch of the device pages), not timed.
    RCL_CHECK(clEnqueueWriteBuffer(cl.queue, mem, CL_TRUE, 0, bytes, source.data(), 0, nullptr, nullptr));
    std::vector<double> writes, reads;
    for (int r = 0; r < repetitions; ++r) {
      source[static_cast<std::size_t>(r) % bytes] ^= 0x5a;  // every repetition writes new bytes
      // A blocking write may return once the host memory is reusable, before the bytes reach the
      // device (remote-cl copies and returns): the clFinish makes it a completed transfer.
      auto start = Clock::now();
      RCL_CHECK(clEnqueueWriteBuffer(cl.queue, mem, CL_TRUE, 0, bytes, source.data(), 0, nullptr, nullptr));
      RCL_CHECK(clFinish(cl.queue));
      writes.push_back(secondsSince(start));
      std::memset(destination.data(), 0, bytes);
      start = Clock::now();
      RCL_CHECK(clEnqueueReadBuffer(cl.queue, mem, CL_TRUE, 0, bytes, destination.data(), 0, nullptr, nullptr));
      reads.push_back(secondsSince(start));
      if (std::memcmp(source.data(), destination.data(), bytes) != 0)
        throw std::runtime_error("read-back of " + sizeName(bytes) + " differs from what was written");
    }
    out.number("write_" + sizeName(bytes) + "_s", median(writes));
    out.number("read_" + sizeName(bytes) + "_s", median(reads));
  }
  RCL_CHECK(clReleaseMemObject(mem));

  // Map/unmap of 16 MiB, mapped for reading and writing: the bytes come to the host at the map
  // and go back at the unmap. Checks and the host's own writes are not timed.
  const std::size_t bytes = 16 * MiB;
  const int repetitions = quick ? 3 : 10;
  cl_mem mapped = cl.buffer(bytes);
  source.resize(bytes);
  destination.resize(bytes);
  std::vector<double> maps;
  for (int r = 0; r < repetitions; ++r) {
    fillPattern(source, static_cast<std::uint32_t>(1000 + r));
    RCL_CHECK(clEnqueueWriteBuffer(cl.queue, mapped, CL_TRUE, 0, bytes, source.data(), 0, nullptr, nullptr));
    cl_int err = CL_SUCCESS;
    auto start = Clock::now();
    void* p = clEnqueueMapBuffer(cl.queue, mapped, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, bytes, 0, nullptr,
                                 nullptr, &err);
    if (err != CL_SUCCESS) fail("clEnqueueMapBuffer(CL_MAP_READ | CL_MAP_WRITE)", err);
    const double mapTime = secondsSince(start);
    const bool same = std::memcmp(p, source.data(), bytes) == 0;
    auto* host = static_cast<unsigned char*>(p);
    for (std::size_t i = 0; i < bytes; i += 4099) host[i] = static_cast<unsigned char>(host[i] ^ 0xff);
    start = Clock::now();
    RCL_CHECK(clEnqueueUnmapMemObject(cl.queue, mapped, p, 0, nullptr, nullptr));
    RCL_CHECK(clFinish(cl.queue));
    maps.push_back(mapTime + secondsSince(start));
    if (!same) throw std::runtime_error("mapped 16 MiB differs from what was written");
    RCL_CHECK(clEnqueueReadBuffer(cl.queue, mapped, CL_TRUE, 0, bytes, destination.data(), 0, nullptr, nullptr));
    for (std::size_t i = 0; i < bytes; i += 4099) source[i] = static_cast<unsigned char>(source[i] ^ 0xff);
    if (std::memcmp(source.data(), destination.data(), bytes) != 0)
      throw std::runtime_error("bytes written through a mapping did not reach the buffer");
  }
  out.number("map_16MiB_s", median(maps));
  RCL_CHECK(clReleaseMemObject(mapped));
}

// ---------------------------------------------------------------------------------------------
// clBuildProgram
// ---------------------------------------------------------------------------------------------
const char* kBuildSource = R"CLC(
__kernel void saxpy(__global const float* x, __global float* y, float a, int n) {
  int i = get_global_id(0);
  if (i < n) y[i] = a * x[i] + y[i];
}
)CLC";

void measureBuild(const Cl& cl, bool quick, JsonOut& out) {
  const int builds = quick ? 2 : 4;
  std::vector<double> times;
  for (int i = 0; i < builds; ++i) {
    const std::string source = uniqueTag() + kBuildSource;
    const char* text = source.c_str();
    cl_int err = CL_SUCCESS;
    cl_program p = clCreateProgramWithSource(cl.context, 1, &text, nullptr, &err);
    if (err != CL_SUCCESS) fail("clCreateProgramWithSource", err);
    const auto start = Clock::now();
    cl.build(p, "");
    times.push_back(secondsSince(start));
    cl_kernel k = cl.kernel(p, "saxpy");  // the build produced the kernel
    RCL_CHECK(clReleaseKernel(k));
    RCL_CHECK(clReleaseProgram(p));
  }
  out.number("build_s", median(times));
}

// ---------------------------------------------------------------------------------------------
// SGEMM: write A and B, run a tiled kernel, read C; checked against a CPU reference.
// ---------------------------------------------------------------------------------------------
const char* kSgemmSource = R"CLC(
// C = A * B, all n x n row-major, n a multiple of TILE.
__kernel void sgemm(__global const float* A, __global const float* B, __global float* C, int n) {
  __local float a[TILE][TILE];
  __local float b[TILE][TILE];
  const int col = get_global_id(0), row = get_global_id(1);
  const int lc = get_local_id(0), lr = get_local_id(1);
  float sum = 0.0f;
  for (int t = 0; t < n; t += TILE) {
    a[lr][lc] = A[row * n + t + lc];
    b[lr][lc] = B[(t + lr) * n + col];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < TILE; ++k) sum += a[lr][k] * b[k][lc];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  C[row * n + col] = sum;
}
)CLC";

void measureSgemm(const Cl& cl, bool quick, JsonOut& out) {
  const int n = quick ? 256 : 1024;
  const int runs = quick ? 1 : 2;
  const std::size_t count = static_cast<std::size_t>(n) * n;
  const std::size_t bytes = count * sizeof(float);

  std::size_t maxGroup = 0;
  RCL_CHECK(clGetDeviceInfo(cl.device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof maxGroup, &maxGroup, nullptr));
  std::size_t tile = 16;
  while (tile > 1 && tile * tile > maxGroup) tile /= 2;
  const std::string options = "-DTILE=" + std::to_string(tile);
  cl_program program = cl.program(kSgemmSource, options.c_str());  // cached builds are fine here
  cl_kernel kernel = cl.kernel(program, "sgemm");

  std::vector<float> A(count), B(count), C(count);
  std::mt19937 random(42);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (auto& x : A) x = uniform(random);
  for (auto& x : B) x = uniform(random);

  cl_mem a = cl.buffer(bytes, CL_MEM_READ_ONLY), b = cl.buffer(bytes, CL_MEM_READ_ONLY),
         c = cl.buffer(bytes, CL_MEM_WRITE_ONLY);
  RCL_CHECK(clSetKernelArg(kernel, 0, sizeof a, &a));
  RCL_CHECK(clSetKernelArg(kernel, 1, sizeof b, &b));
  RCL_CHECK(clSetKernelArg(kernel, 2, sizeof c, &c));
  RCL_CHECK(clSetKernelArg(kernel, 3, sizeof n, &n));
  const std::size_t global[2] = {static_cast<std::size_t>(n), static_cast<std::size_t>(n)};
  const std::size_t local[2] = {tile, tile};

  // Warm-up launch (not timed): PoCL compiles the work-group function at the first launch.
  RCL_CHECK(clEnqueueNDRangeKernel(cl.queue, kernel, 2, nullptr, global, local, 0, nullptr, nullptr));
  RCL_CHECK(clFinish(cl.queue));

  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    std::fill(C.begin(), C.end(), 0.0f);
    const auto start = Clock::now();
    RCL_CHECK(clEnqueueWriteBuffer(cl.queue, a, CL_TRUE, 0, bytes, A.data(), 0, nullptr, nullptr));
    RCL_CHECK(clEnqueueWriteBuffer(cl.queue, b, CL_TRUE, 0, bytes, B.data(), 0, nullptr, nullptr));
    RCL_CHECK(clEnqueueNDRangeKernel(cl.queue, kernel, 2, nullptr, global, local, 0, nullptr, nullptr));
    RCL_CHECK(clEnqueueReadBuffer(cl.queue, c, CL_TRUE, 0, bytes, C.data(), 0, nullptr, nullptr));
    times.push_back(secondsSince(start));

    std::mt19937 pick(7 + r);
    for (int check = 0; check < 32; ++check) {
      const int i = static_cast<int>(pick() % n), j = static_cast<int>(pick() % n);
      double exact = 0.0, magnitude = 0.0;
      for (int k = 0; k < n; ++k) {
        const double term = static_cast<double>(A[i * n + k]) * B[k * n + j];
        exact += term;
        magnitude += std::fabs(term);
      }
      const double got = C[static_cast<std::size_t>(i) * n + j];
      if (!(std::fabs(got - exact) <= 2e-4 * magnitude + 1e-6)) {
        std::ostringstream message;
        message << "SGEMM n=" << n << ": C[" << i << "][" << j << "] = " << got << ", expected " << exact;
        throw std::runtime_error(message.str());
      }
    }
  }
  out.number("sgemm_n", n);
  out.number("sgemm_s", median(times));

  RCL_CHECK(clReleaseMemObject(a));
  RCL_CHECK(clReleaseMemObject(b));
  RCL_CHECK(clReleaseMemObject(c));
  RCL_CHECK(clReleaseKernel(kernel));
  RCL_CHECK(clReleaseProgram(program));
}

// A step that takes far too long (a hang in the driver) ends the process with an error naming
// the step, instead of leaving the benchmark waiting forever.
std::atomic<const char*> currentStep{"start"};
std::atomic<long> stepStartedNs{0};

long nowNs() {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

void step(const char* name) {
  currentStep = name;
  stepStartedNs = nowNs();
}

void startWatchdog(double limitSeconds) {
  step("setup");
  std::thread([limitSeconds] {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if ((nowNs() - stepStartedNs.load()) * 1e-9 > limitSeconds) {
        std::fprintf(stderr, "rcl-bench measure: step '%s' did not finish within %.0f s (a hang?)\n",
                     currentStep.load(), limitSeconds);
        std::fflush(stderr);
        std::_Exit(3);
      }
    }
  }).detach();
}

}  // namespace

int runOpenClMeasurements(bool quick, bool json) {
  JsonOut out;
  const auto start = Clock::now();
  startWatchdog(quick ? 60.0 : 180.0);
  {
    Cl cl;
    out.string("platform", platformString(cl.platform, CL_PLATFORM_NAME));
    out.string("platform_version", platformString(cl.platform, CL_PLATFORM_VERSION));
    out.string("remote_endpoint", remoteEndpoint(cl.platform));
    out.string("device", deviceString(cl.device, CL_DEVICE_NAME));
    if (partWanted("roundtrips")) {
      step("round trips");
      measureRoundTrips(cl, quick, out);
    }
    if (partWanted("kernels")) {
      step("kernels");
      measureKernels(cl, quick, out);
    }
    if (partWanted("transfers")) {
      step("transfers and map/unmap");
      measureTransfers(cl, quick, out);
    }
    if (partWanted("build")) {
      step("clBuildProgram");
      measureBuild(cl, quick, out);
    }
    if (partWanted("sgemm")) {
      step("SGEMM");
      measureSgemm(cl, quick, out);
    }
    step("release");
  }
  out.number("total_s", secondsSince(start));
  print(out, json);
  return 0;
}

// memcpy throughput at the transfer sizes: the reference of the same-host path.
int runMemcpy(bool quick, bool json) {
  JsonOut out;
  for (const auto& [bytes, repetitions] : transferSizes(quick)) {
    std::vector<unsigned char> source(bytes), destination(bytes);
    fillPattern(source, 1);
    std::memcpy(destination.data(), source.data(), bytes);  // first touch
    std::vector<double> times;
    for (int r = 0; r < std::max(repetitions, 3); ++r) {
      source[static_cast<std::size_t>(r) % bytes] ^= 1;
      const auto start = Clock::now();
      std::memcpy(destination.data(), source.data(), bytes);
      times.push_back(secondsSince(start));
      if (destination[static_cast<std::size_t>(r) % bytes] != source[static_cast<std::size_t>(r) % bytes])
        throw std::runtime_error("memcpy went wrong");
    }
    out.number("memcpy_" + sizeName(bytes) + "_s", median(times));
  }
  print(out, json);
  return 0;
}

}  // namespace rcl::bench
