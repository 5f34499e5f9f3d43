#!/usr/bin/env python3
"""The load test: N clients (32 by default) on loopback, each with its own
context, running writes, kernels and reads with every result checked, for a
bounded time, against one remote-cl-server (each session in its own worker).

It passes when every client's results were right, every session ended
cleanly (the server logged each end, no worker died), no worker process is
left, and the listening server's memory is back to its starting level.

usage: run_load.py --client rcl-load-client --server remote-cl-server --vendors DIR
                   [--clients 32] [--seconds 20]"""

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "with_server", Path(__file__).resolve().parents[2] / "scripts" / "with-server.py")
with_server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(with_server)

# Growth of the listening server's resident memory the test tolerates.
RSS_SLACK_BYTES = 8 << 20


def rss_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def children_of(pid):
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry.name))
    return kids


def fail(message):
    print(f"run_load: FAIL: {message}")
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--client", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--vendors", required=True)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()

    log_path = with_server.make_temporary_log()
    with with_server.running_server(args.server, log_path) as server:
        pid = server.process.pid
        rss_start = rss_bytes(pid)
        env = with_server.remote_environment(args.vendors, server.endpoint)
        # 32 workers starting at once on 2 cores take longer than the default
        # 2 s handshake timeout: the test is about sessions under load.
        env["REMOTE_CL_CONNECT_TIMEOUT_MS"] = "30000"
        start = time.monotonic()
        clients = [subprocess.Popen([args.client, str(args.seconds), str(seed)], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for seed in range(1, args.clients + 1)]
        rounds, failures = 0, []
        for seed, client in enumerate(clients, 1):
            try:
                out, err = client.communicate(timeout=args.seconds + 300)
            except subprocess.TimeoutExpired:
                client.kill()
                out, err = client.communicate()
                failures.append(f"client {seed} hung")
                continue
            m = re.search(r"OK (\d+) rounds", out)
            if client.returncode != 0 or m is None:
                failures.append(f"client {seed}: exit {client.returncode}: {err.strip()[-500:]}")
            else:
                rounds += int(m.group(1))
        elapsed = time.monotonic() - start

        # Every session ends and its worker goes (they free everything first).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ended = len(re.findall(r"session \S+ ended \(", Path(log_path).read_text()))
            if ended >= args.clients and not children_of(pid):
                break
            time.sleep(0.2)
        log = Path(log_path).read_text()
        ended = len(re.findall(r"session \S+ ended \(", log))
        lost = re.findall(r".*(?:its worker \d+ \(|did not get ready).*", log)
        left = children_of(pid)
        time.sleep(0.5)
        rss_end = rss_bytes(pid)

    print(f"clients            {args.clients} for {args.seconds:.0f} s ({elapsed:.1f} s in all)")
    print(f"rounds             {rounds} (write, kernel, read, check), {rounds / max(elapsed, 1e-9):.1f} per second")
    print(f"sessions ended     {ended} of {args.clients}")
    print(f"server memory      {rss_start / 2**20:.1f} MiB at the start, {rss_end / 2**20:.1f} MiB at the end")
    for f in failures:
        print(f"  {f}")
    if failures:
        fail(f"{len(failures)} clients failed")
    if ended != args.clients:
        fail(f"{ended} sessions ended, not {args.clients}")
    if lost:
        fail("sessions were lost:\n" + "\n".join(lost))
    if left:
        fail(f"worker processes left: {left}")
    if rss_end > rss_start + RSS_SLACK_BYTES:
        fail(f"the server's memory grew by {(rss_end - rss_start) / 2**20:.1f} MiB")
    os.unlink(log_path)
    print("run_load: OK")


if __name__ == "__main__":
    main()
