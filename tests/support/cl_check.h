#pragma once
// gtest assertions on OpenCL error codes that print the codes' names.
//
//   CL_CHECK(clFinish(queue));                          // fatal unless CL_SUCCESS
//   CL_EXPECT(clFinish(queue));                         // non-fatal
//   CL_CHECK_ERROR(CL_INVALID_ARG_INDEX, clSetKernelArg(kernel, 9, 4, &x));
//
// For functions with an errcode_ret: `cl_int err; cl_mem m = clCreateBuffer(..., &err); CL_CHECK(err);`

#include <CL/cl.h>
#include <gtest/gtest.h>

#include "cl_error_names.h"

namespace rcl::test {

inline ::testing::AssertionResult clSucceeded(const char* expression, cl_int code) {
  if (code == CL_SUCCESS) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expression << " returned " << clErrorName(code) << " (" << code
                                       << "), expected CL_SUCCESS";
}

inline ::testing::AssertionResult clReturned(const char* expectedExpression, const char* expression, cl_int expected,
                                             cl_int code) {
  if (code == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expression << " returned " << clErrorName(code) << " (" << code
                                       << "), expected " << expectedExpression << " = " << clErrorName(expected)
                                       << " (" << expected << ")";
}

}  // namespace rcl::test

#define CL_CHECK(expr) ASSERT_PRED_FORMAT1(::rcl::test::clSucceeded, expr)
#define CL_EXPECT(expr) EXPECT_PRED_FORMAT1(::rcl::test::clSucceeded, expr)
#define CL_CHECK_ERROR(expected, expr) ASSERT_PRED_FORMAT2(::rcl::test::clReturned, expected, expr)
#define CL_EXPECT_ERROR(expected, expr) EXPECT_PRED_FORMAT2(::rcl::test::clReturned, expected, expr)
