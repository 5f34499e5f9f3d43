#!/usr/bin/env bash
# Slurm Prolog (slurm.conf: Prolog=/etc/remote-cl/slurm/prolog.sh, run by
# slurmd as root on every node of a job before it starts): starts a
# remote-cl-server for the job's GPUs on this node, as the job's user, with
# CURVE keys, listening on the job's port (common.sh). It waits until the
# server listens; a server that does not start fails the prolog (Slurm then
# drains the node and requeues the job, which is what an operator wants for a
# broken GPU host).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/common.sh"

# Jobs without GPUs get no server.
if [[ -z "${SLURM_JOB_GPUS:-}" && -z "${CUDA_VISIBLE_DEVICES:-}" ]]; then
  exit 0
fi

port="$(rcl_job_port)"
dir="$(rcl_job_dir)"
keys="$(rcl_key_dir)"
mkdir -p "${dir}"
chmod 0700 "${dir}"
chown "${SLURM_JOB_UID}:${SLURM_JOB_GID:-$(id -g "${SLURM_JOB_USER}")}" "${dir}" 2>/dev/null || true

# The user's key pair, made once (remote-cl-keygen writes job.key 0600 and job.pub).
if [[ ! -r "${keys}/job.key" ]]; then
  rcl_as_user mkdir -p "${keys}"
  rcl_as_user remote-cl-keygen -o "${keys}/job"
fi

# Only the job's GPUs: Slurm's GRES numbers, for each vendor's runtime.
gpus="${SLURM_JOB_GPUS:-${CUDA_VISIBLE_DEVICES:-}}"
log="${dir}/server.log"
command=(env CUDA_VISIBLE_DEVICES="${gpus}" ROCR_VISIBLE_DEVICES="${gpus}" GPU_DEVICE_ORDINAL="${gpus}"
  "${REMOTE_CL_SLURM_SERVER}"
  --listen "tcp://${REMOTE_CL_SLURM_LISTEN}:${port}"
  --session-ports "$((port + 1))-$((port + 49))"
  --curve-secret-key-file "${keys}/job.key"
  --allowed-clients "${keys}/job.pub"
  --drain-grace 10)
if [[ "$(id -u)" != "${SLURM_JOB_UID}" ]]; then
  command=(setpriv --reuid="${SLURM_JOB_UID}" --regid="${SLURM_JOB_GID:-$(id -g "${SLURM_JOB_USER}")}" --init-groups
    -- "${command[@]}")
fi
# setsid: out of slurmd's process group, so it outlives the prolog; every
# program here execs the next, so $! is the server's pid.
setsid "${command[@]}" </dev/null >"${log}" 2>&1 &
echo $! >"${dir}/server.pid"

for _ in $(seq 1 300); do
  if grep -q '^listening on ' "${log}" 2>/dev/null; then
    exit 0
  fi
  if ! kill -0 "$(cat "${dir}/server.pid")" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
echo "remote-cl prolog: the server for job ${SLURM_JOB_ID} did not start:" >&2
cat "${log}" >&2
exit 1
