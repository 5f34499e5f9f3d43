// rcl-bench-gemm: clEnqueueSgemmRCL (cl_rcl_ops) through remote-cl against
// CLBlast called natively on the same device, in one run. The program starts
// its own remote-cl-server and shows the process both platforms (the native
// .icd files and remote-cl's), then prints one markdown table.
//   rcl-bench-gemm --server build/server/remote-cl-server --vendors build/vendors [--sizes 256,1024,2048] [--reps 3]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <CL/cl_remote.h>
#include <clblast.h>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "rcl-bench-gemm: %s\n", what.c_str());
  std::exit(1);
}

void check(cl_int status, const char* what) {
  if (status != CL_SUCCESS) die(std::string(what) + " failed: " + std::to_string(status));
}

// Starts the server with the native platforms only; returns its endpoint.
std::string startServer(const std::string& binary, pid_t& pid) {
  int out[2];
  if (pipe(out) != 0) die("pipe");
  pid = fork();
  if (pid == 0) {
    unsetenv("OCL_ICD_VENDORS");
    unsetenv("REMOTE_CL_SERVERS");
    dup2(out[1], 1);
    close(out[0]);
    execl(binary.c_str(), binary.c_str(), "--listen", "tcp://127.0.0.1:*", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) != 0) die("the server did not start: '" + line + "'");
  return line.substr(prefix.size());
}

struct Device {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
};

Device open(cl_platform_id p) {
  Device d;
  d.platform = p;
  check(clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 1, &d.device, nullptr), "clGetDeviceIDs");
  cl_int e;
  d.context = clCreateContext(nullptr, 1, &d.device, nullptr, nullptr, &e);
  check(e, "clCreateContext");
  d.queue = clCreateCommandQueueWithProperties(d.context, d.device, nullptr, &e);
  check(e, "clCreateCommandQueue");
  return d;
}

std::string name(cl_platform_id p) {
  char s[512] = "";
  clGetPlatformInfo(p, CL_PLATFORM_NAME, sizeof s, s, nullptr);
  return s;
}

// Only remote-cl's platforms answer CL_PLATFORM_REMOTE_ENDPOINT_RCL.
bool isRemote(cl_platform_id p) {
  size_t size = 0;
  return clGetPlatformInfo(p, CL_PLATFORM_REMOTE_ENDPOINT_RCL, 0, nullptr, &size) == CL_SUCCESS;
}

// One SGEMM set up on a device: its buffers, and how to run it.
struct Gemm {
  using Run = std::function<cl_int(cl_command_queue, size_t, cl_mem, cl_mem, cl_mem, cl_event*)>;
  const Device& d;
  size_t n;
  Run run;
  std::vector<float> a, b;
  cl_mem da = nullptr, db = nullptr, dc = nullptr;
  std::vector<double> times;

  Gemm(const Device& device, size_t size, Run r) : d(device), n(size), run(std::move(r)), a(n * n), b(n * n) {
    for (size_t i = 0; i < n * n; ++i) {
      a[i] = static_cast<float>(i % 7) - 3.0f;
      b[i] = static_cast<float>(i % 5) * 0.5f;
    }
    cl_int e;
    const size_t bytes = n * n * sizeof(float);
    da = clCreateBuffer(d.context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, a.data(), &e);
    check(e, "clCreateBuffer");
    db = clCreateBuffer(d.context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, b.data(), &e);
    check(e, "clCreateBuffer");
    dc = clCreateBuffer(d.context, CL_MEM_READ_WRITE, bytes, nullptr, &e);
    check(e, "clCreateBuffer");
  }
  ~Gemm() {
    clReleaseMemObject(da);
    clReleaseMemObject(db);
    clReleaseMemObject(dc);
  }
  // One run, enqueue to completion; `keep`: record its time.
  void once(bool keep) {
    const auto start = Clock::now();
    cl_event done = nullptr;
    check(run(d.queue, n, da, db, dc, &done), "sgemm");
    check(clWaitForEvents(1, &done), "clWaitForEvents");
    clReleaseEvent(done);
    if (keep) times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  // One entry checked, so a fast wrong answer does not count.
  void verify() {
    float c00 = 0;
    check(clEnqueueReadBuffer(d.queue, dc, CL_TRUE, 0, sizeof c00, &c00, 0, nullptr, nullptr), "read");
    double expected = 0;
    for (size_t p = 0; p < n; ++p) expected += static_cast<double>(a[p]) * b[p * n];
    if (std::abs(expected - c00) > 1e-3 * (std::abs(expected) + 1)) die("wrong SGEMM result");
  }
  double median() {
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string server, vendors;
  std::vector<size_t> sizes = {256, 1024, 2048};
  int reps = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--server") server = v;
    else if (k == "--vendors") vendors = v;
    else if (k == "--reps") reps = std::max(1, std::atoi(v.c_str()));
    else if (k == "--sizes") {
      sizes.clear();
      for (size_t at = 0; at < v.size();) {
        const size_t comma = v.find(',', at);
        sizes.push_back(std::stoul(v.substr(at, comma - at)));
        at = comma == std::string::npos ? v.size() : comma + 1;
      }
    } else die("unknown option " + k);
  }
  if (server.empty() || vendors.empty()) die("usage: --server PATH --vendors DIR [--sizes 256,1024,2048] [--reps 3]");

  pid_t pid = -1;
  const std::string endpoint = startServer(server, pid);
  // One vendors folder with the native platforms and remote-cl.
  namespace fs = std::filesystem;
  const fs::path both = fs::temp_directory_path() / ("rcl-bench-gemm-" + std::to_string(getpid()));
  fs::create_directories(both);
  const char* native = std::getenv("OCL_ICD_VENDORS");
  for (const auto& dir : {fs::path(native != nullptr ? native : "/etc/OpenCL/vendors"), fs::path(vendors)})
    for (const auto& f : fs::directory_iterator(dir))
      if (f.path().extension() == ".icd") fs::copy_file(f.path(), both / f.path().filename(), fs::copy_options::overwrite_existing);
  setenv("OCL_ICD_VENDORS", both.c_str(), 1);
  setenv("REMOTE_CL_SERVERS", endpoint.c_str(), 1);

  cl_platform_id platforms[16];
  cl_uint count = 0;
  check(clGetPlatformIDs(16, platforms, &count), "clGetPlatformIDs");
  cl_platform_id nativeP = nullptr, remoteP = nullptr;
  for (cl_uint i = 0; i < count; ++i) {
    // Both have the real platform's name: remote-cl's answers where it is.
    if (isRemote(platforms[i])) {
      if (remoteP == nullptr) remoteP = platforms[i];
    } else if (nativeP == nullptr) {
      nativeP = platforms[i];
    }
  }
  if (nativeP == nullptr || remoteP == nullptr) die("need a native platform and remote-cl's");
  auto sgemmRcl = reinterpret_cast<clEnqueueSgemmRCL_fn>(
      clGetExtensionFunctionAddressForPlatform(remoteP, "clEnqueueSgemmRCL"));
  if (sgemmRcl == nullptr) die("no clEnqueueSgemmRCL");
  const Device nat = open(nativeP), rem = open(remoteP);

  std::printf("SGEMM n x n x n, row-major, median of %d alternating runs after a warm-up; native: %s; remote: %s @ %s\n\n",
              reps, name(nativeP).c_str(), name(remoteP).c_str(), endpoint.c_str());
  std::printf("| n | CLBlast native (s) | GFLOP/s | clEnqueueSgemmRCL remote-cl (s) | GFLOP/s | remote / native |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (size_t n : sizes) {
    Gemm native(nat, n, [](cl_command_queue q, size_t n, cl_mem a, cl_mem b, cl_mem c, cl_event* e) {
      cl_command_queue queue = q;
      const auto s = clblast::Gemm<float>(clblast::Layout::kRowMajor, clblast::Transpose::kNo, clblast::Transpose::kNo,
                                          n, n, n, 1.0f, a, 0, n, b, 0, n, 0.0f, c, 0, n, &queue, e);
      return static_cast<cl_int>(s);
    });
    Gemm remote(rem, n, [&](cl_command_queue q, size_t n, cl_mem a, cl_mem b, cl_mem c, cl_event* e) {
      return sgemmRcl(q, CL_RCL_ROW_MAJOR, CL_RCL_NO_TRANS, CL_RCL_NO_TRANS, n, n, n, 1.0f, a, 0, n, b, 0, n, 0.0f, c,
                      0, n, 0, nullptr, e);
    });
    // Warm-up (kernel compilation), then the two alternate, so load on the
    // machine falls on both alike.
    native.once(false);
    remote.once(false);
    for (int r = 0; r < reps; ++r) {
      native.once(true);
      remote.once(true);
    }
    native.verify();
    remote.verify();
    const double tn = native.median(), tr = remote.median();
    const double flop = 2.0 * n * n * n;
    std::printf("| %zu | %.4f | %.1f | %.4f | %.1f | %.3fx |\n", n, tn, flop / tn * 1e-9, tr, flop / tr * 1e-9, tr / tn);
    std::fflush(stdout);
  }
  for (const Device* d : {&nat, &rem}) {
    clReleaseCommandQueue(d->queue);
    clReleaseContext(d->context);
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  fs::remove_all(both);
  return 0;
}
