#!/usr/bin/env bash
# Slurm Epilog (slurm.conf: Epilog=/etc/remote-cl/slurm/epilog.sh, run by
# slurmd as root on every node of a job after it ends): stops the job's
# remote-cl-server. SIGTERM drains it (the job's clients are gone by now, so
# it ends at once); after 15 s it is killed. Its state goes with it.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/common.sh"

dir="$(rcl_job_dir)"
[[ -f "${dir}/server.pid" ]] || exit 0
pid="$(cat "${dir}/server.pid")"
if kill -TERM "${pid}" 2>/dev/null; then
  for _ in $(seq 1 150); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "${pid}" 2>/dev/null || true
fi
rm -rf "${dir}"
