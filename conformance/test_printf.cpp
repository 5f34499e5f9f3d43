// printf: kernel printf output reaches the application's stdout, in order with the host's own
// output around clFinish. Each case runs the helper rcl_conformance_printf (printf_helper.cpp) with
// its stdout on a pipe; in remote mode the helper inherits OCL_ICD_VENDORS and REMOTE_CL_SERVERS,
// so it is another client of the same server.

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "conformance.h"
#include "unique_fd.h"

extern char** environ;

namespace rcl::conformance {
namespace {

struct HelperRun {
  int exitCode = -1;
  std::string out;
};

// Runs the helper with `mode`; stderr is inherited (it shows up in the test log).
HelperRun runHelper(const std::string& mode) {
  HelperRun run;
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return run;
  }
  UniqueFd readEnd(fds[0]);
  UniqueFd writeEnd(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, writeEnd.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, readEnd.get());
  std::string path = RCL_CONFORMANCE_PRINTF_HELPER;
  std::vector<char*> argv = {path.data(), const_cast<char*>(mode.c_str()), nullptr};
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  writeEnd.reset();
  if (spawned != 0) {
    ADD_FAILURE() << "posix_spawn " << path << " failed: " << std::strerror(spawned);
    return run;
  }
  char chunk[4096];
  ssize_t got = 0;
  while ((got = ::read(readEnd.get(), chunk, sizeof(chunk))) > 0) run.out.append(chunk, static_cast<size_t>(got));
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) result.push_back(line);
  return result;
}

#define TEST_PRINTF(name) TEST(printf, name)

TEST_PRINTF(OutputInOrderWithHostOutput) {
  const HelperRun run = runHelper("order");
  ASSERT_EQ(run.exitCode, 0) << "helper output:\n" << run.out;
  const std::vector<std::string> expected = {
      "host before",   "kernel line 0", "kernel line 1", "kernel line 2", "kernel line 3", "kernel line 4",
      "host between",  "kernel line 0", "kernel line 1", "kernel line 2", "kernel line 3", "kernel line 4",
      "second kernel", "host after"};
  EXPECT_EQ(lines(run.out), expected) << "stdout was:\n" << run.out;
}

TEST_PRINTF(FormatConversions) {
  const HelperRun run = runHelper("formats");
  ASSERT_EQ(run.exitCode, 0) << "helper output:\n" << run.out;
  const std::vector<std::string> expected = {"host before", "-5 7 ff  3.14 str Z 1,2,3,4 %|",
                                             "-1234567890123 1.500000e+10 -002.500", "host after"};
  EXPECT_EQ(lines(run.out), expected) << "stdout was:\n" << run.out;
}

TEST_PRINTF(EveryWorkItemPrintsBeforeFinishReturns) {
  const HelperRun run = runHelper("many");
  ASSERT_EQ(run.exitCode, 0) << "helper output:\n" << run.out;
  std::vector<std::string> seen = lines(run.out);
  ASSERT_GE(seen.size(), 2u) << run.out;
  EXPECT_EQ(seen.front(), "host before");
  EXPECT_EQ(seen.back(), "host after");
  std::vector<std::string> items(seen.begin() + 1, seen.end() - 1);
  std::sort(items.begin(), items.end());
  std::vector<std::string> expected;
  for (int i = 0; i < 32; ++i) expected.push_back("item " + std::to_string(i));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(items, expected) << "stdout was:\n" << run.out;
}

}  // namespace
}  // namespace rcl::conformance
