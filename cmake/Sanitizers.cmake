# Sanitizers for remote-cl's own targets (issue 6).
#
#   -DRCL_SANITIZE=address,undefined   AddressSanitizer (with LeakSanitizer) and UBSan
#   -DRCL_SANITIZE=thread              ThreadSanitizer
#   -DRCL_SANITIZE=                    none (the default)
#
# The flags go on the interface target `rcl_sanitizers`, which `rcl_warnings`
# carries: every project target links rcl_warnings, so every project target
# (and only those: no global CMAKE_<LANG>_FLAGS) is instrumented and linked
# with the runtime. Third-party libraries (PoCL, LLVM, libOpenCL, ZeroMQ) stay
# uninstrumented; scripts/test-sanitizers.sh runs the tests with the
# suppressions of what they do (scripts/lsan.supp, scripts/tsan.supp).
# The fuzz target (fuzz/) adds -fsanitize=fuzzer on its own.

set(RCL_SANITIZE "" CACHE STRING "Sanitizers for remote-cl's own targets: address,undefined | thread | empty")
set_property(CACHE RCL_SANITIZE PROPERTY STRINGS "" "address,undefined" "address" "undefined" "thread")

add_library(rcl_sanitizers INTERFACE)
target_link_libraries(rcl_warnings INTERFACE rcl_sanitizers)

if(RCL_SANITIZE)
  string(REPLACE "," ";" _rcl_sanitizers "${RCL_SANITIZE}")
  foreach(_s IN LISTS _rcl_sanitizers)
    if(NOT _s MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "RCL_SANITIZE: unknown sanitizer '${_s}' (address, undefined, thread, leak)")
    endif()
  endforeach()
  if("thread" IN_LIST _rcl_sanitizers AND ("address" IN_LIST _rcl_sanitizers OR "leak" IN_LIST _rcl_sanitizers))
    message(FATAL_ERROR "RCL_SANITIZE: thread cannot be combined with address or leak")
  endif()
  # -O1 -g1 after the build type's flags (the last -O and -g win): the
  # sanitizers' own advice (-O1 keeps reports close to the source, -O2 adds
  # little to their run time), line tables are all their stack traces need,
  # and it halves the compile time of an instrumented build (the server's
  # main.cpp under ASan+UBSan: 77 s at -O2 -g, 33 s at -O1 -g1).
  set(_rcl_flags -fsanitize=${RCL_SANITIZE} -fno-omit-frame-pointer -O1 -g1)
  if("undefined" IN_LIST _rcl_sanitizers)
    # Every UBSan finding is an error that stops the program (and fails its test).
    list(APPEND _rcl_flags -fno-sanitize-recover=all)
  endif()
  target_compile_options(rcl_sanitizers INTERFACE ${_rcl_flags})
  target_link_options(rcl_sanitizers INTERFACE -fsanitize=${RCL_SANITIZE})
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang" AND (NOT DEFINED RCL_BUILD_ICD OR RCL_BUILD_ICD))
    # clang links the runtime statically into executables only; the ICD
    # driver (a shared library loaded by libOpenCL, linked with --no-undefined)
    # needs the shared runtime, and then every program must use that same
    # one: -shared-libsan everywhere, found through an rpath. (Not in a build
    # without the driver, such as scripts/fuzz.sh's: libFuzzer wants the
    # static runtime.)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-runtime-dir
                    OUTPUT_VARIABLE _rcl_runtime_dir OUTPUT_STRIP_TRAILING_WHITESPACE)
    target_link_options(rcl_sanitizers INTERFACE -shared-libsan "LINKER:-rpath,${_rcl_runtime_dir}")
  endif()
  message(STATUS "remote-cl: sanitizers ${RCL_SANITIZE} on the project's own targets")
endif()
