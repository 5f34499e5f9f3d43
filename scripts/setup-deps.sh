#!/usr/bin/env bash
# Install every build and test dependency of remote-cl from Debian packages.
# Idempotent: exits quickly when all packages are already installed.
set -euo pipefail

# One package per line; add new dependencies here.
PACKAGES=(
  build-essential
  cmake
  ninja-build
  pkg-config
  python3
  # The generator writes C++ through templates (codegen/templates/*.j2).
  python3-jinja2
  git
  opencl-c-headers
  opencl-clhpp-headers
  ocl-icd-opencl-dev
  ocl-icd-libopencl1
  pocl-opencl-icd
  clinfo
  libmsgpack-cxx-dev
  libboost-dev
  libzmq3-dev
  cppzmq-dev
  # AES-256-GCM for the encrypted bulk lanes (protocol/bulk_crypt.h).
  libssl-dev
  # DNS SRV discovery of servers in the client (icd/src/transport/srv_discovery.cpp).
  libc-ares-dev
  # A real name server on loopback for the discovery test (tests/hosts), and
  # YAML for the deployment manifests' test (deploy/).
  dnsmasq-base
  python3-yaml
  libcli11-dev
  # The client's trace file, Chrome trace-event JSON (icd/src/support/trace.cpp).
  nlohmann-json3-dev
  libspdlog-dev
  libfmt-dev
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  libclblast-dev
  dpkg-dev
  file
  # Unmodified OpenCL programs run natively and through remote-cl (tests/apps).
  clpeak
  clblast-tests
  hashcat
  # PyOpenCL sees the real platform's identity through remote-cl (tests/apps).
  python3-pyopencl
  # Sanitizers and libFuzzer (scripts/test-sanitizers.sh, scripts/fuzz.sh):
  # clang 14 and its runtimes (libclang_rt.fuzzer, asan, ubsan, tsan);
  # gcc's own sanitizer runtimes come with build-essential.
  clang
  libclang-rt-14-dev
)

is_installed() {
  dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qx installed
}

list_missing_packages() {
  local package
  for package in "${PACKAGES[@]}"; do
    is_installed "$package" || echo "$package"
  done
}

run_as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  else
    sudo "$@"
  fi
}

main() {
  local missing
  mapfile -t missing < <(list_missing_packages)
  if (( ${#missing[@]} == 0 )); then
    echo "setup-deps: all ${#PACKAGES[@]} packages already installed"
    return
  fi
  echo "setup-deps: installing ${missing[*]}"
  run_as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  run_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

main "$@"
