#!/usr/bin/env bash
# The README's first command: install what is needed, build, start a local
# remote-cl-server on PoCL and run clinfo through remote-cl.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target remote-cl remote-cl-server
exec python3 scripts/with-server.py --server build/server/remote-cl-server --vendors build/vendors -- clinfo "$@"
