// The tests' owner of a file descriptor: the protocol's (rcl/protocol/unique_fd.h).
#pragma once

#include "rcl/protocol/unique_fd.h"

namespace rcl::test {

using protocol::UniqueFd;

}  // namespace rcl::test
