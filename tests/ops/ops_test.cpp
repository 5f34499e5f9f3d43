// cl_rcl_ops (CL/cl_remote.h) through real servers: GEMM against a CPU
// reference, the generic operation for GEMM and for the example plugin,
// wrong signatures (checked by the client, and by the server for raw
// requests), and a server started with --no-ops; the two servers' platforms,
// which have the same real identity, told apart by where they are. This
// binary starts its two servers before any OpenCL call and points the ICD
// loader at remote-cl.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <functional>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <CL/cl_ext.h>
#include <CL/cl_remote.h>

#include "raw_client.h"
#include "rcl/protocol/extension_calls.h"
#include "server_process.h"
#include "temp_directory.h"

namespace rcl::test {
namespace {

std::string g_opsEndpoint;    // --plugins <example plugin>
std::string g_noOpsEndpoint;  // --no-ops

std::string platformString(cl_platform_id p, cl_platform_info param) {
  size_t n = 0;
  clGetPlatformInfo(p, param, 0, nullptr, &n);
  std::string s(n, '\0');
  clGetPlatformInfo(p, param, n, s.data(), nullptr);
  return s.c_str();
}

std::string deviceExtensions(cl_device_id d) {
  size_t n = 0;
  clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, 0, nullptr, &n);
  std::string s(n, '\0');
  clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, n, s.data(), nullptr);
  return " " + std::string(s.c_str()) + " ";
}

bool lists(const std::string& extensions, const char* name) {
  return (" " + extensions + " ").find(std::string(" ") + name + " ") != std::string::npos;
}

std::vector<cl_platform_id> allPlatforms() {
  cl_platform_id platforms[8];
  cl_uint n = 0;
  clGetPlatformIDs(8, platforms, &n);
  return {platforms, platforms + std::min<cl_uint>(n, 8)};
}

// The platforms of both servers have the real platform's name: the one of
// `endpoint` is found by remote-cl's own query (CL/cl_remote.h).
cl_platform_id platformOf(const std::string& endpoint) {
  for (cl_platform_id p : allPlatforms())
    if (platformString(p, CL_PLATFORM_REMOTE_ENDPOINT_RCL) == endpoint) return p;
  return nullptr;
}

struct Remote {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
  void open(const std::string& endpoint) {
    platform = platformOf(endpoint);
    ASSERT_NE(platform, nullptr) << "no platform for " << endpoint;
    ASSERT_EQ(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr), CL_SUCCESS);
    cl_int e = CL_SUCCESS;
    context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, &e);
    ASSERT_EQ(e, CL_SUCCESS);
    queue = clCreateCommandQueueWithProperties(context, device, nullptr, &e);
    ASSERT_EQ(e, CL_SUCCESS);
  }
  void close() {
    if (queue != nullptr) clReleaseCommandQueue(queue);
    if (context != nullptr) clReleaseContext(context);
    queue = nullptr;
    context = nullptr;
  }
};

template <class F>
F function(cl_platform_id p, const char* name) {
  return reinterpret_cast<F>(clGetExtensionFunctionAddressForPlatform(p, name));
}

// ---- GEMM reference

template <class T>
struct GemmCase {
  cl_rcl_layout layout;
  cl_rcl_transpose ta, tb;
  size_t m, n, k;
  T alpha, beta;
  size_t aOff, bOff, cOff;
  size_t pad;  // added to each leading dimension
};

// Rows and columns of a stored matrix that is r x c after its transpose.
struct Stored {
  size_t rows, cols, ld, elements;
};
Stored stored(cl_rcl_layout layout, bool transposed, size_t r, size_t c, size_t pad, size_t offset) {
  Stored s{transposed ? c : r, transposed ? r : c, 0, 0};
  const bool row = layout == CL_RCL_ROW_MAJOR;
  s.ld = (row ? s.cols : s.rows) + pad;
  s.elements = offset + s.ld * (row ? s.rows : s.cols);
  return s;
}

template <class T>
T& at(std::vector<T>& x, cl_rcl_layout layout, size_t off, size_t ld, size_t r, size_t c) {
  return layout == CL_RCL_ROW_MAJOR ? x[off + r * ld + c] : x[off + c * ld + r];
}

template <class T>
void reference(const GemmCase<T>& g, std::vector<T> a, const Stored& sa, std::vector<T> b, const Stored& sb,
               std::vector<T>& c, const Stored& sc) {
  for (size_t i = 0; i < g.m; ++i)
    for (size_t j = 0; j < g.n; ++j) {
      double sum = 0;
      for (size_t p = 0; p < g.k; ++p) {
        const double x = g.ta == CL_RCL_TRANS ? at(a, g.layout, g.aOff, sa.ld, p, i) : at(a, g.layout, g.aOff, sa.ld, i, p);
        const double y = g.tb == CL_RCL_TRANS ? at(b, g.layout, g.bOff, sb.ld, j, p) : at(b, g.layout, g.bOff, sb.ld, p, j);
        sum += x * y;
      }
      T& out = at(c, g.layout, g.cOff, sc.ld, i, j);
      out = static_cast<T>(g.alpha * sum + g.beta * static_cast<double>(out));
    }
}

class OpsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ops_.open(g_opsEndpoint);
    sgemm_ = function<clEnqueueSgemmRCL_fn>(ops_.platform, "clEnqueueSgemmRCL");
    dgemm_ = function<clEnqueueDgemmRCL_fn>(ops_.platform, "clEnqueueDgemmRCL");
    hgemm_ = function<clEnqueueHgemmRCL_fn>(ops_.platform, "clEnqueueHgemmRCL");
    genericOp_ = function<clEnqueueGenericOpRCL_fn>(ops_.platform, "clEnqueueGenericOpRCL");
    getOps_ = function<clGetOpsRCL_fn>(ops_.platform, "clGetOpsRCL");
  }
  static void TearDownTestSuite() { ops_.close(); }

  template <class T>
  static cl_mem buffer(const std::vector<T>& data) {
    cl_int e = CL_SUCCESS;
    cl_mem m = clCreateBuffer(ops_.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, data.size() * sizeof(T),
                              const_cast<T*>(data.data()), &e);
    EXPECT_EQ(e, CL_SUCCESS);
    return m;
  }
  template <class T>
  static std::vector<T> read(cl_mem m, size_t n) {
    std::vector<T> out(n);
    EXPECT_EQ(clEnqueueReadBuffer(ops_.queue, m, CL_TRUE, 0, n * sizeof(T), out.data(), 0, nullptr, nullptr),
              CL_SUCCESS);
    return out;
  }
  template <class T>
  static std::vector<T> random(size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(dist(gen));
    return v;
  }

  // Runs one GEMM through `run` (a direct entry point or the generic
  // operation) and compares C with the reference.
  template <class T, class Run>
  static void checkGemm(const GemmCase<T>& g, Run run) {
    const Stored sa = stored(g.layout, g.ta == CL_RCL_TRANS, g.m, g.k, g.pad, g.aOff);
    const Stored sb = stored(g.layout, g.tb == CL_RCL_TRANS, g.k, g.n, g.pad, g.bOff);
    const Stored sc = stored(g.layout, false, g.m, g.n, g.pad, g.cOff);
    const auto a = random<T>(sa.elements, 1), b = random<T>(sb.elements, 2);
    auto c = random<T>(sc.elements, 3);
    cl_mem da = buffer(a), db = buffer(b), dc = buffer(c);
    cl_event done = nullptr;
    ASSERT_EQ(run(g, da, sa.ld, db, sb.ld, dc, sc.ld, &done), CL_SUCCESS);
    ASSERT_EQ(clWaitForEvents(1, &done), CL_SUCCESS);
    clReleaseEvent(done);
    const auto got = read<T>(dc, c.size());
    reference(g, a, sa, b, sb, c, sc);
    const double tolerance = sizeof(T) == 4 ? 1e-4 : 1e-10;
    for (size_t i = 0; i < c.size(); ++i)
      ASSERT_NEAR(got[i], c[i], tolerance * (1 + std::abs(c[i]) + g.k)) << "element " << i;
    clReleaseMemObject(da);
    clReleaseMemObject(db);
    clReleaseMemObject(dc);
  }

  template <class T>
  static std::vector<GemmCase<T>> cases(const std::vector<std::array<size_t, 3>>& sizes) {
    std::vector<GemmCase<T>> all;
    for (auto layout : {CL_RCL_ROW_MAJOR, CL_RCL_COL_MAJOR})
      for (auto ta : {CL_RCL_NO_TRANS, CL_RCL_TRANS})
        for (auto tb : {CL_RCL_NO_TRANS, CL_RCL_TRANS})
          for (const auto& s : sizes)
            all.push_back(GemmCase<T>{static_cast<cl_rcl_layout>(layout), static_cast<cl_rcl_transpose>(ta),
                                      static_cast<cl_rcl_transpose>(tb), s[0], s[1], s[2], T(1.5), T(-0.5), 3, 5, 2,
                                      static_cast<size_t>(all.size() % 3)});
    return all;
  }

  static Remote ops_;
  static clEnqueueSgemmRCL_fn sgemm_;
  static clEnqueueDgemmRCL_fn dgemm_;
  static clEnqueueHgemmRCL_fn hgemm_;
  static clEnqueueGenericOpRCL_fn genericOp_;
  static clGetOpsRCL_fn getOps_;
};
Remote OpsTest::ops_;
clEnqueueSgemmRCL_fn OpsTest::sgemm_;
clEnqueueDgemmRCL_fn OpsTest::dgemm_;
clEnqueueHgemmRCL_fn OpsTest::hgemm_;
clEnqueueGenericOpRCL_fn OpsTest::genericOp_;
clGetOpsRCL_fn OpsTest::getOps_;

TEST_F(OpsTest, TheExtensionIsListedAndItsFunctionsFound) {
  EXPECT_TRUE(lists(platformString(ops_.platform, CL_PLATFORM_EXTENSIONS), CL_RCL_OPS_EXTENSION_NAME));
  EXPECT_TRUE(lists(deviceExtensions(ops_.device), CL_RCL_OPS_EXTENSION_NAME));
  ASSERT_NE(sgemm_, nullptr);
  ASSERT_NE(dgemm_, nullptr);
  ASSERT_NE(hgemm_, nullptr);
  ASSERT_NE(genericOp_, nullptr);
  ASSERT_NE(getOps_, nullptr);
  EXPECT_EQ(reinterpret_cast<void*>(sgemm_), clGetExtensionFunctionAddress("clEnqueueSgemmRCL"));
}

TEST_F(OpsTest, ListsTheBuiltInOperationsAndThePlugins) {
  size_t size = 0;
  ASSERT_EQ(getOps_(ops_.platform, 0, nullptr, &size), CL_SUCCESS);
  ASSERT_EQ(size % sizeof(cl_rcl_op_info), 0u);
  std::vector<cl_rcl_op_info> ops(size / sizeof(cl_rcl_op_info));
  EXPECT_EQ(getOps_(ops_.platform, size - 1, ops.data(), nullptr), CL_INVALID_VALUE);
  ASSERT_EQ(getOps_(ops_.platform, size, ops.data(), nullptr), CL_SUCCESS);
  auto find = [&](const char* name) -> const cl_rcl_op_info* {
    for (const auto& op : ops)
      if (std::strcmp(op.name, name) == 0) return &op;
    return nullptr;
  };
  for (const char* gemm : {"sgemm", "dgemm", "hgemm"}) {
    const auto* op = find(gemm);
    ASSERT_NE(op, nullptr) << gemm;
    EXPECT_EQ(op->num_args, 17u);
    EXPECT_EQ(op->args[7].kind, static_cast<cl_rcl_arg_kind>(CL_RCL_ARG_MEM));
    EXPECT_STREQ(op->args[7].name, "a");
  }
  EXPECT_EQ(find("sgemm")->args[6].size, sizeof(cl_float));
  EXPECT_EQ(find("dgemm")->args[6].size, sizeof(cl_double));
  EXPECT_STREQ(find("hgemm")->required_extension, "cl_khr_fp16");
  const auto* saxpy = find("saxpy");
  ASSERT_NE(saxpy, nullptr);
  EXPECT_EQ(saxpy->num_args, 4u);
  const auto* reverse = find("reverse_bytes");
  ASSERT_NE(reverse, nullptr);
  EXPECT_EQ(reverse->args[1].kind, static_cast<cl_rcl_arg_kind>(CL_RCL_ARG_HOST_OUT));
}

auto sgemmDirect(clEnqueueSgemmRCL_fn f, cl_command_queue q) {
  return [f, q](const GemmCase<float>& g, cl_mem a, size_t lda, cl_mem b, size_t ldb, cl_mem c, size_t ldc,
                cl_event* e) {
    return f(q, g.layout, g.ta, g.tb, g.m, g.n, g.k, g.alpha, a, g.aOff, lda, b, g.bOff, ldb, g.beta, c, g.cOff, ldc, 0,
             nullptr, e);
  };
}

TEST_F(OpsTest, SgemmMatchesTheReferenceInEveryLayoutAndTranspose) {
  for (const auto& g : cases<float>({{3, 5, 7}, {17, 1, 33}})) {
    SCOPED_TRACE(testing::Message() << "layout " << g.layout << " ta " << g.ta << " tb " << g.tb << " " << g.m << "x"
                                    << g.n << "x" << g.k << " pad " << g.pad);
    checkGemm(g, sgemmDirect(sgemm_, ops_.queue));
  }
}

TEST_F(OpsTest, DgemmMatchesTheReferenceInEveryLayoutAndTranspose) {
  for (const auto& g : cases<double>({{3, 5, 7}, {17, 1, 33}})) {
    SCOPED_TRACE(testing::Message() << "layout " << g.layout << " ta " << g.ta << " tb " << g.tb << " " << g.m << "x"
                                    << g.n << "x" << g.k);
    checkGemm(g, [&](const GemmCase<double>& c, cl_mem a, size_t lda, cl_mem b, size_t ldb, cl_mem cc, size_t ldc,
                     cl_event* e) {
      return dgemm_(ops_.queue, c.layout, c.ta, c.tb, c.m, c.n, c.k, c.alpha, a, c.aOff, lda, b, c.bOff, ldb, c.beta,
                    cc, c.cOff, ldc, 0, nullptr, e);
    });
  }
}

TEST_F(OpsTest, SgemmThroughTheGenericOperation) {
  for (const auto& g : cases<float>({{17, 1, 33}})) {
    checkGemm(g, [&](const GemmCase<float>& c, cl_mem a, size_t lda, cl_mem b, size_t ldb, cl_mem cc, size_t ldc,
                     cl_event* e) {
      const cl_uint layout = c.layout, ta = c.ta, tb = c.tb;
      const cl_ulong m = c.m, n = c.n, k = c.k, ao = c.aOff, al = lda, bo = c.bOff, bl = ldb, co = c.cOff, cl = ldc;
      auto s = [](const auto& v) { return cl_rcl_arg{CL_RCL_ARG_SCALAR, sizeof v, &v, nullptr, nullptr}; };
      auto mem = [](cl_mem x) { return cl_rcl_arg{CL_RCL_ARG_MEM, 0, nullptr, nullptr, x}; };
      const cl_rcl_arg args[] = {s(layout), s(ta), s(tb), s(m), s(n), s(k), s(c.alpha), mem(a), s(ao),
                                 s(al), mem(b), s(bo), s(bl), s(c.beta), mem(cc), s(co), s(cl)};
      return genericOp_(ops_.queue, "sgemm", 17, args, 0, nullptr, e);
    });
  }
}

TEST_F(OpsTest, HalfPrecisionNeedsFp16) {
  cl_mem m = buffer(std::vector<cl_half>(16, 0));
  const cl_int status = hgemm_(ops_.queue, CL_RCL_ROW_MAJOR, CL_RCL_NO_TRANS, CL_RCL_NO_TRANS, 2, 2, 2, 0x3c00, m, 0,
                               2, m, 0, 2, 0, m, 8, 2, 0, nullptr, nullptr);
  if (lists(deviceExtensions(ops_.device), "cl_khr_fp16")) EXPECT_EQ(status, CL_SUCCESS);
  else EXPECT_EQ(status, CL_INVALID_OPERATION);
  clFinish(ops_.queue);
  clReleaseMemObject(m);
}

TEST_F(OpsTest, PluginSaxpyWaitsForItsWaitList) {
  const cl_uint n = 1000;
  const cl_float a = 2.5f;
  std::vector<float> x(n), y(n);
  for (cl_uint i = 0; i < n; ++i) {
    x[i] = static_cast<float>(i);
    y[i] = 1.0f;
  }
  cl_mem dx = buffer(x), dy = buffer(y);
  cl_int e = CL_SUCCESS;
  cl_event gate = clCreateUserEvent(ops_.context, &e);
  ASSERT_EQ(e, CL_SUCCESS);
  const cl_rcl_arg args[] = {{CL_RCL_ARG_SCALAR, sizeof n, &n, nullptr, nullptr},
                             {CL_RCL_ARG_SCALAR, sizeof a, &a, nullptr, nullptr},
                             {CL_RCL_ARG_MEM, 0, nullptr, nullptr, dx},
                             {CL_RCL_ARG_MEM, 0, nullptr, nullptr, dy}};
  cl_event done = nullptr;
  ASSERT_EQ(genericOp_(ops_.queue, "saxpy", 4, args, 1, &gate, &done), CL_SUCCESS);
  clFlush(ops_.queue);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  cl_int status = CL_COMPLETE;
  ASSERT_EQ(clGetEventInfo(done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr), CL_SUCCESS);
  EXPECT_GT(status, CL_COMPLETE) << "ran before its wait list was met";
  ASSERT_EQ(clSetUserEventStatus(gate, CL_COMPLETE), CL_SUCCESS);
  ASSERT_EQ(clWaitForEvents(1, &done), CL_SUCCESS);
  const auto got = read<float>(dy, n);
  for (cl_uint i = 0; i < n; ++i) ASSERT_FLOAT_EQ(got[i], a * x[i] + 1.0f) << i;
  clReleaseEvent(done);
  clReleaseEvent(gate);
  clReleaseMemObject(dx);
  clReleaseMemObject(dy);
}

TEST_F(OpsTest, PluginHostInHostOut) {
  const std::string in = "remote-cl operations: host bytes in, host bytes out";
  std::string out(in.size(), '?');
  const cl_rcl_arg args[] = {{CL_RCL_ARG_HOST_IN, in.size(), in.data(), nullptr, nullptr},
                             {CL_RCL_ARG_HOST_OUT, out.size(), nullptr, out.data(), nullptr}};
  cl_event done = nullptr;
  ASSERT_EQ(genericOp_(ops_.queue, "reverse_bytes", 2, args, 0, nullptr, &done), CL_SUCCESS);
  ASSERT_EQ(clWaitForEvents(1, &done), CL_SUCCESS);
  EXPECT_EQ(out, std::string(in.rbegin(), in.rend()));
  clReleaseEvent(done);

  // No event asked for: clFinish waits for the results.
  std::string again(in.size(), '?');
  const cl_rcl_arg args2[] = {{CL_RCL_ARG_HOST_IN, in.size(), in.data(), nullptr, nullptr},
                              {CL_RCL_ARG_HOST_OUT, again.size(), nullptr, again.data(), nullptr}};
  ASSERT_EQ(genericOp_(ops_.queue, "reverse_bytes", 2, args2, 0, nullptr, nullptr), CL_SUCCESS);
  ASSERT_EQ(clFinish(ops_.queue), CL_SUCCESS);
  EXPECT_EQ(again, out);
}

TEST_F(OpsTest, WrongSignaturesAreErrorsAtTheCall) {
  cl_mem m = buffer(std::vector<float>(64, 0.0f));
  const cl_uint n = 4;
  const cl_float a = 1.0f;
  const cl_double wide = 1.0;
  auto s = [](const void* v, size_t size) { return cl_rcl_arg{CL_RCL_ARG_SCALAR, size, v, nullptr, nullptr}; };
  auto mem = [](cl_mem x) { return cl_rcl_arg{CL_RCL_ARG_MEM, 0, nullptr, nullptr, x}; };
  const cl_rcl_arg good[] = {s(&n, sizeof n), s(&a, sizeof a), mem(m), mem(m)};
  EXPECT_EQ(genericOp_(ops_.queue, "saxpy", 3, good, 0, nullptr, nullptr), CL_INVALID_VALUE);
  EXPECT_EQ(genericOp_(ops_.queue, "no_such_op", 4, good, 0, nullptr, nullptr), CL_INVALID_VALUE);
  EXPECT_EQ(genericOp_(ops_.queue, nullptr, 4, good, 0, nullptr, nullptr), CL_INVALID_VALUE);
  const cl_rcl_arg wrongKind[] = {s(&n, sizeof n), s(&a, sizeof a), s(&n, sizeof n), mem(m)};
  EXPECT_EQ(genericOp_(ops_.queue, "saxpy", 4, wrongKind, 0, nullptr, nullptr), CL_INVALID_ARG_VALUE);
  const cl_rcl_arg wrongSize[] = {s(&n, sizeof n), s(&wide, sizeof wide), mem(m), mem(m)};
  EXPECT_EQ(genericOp_(ops_.queue, "saxpy", 4, wrongSize, 0, nullptr, nullptr), CL_INVALID_ARG_SIZE);
  const cl_rcl_arg noMem[] = {s(&n, sizeof n), s(&a, sizeof a), mem(nullptr), mem(m)};
  EXPECT_EQ(genericOp_(ops_.queue, "saxpy", 4, noMem, 0, nullptr, nullptr), CL_INVALID_MEM_OBJECT);
  EXPECT_EQ(genericOp_(nullptr, "saxpy", 4, good, 0, nullptr, nullptr), CL_INVALID_COMMAND_QUEUE);
  EXPECT_EQ(sgemm_(ops_.queue, CL_RCL_ROW_MAJOR, CL_RCL_NO_TRANS, CL_RCL_NO_TRANS, 2, 2, 2, 1.0f, m, 0, 2, nullptr, 0,
                   2, 0.0f, m, 0, 2, 0, nullptr, nullptr),
            CL_INVALID_MEM_OBJECT);
  // Still serving.
  EXPECT_EQ(genericOp_(ops_.queue, "saxpy", 4, good, 0, nullptr, nullptr), CL_SUCCESS);
  EXPECT_EQ(clFinish(ops_.queue), CL_SUCCESS);
  clReleaseMemObject(m);
}

TEST_F(OpsTest, ErrorsTheServerFindsFailTheEvent) {
  cl_mem small = buffer(std::vector<float>(4, 0.0f));
  cl_mem big = buffer(std::vector<float>(64, 1.0f));
  cl_event done = nullptr;
  // C is 8x8 but its buffer holds 4 floats.
  ASSERT_EQ(sgemm_(ops_.queue, CL_RCL_ROW_MAJOR, CL_RCL_NO_TRANS, CL_RCL_NO_TRANS, 8, 8, 8, 1.0f, big, 0, 8, big, 0, 8,
                   0.0f, small, 0, 8, 0, nullptr, &done),
            CL_SUCCESS);
  EXPECT_NE(clWaitForEvents(1, &done), CL_SUCCESS);
  cl_int status = CL_COMPLETE;
  clGetEventInfo(done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
  EXPECT_EQ(status, CL_INVALID_VALUE);
  clReleaseEvent(done);
  // A layout that does not exist.
  ASSERT_EQ(sgemm_(ops_.queue, 999, CL_RCL_NO_TRANS, CL_RCL_NO_TRANS, 8, 8, 8, 1.0f, big, 0, 8, big, 0, 8, 0.0f, big, 0,
                   8, 0, nullptr, &done),
            CL_SUCCESS);
  EXPECT_NE(clWaitForEvents(1, &done), CL_SUCCESS);
  clGetEventInfo(done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
  EXPECT_EQ(status, CL_INVALID_VALUE);
  clReleaseEvent(done);
  // The session goes on.
  checkGemm(GemmCase<float>{CL_RCL_ROW_MAJOR, CL_RCL_NO_TRANS, CL_RCL_NO_TRANS, 3, 5, 7, 1.0f, 0.0f, 0, 0, 0, 0},
            sgemmDirect(sgemm_, ops_.queue));
  clReleaseMemObject(small);
  clReleaseMemObject(big);
}

// Two servers on the same real platform: two platforms with its identity,
// told apart by where they are.
TEST(TwoServers, PlatformsHaveTheRealIdentityAndTheirOwnEndpoint) {
  const auto platforms = allPlatforms();
  ASSERT_EQ(platforms.size(), 2u);
  const cl_platform_id ops = platformOf(g_opsEndpoint), noOps = platformOf(g_noOpsEndpoint);
  ASSERT_NE(ops, nullptr) << "no platform answers CL_PLATFORM_REMOTE_ENDPOINT_RCL with " << g_opsEndpoint;
  ASSERT_NE(noOps, nullptr) << "no platform answers CL_PLATFORM_REMOTE_ENDPOINT_RCL with " << g_noOpsEndpoint;
  EXPECT_NE(ops, noOps);
  for (cl_platform_info identity : {CL_PLATFORM_NAME, CL_PLATFORM_VENDOR, CL_PLATFORM_VERSION, CL_PLATFORM_PROFILE}) {
    SCOPED_TRACE(identity);
    const std::string value = platformString(ops, identity);
    EXPECT_FALSE(value.empty());
    EXPECT_EQ(value, platformString(noOps, identity));
    EXPECT_EQ(value.find("remote-cl"), std::string::npos) << value;
  }
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  for (cl_platform_id p : {ops, noOps}) {
    EXPECT_EQ(platformString(p, CL_PLATFORM_REMOTE_SERVER_RCL), host) << "the servers run on this host";
    EXPECT_EQ(platformString(p, CL_PLATFORM_ICD_SUFFIX_KHR), "RCL");
  }
}

TEST(NoOpsServer, OffersNoExtension) {
  Remote r;
  r.open(g_noOpsEndpoint);
  EXPECT_FALSE(lists(platformString(r.platform, CL_PLATFORM_EXTENSIONS), CL_RCL_OPS_EXTENSION_NAME));
  EXPECT_FALSE(lists(deviceExtensions(r.device), CL_RCL_OPS_EXTENSION_NAME));
  auto getOps = function<clGetOpsRCL_fn>(r.platform, "clGetOpsRCL");
  auto sgemm = function<clEnqueueSgemmRCL_fn>(r.platform, "clEnqueueSgemmRCL");
  ASSERT_NE(getOps, nullptr);
  ASSERT_NE(sgemm, nullptr);
  size_t size = 0;
  EXPECT_EQ(getOps(r.platform, 0, nullptr, &size), CL_INVALID_OPERATION);
  cl_int e = CL_SUCCESS;
  cl_mem m = clCreateBuffer(r.context, CL_MEM_READ_WRITE, 64, nullptr, &e);
  EXPECT_EQ(sgemm(r.queue, CL_RCL_ROW_MAJOR, CL_RCL_NO_TRANS, CL_RCL_NO_TRANS, 2, 2, 2, 1.0f, m, 0, 2, m, 0, 2, 0.0f,
                  m, 0, 2, 0, nullptr, nullptr),
            CL_INVALID_OPERATION);
  clReleaseMemObject(m);
  r.close();
}

// ---- the server's own checks, with requests no real client sends

using protocol::CallId;

class RawOpsTest : public ::testing::Test {
 protected:
  // Context 1 and queue 2 on the first device of `endpoint`.
  void open(RawClient& client) {
    device_ = client.hello();
    const auto device = device_;
    ASSERT_NE(device, 0u);
    ASSERT_EQ(client.createContext(1, device).status, CL_SUCCESS);
    ASSERT_EQ(client.createQueue(2, 1, device).status, CL_SUCCESS);
  }
  // An EnqueueOp of `name` on queue 2 whose arguments `args` writes.
  static cl_int op(RawClient& client, const std::string& name, std::uint32_t count,
                   const std::function<void(protocol::Writer&, std::uint32_t)>& arg) {
    return client
        .call(CallId::EnqueueOp,
              [&](protocol::Writer& w) {
                w.u64(2);
                w.str(name);
                w.array(count);
                for (std::uint32_t i = 0; i < count; ++i) {
                  w.array(2);
                  arg(w, i);
                }
                w.nil();
                w.nil();
              })
        .status;
  }
  zmq::context_t zmq_{1};
  std::uint64_t device_ = 0;
};

// sgemm's arguments, with argument `bad` written by `write` instead.
std::function<void(protocol::Writer&, std::uint32_t)> sgemmArgs(std::uint32_t bad,
                                                               std::function<void(protocol::Writer&)> write) {
  return [bad, write](protocol::Writer& w, std::uint32_t i) {
    if (i == bad) return write(w);
    if (i == 7 || i == 10 || i == 14) {
      w.u64(CL_RCL_ARG_MEM);
      w.u64(999);
      return;
    }
    w.u64(CL_RCL_ARG_SCALAR);
    const cl_ulong v = 1;
    w.bin(&v, i < 3 || i == 6 || i == 13 ? 4 : 8);
  };
}

TEST_F(RawOpsTest, TheServerChecksEverySignature) {
  RawClient client(zmq_, g_opsEndpoint, 0xab01);
  open(client);
  const auto scalar8 = [](protocol::Writer& w) {
    w.u64(CL_RCL_ARG_SCALAR);
    const cl_ulong v = 0;
    w.bin(&v, 8);
  };
  EXPECT_EQ(op(client, "sgemm", 16, sgemmArgs(99, nullptr)), CL_INVALID_VALUE);
  EXPECT_EQ(op(client, "no_such_op", 17, sgemmArgs(99, nullptr)), CL_INVALID_VALUE);
  EXPECT_EQ(op(client, "sgemm", 17, sgemmArgs(0, scalar8)), CL_INVALID_MEM_OBJECT);  // unknown buffers come first
  EXPECT_EQ(op(client, "sgemm", 17, sgemmArgs(7, scalar8)), CL_INVALID_MEM_OBJECT);
  EXPECT_EQ(op(client, "sgemm", 17, sgemmArgs(7, [](protocol::Writer& w) {
              w.u64(77);
              w.u64(0);
            })),
            CL_INVALID_ARG_VALUE);
  // With real buffers: kinds and sizes.
  ASSERT_EQ(client.createBuffer(3, 1, 4096).status, CL_SUCCESS);
  auto withBuffer = [](std::uint32_t bad, std::function<void(protocol::Writer&)> write) {
    return [bad, write](protocol::Writer& w, std::uint32_t i) {
      if (i == bad) return write(w);
      if (i == 7 || i == 10 || i == 14) {
        w.u64(CL_RCL_ARG_MEM);
        w.u64(3);
        return;
      }
      w.u64(CL_RCL_ARG_SCALAR);
      const cl_ulong v = 1;
      w.bin(&v, i < 3 || i == 6 || i == 13 ? 4 : 8);
    };
  };
  EXPECT_EQ(op(client, "sgemm", 17, withBuffer(0, scalar8)), CL_INVALID_ARG_SIZE);
  EXPECT_EQ(op(client, "sgemm", 17, withBuffer(7, scalar8)), CL_INVALID_ARG_VALUE);
  EXPECT_EQ(op(client, "sgemm", 17, withBuffer(3, [](protocol::Writer& w) {
              w.u64(CL_RCL_ARG_MEM);
              w.u64(3);
            })),
            CL_INVALID_ARG_VALUE);
  // The session still serves.
  EXPECT_EQ(client.createQueue(4, 1, device_).status, CL_SUCCESS);
}

TEST_F(RawOpsTest, AServerWithoutOpsRefusesThem) {
  RawClient client(zmq_, g_noOpsEndpoint, 0xab02);
  open(client);
  EXPECT_EQ(op(client, "sgemm", 17, sgemmArgs(99, nullptr)), CL_INVALID_OPERATION);
}

}  // namespace
}  // namespace rcl::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* server = std::getenv("RCL_SERVER_BIN");
  const char* vendors = std::getenv("RCL_VENDORS_DIR");
  const char* plugins = std::getenv("RCL_PLUGINS_DIR");
  if (server == nullptr || vendors == nullptr || plugins == nullptr) {
    std::fprintf(stderr, "RCL_SERVER_BIN, RCL_VENDORS_DIR and RCL_PLUGINS_DIR must be set\n");
    return 2;
  }
  rcl::test::TempDirectory temp("rcl-ops-test");
  auto launch = [&](std::vector<std::string> extra, const std::string& log) {
    rcl::test::ServerLaunch l;
    l.binary = server;
    l.args = {"--listen", "tcp://127.0.0.1:*"};
    l.args.insert(l.args.end(), extra.begin(), extra.end());
    l.unsetVariables = {"OCL_ICD_VENDORS", "REMOTE_CL_SERVERS"};
    l.logPath = temp.file(log);
    return std::make_unique<rcl::test::ServerProcess>(l);
  };
  auto withOps = launch({"--plugins", plugins}, "ops.log");
  auto noOps = launch({"--no-ops"}, "no-ops.log");
  rcl::test::g_opsEndpoint = withOps->endpoint();
  rcl::test::g_noOpsEndpoint = noOps->endpoint();
  // Before the first OpenCL call: the loader reads these once.
  setenv("OCL_ICD_VENDORS", vendors, 1);
  setenv("REMOTE_CL_SERVERS", (rcl::test::g_opsEndpoint + "," + rcl::test::g_noOpsEndpoint).c_str(), 1);
  const int result = RUN_ALL_TESTS();
  if (result != 0) {
    std::fprintf(stderr, "server logs in %s\n", temp.path().c_str());
    temp.keep();
  }
  return result;
}
