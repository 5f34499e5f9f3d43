// -cl-kernel-arg-info added by the server and hidden by the client
// (protocol/kernel_arg_info_option.h): when it is added, what the replayed
// options are, and the CL_PROGRAM_BUILD_OPTIONS answer without it.
#include <gtest/gtest.h>

#include "rcl/protocol/kernel_arg_info_option.h"

namespace rcl::protocol {
namespace {

TEST(KernelArgInfoOption, AddedOnlyToGivenOptionsThatDoNotNameIt) {
  EXPECT_FALSE(addsKernelArgInfo(nullptr)) << "NULL options stay NULL";
  EXPECT_TRUE(addsKernelArgInfo(""));
  EXPECT_TRUE(addsKernelArgInfo("-D N=1"));
  EXPECT_FALSE(addsKernelArgInfo("-cl-kernel-arg-info"));
  EXPECT_FALSE(addsKernelArgInfo("-D N=1  -cl-kernel-arg-info "));
  EXPECT_FALSE(addsKernelArgInfo("-cl-kernel-arg-info\t-D N=1"));
  EXPECT_TRUE(addsKernelArgInfo("-D X=-cl-kernel-arg-info")) << "part of another word";
  EXPECT_TRUE(addsKernelArgInfo("-cl-kernel-arg-infos"));
}

TEST(KernelArgInfoOption, ReplayedOptionsNameItOnce) {
  EXPECT_EQ(withKernelArgInfo(""), " -cl-kernel-arg-info");
  EXPECT_EQ(withKernelArgInfo("-D N=1"), "-D N=1 -cl-kernel-arg-info");
  EXPECT_EQ(withKernelArgInfo("-D N=1 -cl-kernel-arg-info"), "-D N=1 -cl-kernel-arg-info");
}

TEST(KernelArgInfoOption, AnswerLosesTheAddedOptionAndItsBlank) {
  // PoCL folds blanks and trims the ends: "-D N=1 -cl-kernel-arg-info" for "-D N=1  ".
  EXPECT_EQ(withoutAddedKernelArgInfo("-D N=1 -cl-kernel-arg-info"), "-D N=1");
  EXPECT_EQ(withoutAddedKernelArgInfo(std::string("-D N=1 -cl-kernel-arg-info\0", 27)), "-D N=1");
  EXPECT_EQ(withoutAddedKernelArgInfo("-cl-kernel-arg-info"), "") << "the answer for \"\"";
  EXPECT_EQ(withoutAddedKernelArgInfo(" -cl-kernel-arg-info"), "") << "a platform that keeps the blank";
  EXPECT_EQ(withoutAddedKernelArgInfo("-D N=1   -cl-kernel-arg-info"), "-D N=1  ")
      << "a platform that keeps the application's blanks keeps them";
  EXPECT_EQ(withoutAddedKernelArgInfo("-D N=1"), "-D N=1") << "nothing added";
}

}  // namespace
}  // namespace rcl::protocol
