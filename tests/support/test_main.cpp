// main() for every integration test binary (link rcl_test_support instead of gtest_main).

#include <gtest/gtest.h>

#include <exception>
#include <iostream>

#include "server_environment.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  rcl::test::TestMode mode;
  try {
    mode = rcl::test::testModeFromEnvironment();
  } catch (const std::exception& error) {
    std::cerr << "[rcl-test] " << error.what() << std::endl;
    return 2;
  }
  // gtest takes ownership and runs SetUp before the first test, TearDown after the last one.
  ::testing::AddGlobalTestEnvironment(new rcl::test::ServerEnvironment(mode));
  return RUN_ALL_TESTS();
}
