#!/usr/bin/env python3
"""deploy/slurm, run for real without Slurm: every script passes `bash -n`;
then, with the environment slurmd gives them (a job with a GPU on this
host, `scontrol` answered by a stand-in that expands only a plain list), the
prolog starts a real remote-cl-server with the user's CURVE keys, the task
prolog's exports lead a real client (session_app, through the ICD loader) to
it and its kernel's results are right, and the epilog stops the server and
clears the job's state.

Exits 77 (skipped) when the server lacks a flag the prolog gives it (before
the server side of issue 18 is in): check_manifests names the flag.

usage: check_slurm.py --server remote-cl-server --keygen remote-cl-keygen --vendors DIR --app session_app --source DIR"""

import argparse
import os
import pwd
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SKIP = 77


def fail(message):
    print(f"check_slurm: FAIL: {message}")
    sys.exit(1)


def free_port_block(size=50):
    """A port P with P..P+size-1 free on loopback now."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + size > 65535:
            continue
        try:
            for p in range(base, base + size):
                with socket.socket() as t:
                    t.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
    fail("no block of 50 free ports")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for option in ["--server", "--keygen", "--vendors", "--app", "--source"]:
        ap.add_argument(option, required=True)
    args = ap.parse_args()
    slurm = Path(args.source) / "deploy/slurm"
    for script in sorted(slurm.glob("*.sh")):
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"bash -n {script.name}: {result.stderr}")
    print("slurm: every script passes bash -n")

    prolog = (slurm / "prolog.sh").read_text()
    named = re.findall(r"(--[a-z][a-z0-9-]*)", re.search(r'"\$\{REMOTE_CL_SLURM_SERVER\}"(.*?)\)\n', prolog,
                                                         re.DOTALL).group(1))
    help_text = subprocess.run([args.server, "--help"], capture_output=True, text=True).stdout
    missing = [f for f in named if f not in help_text]
    if missing:
        print(f"check_slurm: SKIPPED the run: remote-cl-server has no {missing} yet")
        sys.exit(SKIP)

    with tempfile.TemporaryDirectory(prefix="check_slurm-") as tmp:
        tmp = Path(tmp)
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        # scontrol show hostnames LIST: a plain comma list only (no ranges) is all this test needs.
        (bin_dir / "scontrol").write_text('#!/bin/sh\n[ "$1 $2" = "show hostnames" ] && echo "$3" | tr , "\\n"\n')
        (bin_dir / "scontrol").chmod(0o755)
        (bin_dir / "remote-cl-keygen").symlink_to(os.path.abspath(args.keygen))
        user = pwd.getpwuid(os.getuid())
        base = free_port_block()
        env = {k: v for k, v in os.environ.items() if k != "OCL_ICD_VENDORS" and not k.startswith("REMOTE_CL_")}
        env.update(PATH=f"{bin_dir}:{env['PATH']}", SLURM_JOB_ID="400", SLURM_JOB_UID=str(os.getuid()),
                   SLURM_JOB_GID=str(os.getgid()), SLURM_JOB_USER=user.pw_name, SLURM_JOB_NODELIST="localhost",
                   SLURM_JOB_GPUS="0", REMOTE_CL_SLURM_SERVER=os.path.abspath(args.server),
                   REMOTE_CL_SLURM_RUN_DIR=str(tmp / "run"), REMOTE_CL_SLURM_BASE_PORT=str(base),
                   REMOTE_CL_SLURM_KEY_DIR=str(tmp / "keys"), REMOTE_CL_SLURM_LISTEN="127.0.0.1")
        job_dir = tmp / "run" / "job-400"
        started = subprocess.run(["bash", str(slurm / "prolog.sh")], env=env, capture_output=True, text=True,
                                 timeout=120)
        try:
            if started.returncode != 0:
                fail(f"prolog exited {started.returncode}: {started.stdout}{started.stderr}")
            pid = int((job_dir / "server.pid").read_text())
            if f"listening on tcp://127.0.0.1:{base}" not in (job_dir / "server.log").read_text():
                fail(f"the job's server does not listen on port {base}: {(job_dir / 'server.log').read_text()}")
            print(f"prolog: server {pid} listens on port {base} with the user's keys")
            exports = subprocess.run(["bash", str(slurm / "task-prolog.sh")], env=env, capture_output=True,
                                     text=True, timeout=60)
            task_env = {k: v for k, v in os.environ.items() if not k.startswith("REMOTE_CL_")}
            for line in exports.stdout.splitlines():
                m = re.match(r"export (\w+)=(.*)$", line)
                if m:
                    task_env[m.group(1)] = m.group(2)
            if task_env.get("REMOTE_CL_SERVERS") != f"tcp://localhost:{base}":
                fail(f"task prolog printed {exports.stdout!r} {exports.stderr!r}")
            task_env["OCL_ICD_VENDORS"] = os.path.abspath(args.vendors)
            run = subprocess.run([args.app], env=task_env, capture_output=True, text=True, timeout=120)
            if run.returncode != 0 or "session_app: OK" not in run.stdout:
                fail(f"a task through the job's server: exit {run.returncode}: {run.stdout}{run.stderr}")
            print("task prolog: " + "; ".join(exports.stdout.splitlines()) + "; a kernel runs through it")
        finally:
            stopped = subprocess.run(["bash", str(slurm / "epilog.sh")], env=env, capture_output=True, text=True,
                                     timeout=120)
        if stopped.returncode != 0:
            fail(f"epilog exited {stopped.returncode}: {stopped.stderr}")
        try:
            os.kill(pid, 0)
            alive = Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0
        except ProcessLookupError:
            alive = False
        if alive or job_dir.exists():
            fail(f"after the epilog the server {pid} is alive: {alive}, the job's folder is there: {job_dir.exists()}")
        print("epilog: the server stopped and the job's state is gone")
    print("check_slurm: OK")


if __name__ == "__main__":
    main()
