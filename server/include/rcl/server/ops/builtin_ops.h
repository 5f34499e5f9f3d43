// The built-in operations, declared once: X(name, element type, required
// device extension, description). The registry, the signatures and the
// runners are all derived from this list; their arguments are
// RCL_GEMM_ARGS (rcl/protocol/extension_calls.h).
#pragma once

#include <vector>

#include "rcl/server/ops/registry.h"

#define RCL_BUILTIN_OPS(X)                                                                   \
  X(sgemm, cl_float, "", "C = alpha * op(A) * op(B) + beta * C in single precision (CLBlast)") \
  X(dgemm, cl_double, "cl_khr_fp64", "C = alpha * op(A) * op(B) + beta * C in double precision (CLBlast)") \
  X(hgemm, cl_half, "cl_khr_fp16", "C = alpha * op(A) * op(B) + beta * C in half precision (CLBlast)")

namespace rcl::server::ops {

std::vector<Op> builtinOps();

}  // namespace rcl::server::ops
