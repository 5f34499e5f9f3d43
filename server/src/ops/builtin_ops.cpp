// The built-in operations: GEMM in three precisions, run with CLBlast on the
// session's real queue.
#include "rcl/server/ops/builtin_ops.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <clblast.h>
#include <clblast_half.h>

#include "rcl/protocol/extension_calls.h"
#include "rcl/server/support/checked_sizes.h"

namespace rcl::server::ops {
namespace {

// CLBlast's status as the OpenCL error a caller expects.
cl_int toClError(clblast::StatusCode status) {
  using clblast::StatusCode;
  const int code = static_cast<int>(status);
  if (code == 0) return CL_SUCCESS;
  if (code > -1000) return static_cast<cl_int>(code);  // an OpenCL error, passed through
  switch (status) {
    case StatusCode::kInvalidMatrixA:
    case StatusCode::kInvalidMatrixB:
    case StatusCode::kInvalidMatrixC:
      return CL_INVALID_MEM_OBJECT;
    case StatusCode::kInvalidDimension:
    case StatusCode::kInvalidLeadDimA:
    case StatusCode::kInvalidLeadDimB:
    case StatusCode::kInvalidLeadDimC:
    case StatusCode::kInsufficientMemoryA:
    case StatusCode::kInsufficientMemoryB:
    case StatusCode::kInsufficientMemoryC:
      return CL_INVALID_VALUE;
    case StatusCode::kNotImplemented:
    case StatusCode::kNoHalfPrecision:
    case StatusCode::kNoDoublePrecision:
      return CL_INVALID_OPERATION;
    default:
      return CL_OUT_OF_RESOURCES;
  }
}

// The arguments of a GEMM, decoded from the checked argument list.
template <class T>
struct GemmArgs {
#define RCL_FIELD(name, kind, type) type name;
  RCL_GEMM_ARGS(RCL_FIELD, T)
#undef RCL_FIELD
};

template <class T>
GemmArgs<T> decodeGemm(const rcl_plugin_arg* args) {
  GemmArgs<T> g{};
  std::size_t i = 0;
#define RCL_DECODE(name, kind, type)                                         \
  if constexpr (kind == CL_RCL_ARG_MEM) g.name = args[i].mem;                \
  else std::memcpy(&g.name, args[i].value, sizeof(type));                    \
  ++i;
  RCL_GEMM_ARGS(RCL_DECODE, T)
#undef RCL_DECODE
  return g;
}

template <class T>
std::vector<ArgSpec> gemmSignature() {
  return {
#define RCL_SPEC(name, kind, type) ArgSpec{kind, kind == CL_RCL_ARG_MEM ? 0 : sizeof(type), #name},
      RCL_GEMM_ARGS(RCL_SPEC, T)
#undef RCL_SPEC
  };
}

// A matrix as CLBlast sees it in its buffer: `two` vectors of `one`
// elements, `ld` apart, from `offset`. CLBlast checks that it fits, but
// computes (ld * (two - 1) + one + offset) * sizeof(T) unchecked: huge values
// wrap to a small size that passes, and its kernel reads and writes outside
// the buffer. Here every step is checked, and the elements must stay within
// an int (CLBlast's kernels index with int). CL_INVALID_VALUE otherwise, as
// for CLBlast's kInsufficientMemory (a dimension of 0 is left to CLBlast).
template <class T>
void expectMatrix(cl_mem buffer, cl_ulong one, cl_ulong two, cl_ulong offset, cl_ulong ld) {
  if (one == 0 || two == 0) return;
  const std::size_t elements =
      checkedSum(checkedSum(checkedProduct({std::max(ld, one), two - 1}), one), offset);
  const std::size_t bytes = checkedProduct({elements, sizeof(T)});
  const auto size = bufferSize(buffer);
  if (elements > static_cast<std::size_t>(std::numeric_limits<cl_int>::max()) || (size && bytes > *size))
    throw CallError(CL_INVALID_VALUE, "a matrix outside its buffer");
}

// The three matrices, in CLBlast's terms (its Xgemm: a matrix is "rotated"
// when its rows are its vectors in memory).
template <class T>
void expectMatrices(const GemmArgs<T>& g) {
  const bool rowMajor = g.layout == CL_RCL_ROW_MAJOR;
  const bool aRotated = rowMajor == (g.a_transpose == CL_RCL_NO_TRANS);
  const bool bRotated = rowMajor == (g.b_transpose == CL_RCL_NO_TRANS);
  expectMatrix<T>(g.a, aRotated ? g.k : g.m, aRotated ? g.m : g.k, g.a_offset, g.a_ld);
  expectMatrix<T>(g.b, bRotated ? g.n : g.k, bRotated ? g.k : g.n, g.b_offset, g.b_ld);
  expectMatrix<T>(g.c, rowMajor ? g.n : g.m, rowMajor ? g.m : g.n, g.c_offset, g.c_ld);
}

template <class T>
cl_int runGemm(cl_command_queue queue, const rcl_plugin_arg* args, cl_uint, cl_uint numEvents,
               const cl_event* waitList, cl_event* event) {
  const GemmArgs<T> g = decodeGemm<T>(args);
  if (g.layout != CL_RCL_ROW_MAJOR && g.layout != CL_RCL_COL_MAJOR) return CL_INVALID_VALUE;
  for (cl_uint t : {g.a_transpose, g.b_transpose})
    if (t != CL_RCL_NO_TRANS && t != CL_RCL_TRANS) return CL_INVALID_VALUE;
  try {
    expectMatrices(g);
  } catch (const CallError& e) {
    return e.status();
  }
  // CLBlast takes no wait list: a barrier holds the queue until it is met.
  if (numEvents != 0) {
    if (cl_int s = clEnqueueBarrierWithWaitList(queue, numEvents, waitList, nullptr); s != CL_SUCCESS) return s;
  }
  const auto status = clblast::Gemm<T>(
      static_cast<clblast::Layout>(g.layout), static_cast<clblast::Transpose>(g.a_transpose),
      static_cast<clblast::Transpose>(g.b_transpose), g.m, g.n, g.k, g.alpha, g.a, g.a_offset, g.a_ld, g.b,
      g.b_offset, g.b_ld, g.beta, g.c, g.c_offset, g.c_ld, &queue, event);
  return toClError(status);
}

}  // namespace

std::vector<Op> builtinOps() {
  std::vector<Op> ops;
#define RCL_BUILTIN(name, type, extension, description) \
  ops.push_back(Op{#name, description, extension, gemmSignature<type>(), &runGemm<type>, "built-in"});
  RCL_BUILTIN_OPS(RCL_BUILTIN)
#undef RCL_BUILTIN
  return ops;
}

}  // namespace rcl::server::ops
