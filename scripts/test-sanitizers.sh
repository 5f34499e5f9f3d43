#!/usr/bin/env bash
# Builds remote-cl with sanitizers on its own targets (cmake/Sanitizers.cmake)
# in a build dir of its own and runs the tests there.
#
#   scripts/test-sanitizers.sh asan   # AddressSanitizer + LeakSanitizer + UBSan, build-asan/
#   scripts/test-sanitizers.sh tsan   # ThreadSanitizer, build-tsan/
#
# RCL_SANITIZER_BUILD_DIR overrides the build dir. PoCL, LLVM, libOpenCL and
# ZeroMQ are not instrumented; what they leak or race on is suppressed in
# scripts/lsan.supp and scripts/tsan.supp (each entry says why).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
mode=${1:?usage: test-sanitizers.sh asan|tsan}

# Tests that cannot run under a sanitizer (whatever the mode):
#  install.*      install or package the sanitized build and run it from
#                 uninstrumented programs (dpkg, a plain C program, the system
#                 loader): an ASan/TSan library cannot be loaded by a program
#                 without the runtime ("runtime does not come first"), and the
#                 packages must not ship instrumented binaries.
#  tools.*        run the system's uninstrumented clinfo too.
#  clinfo.compare runs the system's uninstrumented clinfo with the
#                 instrumented driver (same loading problem).
exclude='^(install\.|clinfo\.compare$|tools\.'

case "$mode" in
  asan)
    sanitize=address,undefined
    build=${RCL_SANITIZER_BUILD_DIR:-$root/build-asan}
    # bench.quick: timings of instrumented code mean nothing (and the bench
    # checks nothing the other tests do not).
    exclude+='|bench\.quick$'
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_odr_violation=0:abort_on_error=0:print_suppressions=0}
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/scripts/ubsan.supp}
    ;;
  tsan)
    sanitize=thread
    build=${RCL_SANITIZER_BUILD_DIR:-$root/build-tsan}
    # Under TSan: the unit tests, the integration tests (natively and through
    # a server: the client's reply sockets, the server's sessions, callbacks
    # from PoCL's threads), the failure and ops tests. Left out:
    #  conformance, bench.quick  10-20x slower under TSan and single-threaded
    #                            on the client; the threaded paths they use are
    #                            the integration tests' (ASan runs them).
    exclude+='|conformance$|bench\.quick$'
    export TSAN_OPTIONS=${TSAN_OPTIONS:-suppressions=$root/scripts/tsan.supp:halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0:print_suppressions=0}
    ;;
  *)
    echo "usage: test-sanitizers.sh asan|tsan" >&2
    exit 2
    ;;
esac
exclude+=')'

# PoCL's kernel cache of this build only (a sanitized run must not feed on,
# or fill, the normal build's).
export POCL_CACHE_DIR=${POCL_CACHE_DIR:-$build/pocl-cache}

printf '\n==== Sanitizers (%s): configure %s ====\n' "$mode" "$build"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRCL_SANITIZE="$sanitize" -DRCL_BUILD_FUZZ=OFF

printf '\n==== Sanitizers (%s): build ====\n' "$mode"
cmake --build "$build" -j2

printf '\n==== Sanitizers (%s): test (excluded: %s) ====\n' "$mode" "$exclude"
ctest --test-dir "$build" --output-on-failure -j1 --timeout 900 -E "$exclude"
