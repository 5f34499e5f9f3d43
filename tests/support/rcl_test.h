#pragma once
// Everything an integration test usually needs from the harness.

#include "cl_check.h"
#include "cl_fixture.h"
#include "cl_handle.h"
#include "cl_info.h"
#include "cl_program_build.h"
#include "test_environment.h"
