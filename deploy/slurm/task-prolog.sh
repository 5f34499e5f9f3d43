#!/usr/bin/env bash
# Slurm TaskProlog (slurm.conf: TaskProlog=/etc/remote-cl/slurm/task-prolog.sh,
# run as the job's user before each task): what it prints as `export
# NAME=VALUE` becomes the task's environment. Every task of the job, on any
# of its nodes, gets the servers of all the job's nodes and the user's keys,
# so an unmodified OpenCL program sees the job's GPUs as remote-cl platforms
# (least loaded first).
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/common.sh"

if [[ -z "${SLURM_JOB_GPUS:-}" && -z "${CUDA_VISIBLE_DEVICES:-}" ]]; then
  exit 0
fi
port="$(rcl_job_port)"
keys="$(rcl_key_dir)"
servers=""
for node in $(scontrol show hostnames "${SLURM_JOB_NODELIST}"); do
  servers+="${servers:+,}tcp://${node}:${port}"
done
echo "export REMOTE_CL_SERVERS=${servers}"
echo "export REMOTE_CL_CURVE_SERVER_KEY_FILE=${keys}/job.pub"
echo "export REMOTE_CL_CURVE_SECRET_KEY_FILE=${keys}/job.key"
