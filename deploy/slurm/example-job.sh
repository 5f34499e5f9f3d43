#!/usr/bin/env bash
# An example batch job: two GPU nodes; every task sees both nodes' GPUs
# through remote-cl (REMOTE_CL_SERVERS set by task-prolog.sh).
#SBATCH --job-name=remote-cl-example
#SBATCH --nodes=2
#SBATCH --gres=gpu:1
#SBATCH --time=00:10:00
set -euo pipefail
srun --ntasks=1 clinfo -l
