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
#  clinfo.compare, clinfo.round_trips
#                 run the system's uninstrumented clinfo with the
#                 instrumented driver (same loading problem).
#  apps           runs Debian's uninstrumented clpeak, CLBlast tests, hashcat
#                 (same loading problem).
#  apps.pyopencl  runs Debian's uninstrumented python3 with PyOpenCL (same
#                 loading problem).
#  bench.*        timings of instrumented code mean nothing; the load test's
#                 32 clients run in the plain build (scripts/test.sh).
#  conformance.cts_quick  runs the prebuilt (uninstrumented) Khronos CTS
#                 binaries with the driver (same loading problem).
#  deploy.container  installs the packages of the build (instrumented here,
#                 which the recipe's release build is not) and runs the
#                 system's clinfo with them (same loading problem).
exclude='^(install\.|clinfo\.compare$|clinfo\.round_trips$|tools\.|apps$|apps\.pyopencl$|bench\.|conformance\.cts_quick$|deploy\.container$'
targets=()  # empty: everything the configuration builds

case "$mode" in
  asan)
    sanitize=address,undefined
    build=${RCL_SANITIZER_BUILD_DIR:-$root/build-asan}
    # integration.native runs no remote-cl code (PoCL only): left out.
    # integration.saturated is about a busy host's timing, which an
    # instrumented build changes: the plain build runs it.
    exclude+='|integration\.native$|integration\.saturated$'
    configure=(-DRCL_BUILD_BENCH=OFF)
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_odr_violation=0:abort_on_error=0:print_suppressions=0}
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/scripts/ubsan.supp}
    ;;
  tsan)
    sanitize=thread
    build=${RCL_SANITIZER_BUILD_DIR:-$root/build-tsan}
    # Under TSan: the unit tests and the integration tests through a server,
    # on every path bulk data takes (direct copies, slots, bulk socket, ZeroMQ
    # frames) (the client's reply sockets, receiver, callback and bulk socket
    # threads, eight application threads at once; the server's sessions, helper
    # threads, copier and bulk socket threads and callbacks from PoCL's
    # threads). Left out: the tests that fork a child after threads started
    # (failure, security: TSan does not support it), and the single-threaded
    # suites (conformance, ops, includes), which ASan runs.
    only='^(unit|integration\.remote|integration\.remote_slots|integration\.remote_bulk_socket|integration\.remote_frames)$'
    configure=(-DRCL_BUILD_BENCH=OFF -DRCL_BUILD_EXAMPLES=OFF -DRCL_BUILD_CONFORMANCE=OFF)
    targets=(remote-cl remote-cl-server rcl_unit_tests rcl_integration_tests)
    # intercept_send=0: TSan's send() wrapper checks every byte sent for races;
    # ZeroMQ's I/O thread (not instrumented) sends frames an application thread
    # filled, through queues TSan cannot see, so every byte looks racy and a
    # 24 MiB frame took over 30 s to leave (the session then looked dead).
    export TSAN_OPTIONS=${TSAN_OPTIONS:-suppressions=$root/scripts/tsan.supp:halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0:print_suppressions=0:intercept_send=0}
    # A server under TSan runs 5-15 times slower: a session thread busy with a
    # 100 MiB write in ZeroMQ frames may send no heartbeat for over the
    # client's 3 s. (The tests of dead servers run in the plain and ASan builds.)
    export REMOTE_CL_DEAD_AFTER_MS=${REMOTE_CL_DEAD_AFTER_MS:-30000}
    # Likewise a session's worker (a process of its own, PoCL's start-up under
    # TSan) may take over the default 2 s to answer its first hello on a busy
    # machine: the ICD loader lists platforms once, so a test binary that
    # missed it would fail every test.
    export REMOTE_CL_CONNECT_TIMEOUT_MS=${REMOTE_CL_CONNECT_TIMEOUT_MS:-20000}
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
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRCL_SANITIZE="$sanitize" -DRCL_BUILD_FUZZ=OFF -DRCL_UNITY_BUILD=ON \
  "${configure[@]}"

printf '\n==== Sanitizers (%s): build ====\n' "$mode"
if ((${#targets[@]})); then
  cmake --build "$build" -j2 --target "${targets[@]}"
else
  cmake --build "$build" -j2
fi

printf '\n==== Sanitizers (%s): test ====\n' "$mode"
if [[ -n ${only:-} ]]; then
  ctest --test-dir "$build" --output-on-failure -j1 --timeout 900 -R "$only"
else
  ctest --test-dir "$build" --output-on-failure -j1 --timeout 900 -E "$exclude"
fi
