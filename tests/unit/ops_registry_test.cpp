// The server's cl_rcl_ops registry refuses an operation it could not describe
// or run (server/src/ops/registry.cpp), naming what is wrong.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "rcl/server/ops/registry.h"

namespace rcl::server::ops {
namespace {

Op opWith(std::string name, ArgSpec arg) {
  Op op;
  op.name = std::move(name);
  op.args.push_back(std::move(arg));
  op.run = [](cl_command_queue, const rcl_plugin_arg*, cl_uint, cl_uint, const cl_event*, cl_event*) {
    return CL_SUCCESS;
  };
  return op;
}

std::string refusal(Registry& registry, Op op) {
  try {
    registry.add(std::move(op));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(OpsRegistryTest, AnArgumentSizeListOpsCannotDescribeIsRefusedAtRegistration) {
  Registry registry;
  const auto before = registry.all().size();
  const std::string why =
      refusal(registry, opWith("test.huge", {CL_RCL_ARG_HOST_IN, std::size_t{1} << 33, "table"}));
  EXPECT_NE(why.find("'table' of size 8589934592"), std::string::npos) << "refusal: " << why;
  EXPECT_EQ(registry.find("test.huge"), nullptr);
  EXPECT_EQ(registry.all().size(), before);

  // The largest size ListOps describes is taken.
  EXPECT_EQ(refusal(registry, opWith("test.large", {CL_RCL_ARG_HOST_IN, 0xFFFFFFFFu, "table"})), "");
  EXPECT_NE(registry.find("test.large"), nullptr);
}

TEST(OpsRegistryTest, AMalformedOrDuplicateOperationIsRefused) {
  Registry registry;
  EXPECT_NE(refusal(registry, opWith("test.zero", {CL_RCL_ARG_SCALAR, 0, "n"})).find("scalar argument 'n' of size 0"),
            std::string::npos);
  ASSERT_EQ(refusal(registry, opWith("test.once", {CL_RCL_ARG_SCALAR, 4, "n"})), "");
  EXPECT_NE(refusal(registry, opWith("test.once", {CL_RCL_ARG_SCALAR, 4, "n"})).find("defined twice"),
            std::string::npos);
}

}  // namespace
}  // namespace rcl::server::ops
