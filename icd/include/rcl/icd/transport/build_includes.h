// `#include` for builds run on the server: the application's headers are on
// the client's disk, where the server's compiler cannot see them. Before a
// clBuildProgram or clCompileProgram is sent, the client follows the
// program's `#include` lines through the build options' -I directories and
// the working directory (where PoCL looks too), and ships the files it finds;
// each -I directory in the options becomes a marker that the server replaces
// with the folder where it wrote that directory's files
// (protocol/include/rcl/protocol/build_includes.h).
#pragma once

#include <string>
#include <vector>

#include "rcl/protocol/build_includes.h"

namespace rcl::icd {

// The options with markers for the -I directories found on this machine, and
// the files the program's source includes, by directory. A directory missing
// here stays as written (it may exist on the server).
protocol::IncludeBundle bundleIncludes(const char* options, const std::string& source);

}  // namespace rcl::icd
