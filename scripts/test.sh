#!/usr/bin/env bash
# Configure, build and test remote-cl in ./build (the README's test command).
# Dependencies: scripts/setup-deps.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

section() {
  printf '\n==== %s ====\n' "$*"
}

section "Configure"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRCL_UNITY_BUILD=ON

section "Build"
cmake --build build -j2

section "Test"
ctest --test-dir build --output-on-failure -j1 --timeout 600
