#!/usr/bin/env bash
# Builds the libFuzzer target on the server's request decoding and handlers
# (fuzz/fuzz_requests.cpp; clang, ASan+UBSan, LeakSanitizer) in build-fuzz/
# and runs it for SECONDS (default 60) on PoCL, starting from fuzz/corpus/.
#
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer options...]
#
# New inputs found go to build-fuzz/corpus (fuzz/corpus stays as committed);
# a crash, leak or UBSan finding stops the run, leaves crash-*/leak-* in
# build-fuzz/ and makes the script fail. Reproduce one with
#   build-fuzz/fuzz/rcl_fuzz_requests build-fuzz/crash-...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
seconds=${1:-60}
shift || true
build=${RCL_FUZZ_BUILD_DIR:-$root/build-fuzz}

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRCL_SANITIZE=address,undefined -DRCL_BUILD_FUZZ=ON -DRCL_UNITY_BUILD=ON \
  -DRCL_BUILD_TESTS=OFF -DRCL_BUILD_CONFORMANCE=OFF -DRCL_BUILD_BENCH=OFF -DRCL_BUILD_EXAMPLES=OFF -DRCL_BUILD_ICD=OFF \
  >/dev/null
cmake --build "$build" -j2 --target rcl_fuzz_requests

mkdir -p "$build/corpus"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:detect_odr_violation=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/scripts/ubsan.supp}
# PoCL: one device thread pool is plenty, and its kernel cache in the build dir.
export POCL_MAX_PTHREAD_COUNT=${POCL_MAX_PTHREAD_COUNT:-2}
export POCL_CACHE_DIR=${POCL_CACHE_DIR:-$build/pocl-cache}
cd "$build"
exec ./fuzz/rcl_fuzz_requests -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len=65536 \
  -print_final_stats=1 "$@" corpus "$root/fuzz/corpus"
