# What the remote-cl Slurm scripts share (sourced by prolog.sh, epilog.sh and
# task-prolog.sh; see deploy/README.md). Settings, each overridable from the
# environment slurmd gives the scripts or from /etc/remote-cl/slurm.conf:
#   REMOTE_CL_SLURM_SERVER     the server program            (remote-cl-server)
#   REMOTE_CL_SLURM_RUN_DIR    per-job state (pid, log)      (/run/remote-cl)
#   REMOTE_CL_SLURM_BASE_PORT  first port of the job ports   (20000)
#   REMOTE_CL_SLURM_SLOTS      jobs' port blocks             (200)
#   REMOTE_CL_SLURM_KEY_DIR    the user's keys, relative to their home, or absolute (.config/remote-cl)
#   REMOTE_CL_SLURM_LISTEN     the address servers listen on (0.0.0.0)
# shellcheck shell=bash

if [[ -r /etc/remote-cl/slurm.conf ]]; then
  # shellcheck source=/dev/null
  source /etc/remote-cl/slurm.conf
fi
: "${REMOTE_CL_SLURM_SERVER:=remote-cl-server}"
: "${REMOTE_CL_SLURM_RUN_DIR:=/run/remote-cl}"
: "${REMOTE_CL_SLURM_BASE_PORT:=20000}"
: "${REMOTE_CL_SLURM_SLOTS:=200}"
: "${REMOTE_CL_SLURM_KEY_DIR:=.config/remote-cl}"
: "${REMOTE_CL_SLURM_LISTEN:=0.0.0.0}"

# Every node of a job computes the same port from the job id, so a task on
# any node knows every node's endpoint without asking: a block of 50 ports
# per job slot, the first to listen, the rest for the sessions.
rcl_job_port() {
  echo $(( REMOTE_CL_SLURM_BASE_PORT + (SLURM_JOB_ID % REMOTE_CL_SLURM_SLOTS) * 50 ))
}

rcl_job_dir() {
  echo "${REMOTE_CL_SLURM_RUN_DIR}/job-${SLURM_JOB_ID}"
}

# The job user's home (slurmd gives SLURM_JOB_USER; the password database knows the home).
rcl_user_home() {
  getent passwd "${SLURM_JOB_USER}" | cut -d: -f6
}

# One key pair per user, in their (shared) home: the job's servers use it as
# their key and let in only its public key, and the job's clients use it as
# theirs, so only the job's user (who can read the secret key) reaches them.
rcl_key_dir() {
  if [[ "${REMOTE_CL_SLURM_KEY_DIR}" == /* ]]; then
    echo "${REMOTE_CL_SLURM_KEY_DIR}"
  else
    echo "$(rcl_user_home)/${REMOTE_CL_SLURM_KEY_DIR}"
  fi
}

# Runs a command as the job's user (as is, when that is who runs this).
rcl_as_user() {
  if [[ "$(id -u)" == "${SLURM_JOB_UID}" ]]; then
    "$@"
  else
    setpriv --reuid="${SLURM_JOB_UID}" --regid="${SLURM_JOB_GID:-$(id -g "${SLURM_JOB_USER}")}" --init-groups -- "$@"
  fi
}
