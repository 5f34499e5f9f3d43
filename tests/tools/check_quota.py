#!/usr/bin/env python3
"""Quotas per client key: with `alice sessions=2` in the allowed-clients
file, alice's third session at once is refused (CL_OUT_OF_RESOURCES) and the
server's log names alice; bob's session still works; `remote-cl status` names
each session's key; carol's `memory=512K` refuses her 1 MiB buffer with an
OpenCL error (CL_MEM_OBJECT_ALLOCATION_FAILURE) while the server's own limit
would allow it (bob's same buffer works); dave's `objects=3` refuses his
fourth object (CL_OUT_OF_RESOURCES).

usage: check_quota.py --tool remote-cl --server remote-cl-server --vendors DIR --app session_app --keygen remote-cl-keygen"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tool_checks import Server, client_environment, fail as failed, wait_for_line


def fail(message, server=None):
    failed("check_quota", message + (f"\n--- server log ---\n{server.log()}" if server else ""))


def public_key(path):
    return next(line.strip() for line in Path(path).read_text().splitlines() if line.strip() and not line.startswith("#"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--tool", "--server", "--vendors", "--app", "--keygen"):
        ap.add_argument(name, required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rcl-quota-") as folder:
        keys = Path(folder)
        for name in ("server", "alice", "bob", "carol", "dave"):
            subprocess.run([args.keygen, "-o", str(keys / name)], check=True, capture_output=True)
        (keys / "allowed-clients").write_text(
            "# who may use this server\n"
            f"{public_key(keys / 'alice.pub')} alice sessions=2\n"
            "\n"
            f"{public_key(keys / 'bob.pub')} bob\n"
            f"{public_key(keys / 'carol.pub')} carol memory=512K  # too little for a 1 MiB buffer\n"
            f"{public_key(keys / 'dave.pub')} dave objects=3\n")
        server_args = ["--curve-secret-key-file", str(keys / "server.key"), "--allowed-clients",
                       str(keys / "allowed-clients")]
        with Server(args.server, keys / "server.log", server_args) as server:
            def env(name):
                return client_environment(args.vendors, server.endpoint,
                                          REMOTE_CL_CURVE_SERVER_KEY_FILE=str(keys / "server.pub"),
                                          REMOTE_CL_CURVE_SECRET_KEY_FILE=str(keys / f"{name}.key"))

            holders = [subprocess.Popen([args.app, "--hold", "300"], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, env=env("alice")) for _ in range(2)]
            try:
                for holder in holders:
                    if not wait_for_line(holder, "session_app: OK", 90):
                        fail("alice's first two sessions did not work", server)
                third = subprocess.run([args.app], capture_output=True, text=True, env=env("alice"), timeout=60)
                print(f"alice's third session: exit {third.returncode}: {third.stderr.strip()}")
                if third.returncode == 0 or "CL_OUT_OF_RESOURCES" not in third.stderr or "alice" not in third.stderr:
                    fail(f"alice's third session was not refused as it should: exit {third.returncode}\n{third.stderr}",
                         server)
                if not re.search(r"refused client .*, key alice: CL_OUT_OF_RESOURCES", server.log()):
                    fail("the server's log does not name alice with the refusal", server)

                bob = subprocess.run([args.app], capture_output=True, text=True, env=env("bob"), timeout=90)
                if bob.returncode != 0 or "session_app: OK" not in bob.stdout:
                    fail(f"bob's session failed: exit {bob.returncode}\n{bob.stderr}", server)

                status = subprocess.run([args.tool, "status", server.endpoint], capture_output=True, text=True,
                                        env=env("bob"), timeout=30)
                print(status.stdout)
                rows = re.findall(r"^[0-9a-f]{16} +.+? +(\S+) +\d+ +\d+ +\d+ +\d+ +\d+ +\d+$", status.stdout,
                                  re.MULTILINE)
                if rows.count("alice") != 2:
                    fail(f"status does not show alice's two sessions by her key's name: {rows}", server)
                if not re.search(r"session [0-9a-f]{16} started: client .*, key alice", server.log()):
                    fail("the server's log does not name the key of a session that started", server)

                carol = subprocess.run([args.app], capture_output=True, text=True, env=env("carol"), timeout=90)
                print(f"carol's 1 MiB buffer with memory=512K: exit {carol.returncode}: {carol.stderr.strip()}")
                # The creation is pipelined (clCreateBuffer returns at once): the server's refusal,
                # CL_MEM_OBJECT_ALLOCATION_FAILURE (-4), is logged by the driver and fails the buffer's uses.
                if carol.returncode == 0 or "clCreateBuffer failed on the server with -4" not in carol.stderr:
                    fail(f"carol's buffer beyond her memory quota was not refused with CL_MEM_OBJECT_ALLOCATION_FAILURE:"
                         f" exit {carol.returncode}\n{carol.stderr}", server)

                # dave's objects=3: the context, the queue and the buffer; the program is one too many.
                dave = subprocess.run([args.app], capture_output=True, text=True, env=env("dave"), timeout=90)
                print(f"dave's fourth object with objects=3: exit {dave.returncode}: {dave.stderr.strip()}")
                if dave.returncode == 0 or not re.search(r"failed (on the server )?with -5\b", dave.stderr):
                    fail(f"dave's objects beyond his quota were not refused with CL_OUT_OF_RESOURCES:"
                         f" exit {dave.returncode}\n{dave.stderr}", server)
            finally:
                for holder in holders:
                    holder.kill()
                    holder.wait()
            # Their sessions end when their connections close.
            deadline = time.monotonic() + 60
            while not re.search(r"session [0-9a-f]{16} ended: client .*, key alice", server.log()):
                if time.monotonic() > deadline:
                    fail("the server's log does not name the key of a session that ended", server)
                time.sleep(0.5)
    print("check_quota: OK")


if __name__ == "__main__":
    sys.exit(main())
