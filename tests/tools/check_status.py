#!/usr/bin/env python3
"""`remote-cl status`: against a running server (after one client came and
went, while another holds a buffer) it prints every field, the live session
with its objects and memory among them; against no server, a clear error
within 5 s.

usage: check_status.py --tool remote-cl --server remote-cl-server --vendors DIR --clinfo clinfo --app session_app"""

import re
import subprocess
import time

from tool_checks import parse_arguments, run_with_server, fail as failed


def fail(message):
    failed("check_status", message)


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    # A client that comes and goes, one that stays (a 1 MiB buffer, 1 MiB
    # written and read, through the socket: not shared memory), then the status, through one server.
    script = (f'{args.clinfo} -l > /dev/null && sleep 0.5 && (REMOTE_CL_SHM=0 {args.app} --hold 4 --busy > /dev/null &) && '
              f'sleep 2.5 && '
              f'{args.tool} status "$REMOTE_CL_SERVERS"')
    result = run_with_server(args, ["sh", "-c", script])
    out = result.stdout
    print(out)
    if result.returncode != 0:
        fail(f"exit code {result.returncode}\n{result.stderr}")
    for pattern in [r"^server +tcp://127\.0\.0\.1:\d+ \(", r"^version +remote-cl-server [\d.]+, protocol \d+",
                    r"^round trip +\d+ us", r"^state +ready$", r"^sessions +1 active, 1 ended",
                    r"^bytes moved +[1-9]\d* in, [1-9]\d* out", r"^platform 0 +\S", r"^  device 0 +\S",
                    r"^session +client +worker +key +age",
                    # Status version 2: the endings and refusals by reason, the
                    # sessions that ended last (clinfo's), indented.
                    r"^ended by +1 \S", r"^refused +none$", r"^ended last \(oldest first\):$",
                    r"^  [0-9a-f]{16} +\S+:\d+ \(clinfo\) +\d+ +- +\d+ +\d+ +\d+ +\d+ +\d+  \S"]:
        if not re.search(pattern, out, re.MULTILINE):
            fail(f"no line matching {pattern!r}")
    # The live session: context, queue, buffer, program, kernel at least; its
    # 1 MiB buffer; more than 1 MiB in (the write) and out (the read).
    # No keys: its key column is "-".
    # Its worker: a process of its own, its pid in the worker column.
    row = re.search(r"^[0-9a-f]{16} +.+? +(\d+) +(\S+) +\d+ +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$", out, re.MULTILINE)
    if row is None:
        fail("no row for the live session (with its worker's pid)")
    key = row.group(2)
    # Its queue waits on a user event: one busy queue.
    objects, memory, bytes_in, bytes_out, busy = (int(v) for v in row.groups()[2:])
    if key != "-" or objects < 5 or memory < 1 << 20 or bytes_in < 1 << 20 or bytes_out < 1 << 20 or busy != 1:
        fail(f"the live session's row is wrong: {row.group(0)!r}")

    # The probe: a server that answers and does not drain is ready (exit 0, one line); none is not (exit 1).
    result = run_with_server(args, ["sh", "-c", f'{args.tool} status --ready "$REMOTE_CL_SERVERS"'])
    if result.returncode != 0 or not result.stdout.startswith("ready:") or len(result.stdout.splitlines()) != 1:
        fail(f"status --ready against a ready server: exit {result.returncode}, {result.stdout!r} {result.stderr!r}")
    result = subprocess.run([args.tool, "status", "--ready", "--timeout", "1", "tcp://127.0.0.1:1"], capture_output=True,
                            text=True, timeout=30)
    if result.returncode != 1 or not result.stdout.startswith("not ready:"):
        fail(f"status --ready against no server: exit {result.returncode}, {result.stdout!r}")
    print(f"status --ready against no server: {result.stdout.strip()}")

    start = time.monotonic()
    result = subprocess.run([args.tool, "status", "tcp://127.0.0.1:1"], capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - start
    if result.returncode == 0 or "no answer" not in result.stderr:
        fail(f"against no server: exit {result.returncode}, stderr {result.stderr!r}")
    if elapsed >= 5:
        fail(f"against no server it took {elapsed:.1f} s")
    print(f"against no server: {result.stderr.strip()} ({elapsed:.1f} s)")
    print("check_status: OK")


if __name__ == "__main__":
    main()
