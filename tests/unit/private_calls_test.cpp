// remote-cl's own messages (codegen/private_calls.toml): their ids on the
// wire, their names, and the server's stand-in table generated from them.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "rcl/protocol/call_ids.h"
#include "rcl/server/custom_handlers.h"

namespace {

using rcl::protocol::CallId;
using rcl::protocol::ControlCall;
using rcl::protocol::wireId;

// Ids are what old clients and servers agree on: a change here breaks the wire.
TEST(PrivateCalls, KeepTheirWireIds) {
  EXPECT_EQ(wireId(ControlCall::Hello), 1000);
  EXPECT_EQ(wireId(ControlCall::Status), 1003);
  EXPECT_EQ(wireId(ControlCall::BulkAttach), 1005);
  EXPECT_EQ(wireId(CallId::WritePiece), 1100);
  EXPECT_EQ(wireId(CallId::BulkRead), 1105);
  EXPECT_EQ(wireId(CallId::DeviceInfoAll), 1111);
  EXPECT_EQ(wireId(CallId::KernelLaunchInfo), 1113);
  EXPECT_EQ(wireId(CallId::ProgramKernels), 1114);
  EXPECT_EQ(wireId(CallId::MapReadImage), 1121);
  EXPECT_EQ(wireId(CallId::ListOps), 2000);
  EXPECT_EQ(rcl::protocol::kFirstExtensionCall, wireId(CallId::ListOps));
  EXPECT_LT(wireId(CallId::MapReadImage), rcl::protocol::kFirstExtensionCall);
}

TEST(PrivateCalls, HaveNamesForLogsAndTraces) {
  EXPECT_STREQ(rcl::protocol::callName(wireId(CallId::KernelLaunchInfo)), "KernelLaunchInfo");
  EXPECT_STREQ(rcl::protocol::callName(wireId(CallId::EnqueueOp)), "EnqueueOp");
  EXPECT_STREQ(rcl::protocol::callName(wireId(CallId::clFinish)), "clFinish");
  // Traces count a stand-in under the entry point it runs as.
  EXPECT_STREQ(rcl::protocol::entryPointName(wireId(CallId::KernelLaunchInfo)), "clGetKernelWorkGroupInfo");
  EXPECT_STREQ(rcl::protocol::entryPointName(wireId(CallId::SharedMap)), "clEnqueueMapBuffer");
  EXPECT_STREQ(rcl::protocol::entryPointName(wireId(CallId::MapReadImage)), "clEnqueueMapImage");
  EXPECT_STREQ(rcl::protocol::entryPointName(wireId(CallId::clFinish)), "clFinish");
  EXPECT_EQ(rcl::protocol::entryPointName(wireId(CallId::SharedCopied)), nullptr);
  EXPECT_EQ(rcl::protocol::entryPointName(wireId(CallId::ListOps)), nullptr);
  EXPECT_EQ(rcl::protocol::callName(1500), nullptr);
  EXPECT_EQ(rcl::protocol::entryPointName(1500), nullptr);
}

TEST(PrivateCalls, StandInsRunAsTheirEntryPoint) {
  const auto* launch = rcl::server::standInCall(wireId(CallId::KernelLaunchInfo));
  ASSERT_NE(launch, nullptr) << "KernelLaunchInfo has no row in the server's stand-in table";
  EXPECT_EQ(launch->standsFor, CallId::clGetKernelWorkGroupInfo);
  EXPECT_NE(launch->run, nullptr);
  const auto* kernels = rcl::server::standInCall(wireId(CallId::ProgramKernels));
  ASSERT_NE(kernels, nullptr) << "ProgramKernels has no row in the server's stand-in table";
  EXPECT_EQ(kernels->standsFor, CallId::clGetProgramInfo);
  const auto* write = rcl::server::standInCall(wireId(CallId::BulkWrite));
  ASSERT_NE(write, nullptr);
  EXPECT_EQ(write->standsFor, CallId::clEnqueueWriteBuffer);
  // Not stand-ins: handled by the session itself, by cl_rcl_ops, or not calls at all.
  EXPECT_EQ(rcl::server::standInCall(wireId(CallId::SharedCopied)), nullptr);
  EXPECT_EQ(rcl::server::standInCall(wireId(CallId::EnqueueOp)), nullptr);
  EXPECT_EQ(rcl::server::standInCall(wireId(CallId::clFinish)), nullptr);
  EXPECT_EQ(rcl::server::standInCall(wireId(ControlCall::Hello)), nullptr);
  // Every stand-in's own name and the name of what it stands for.
  std::set<std::string> names;
  for (std::uint16_t id = rcl::protocol::kCallIdCount; id < rcl::protocol::kFirstExtensionCall; ++id) {
    const auto* call = rcl::server::standInCall(id);
    if (call == nullptr) continue;
    EXPECT_EQ(wireId(call->id), id);
    ASSERT_NE(rcl::protocol::callName(id), nullptr) << id;
    names.insert(rcl::protocol::callName(id));
    EXPECT_STREQ(rcl::protocol::entryPointName(id), rcl::protocol::callName(wireId(call->standsFor))) << id;
  }
  EXPECT_EQ(names.size(), 16u) << "stand-in calls in the generated table";
}

}  // namespace
