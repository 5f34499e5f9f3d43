#!/usr/bin/env python3
"""An idle listening server sleeps: its main thread is not woken while no
client comes (before any session, while a session's worker runs, after it
ended), and still stops at once on a signal (SIGINT, and SIGTERM's drain with
no session left), because signals and workers' ends wake its poll.

usage: check_idle.py --tool remote-cl --server remote-cl-server --vendors DIR --app session_app"""

import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tool_checks import Server, client_environment, fail as failed, parse_arguments, wait_for_line

QUIET_SECONDS = 3.0
# A poll that sleeps is woken by nothing here; the old 200 ms tick made 15 wake-ups in 3 s.
MOST_WAKE_UPS = 2


def fail(message, server=None):
    failed("check_idle", message + (f"\n--- server log ---\n{server.log()}" if server else ""))


def switches(pid):
    """The context switches of the process's main thread (voluntary + involuntary)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/task/{pid}/status").read_text().splitlines())
    return int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])


def check_asleep(server, when):
    time.sleep(0.5)  # what the last event started settles
    before = switches(server.process.pid)
    time.sleep(QUIET_SECONDS)
    woken = switches(server.process.pid) - before
    if woken > MOST_WAKE_UPS:
        fail(f"{when}: the listening server's main thread was woken {woken} times in {QUIET_SECONDS} s "
             f"with nothing to do (at most {MOST_WAKE_UPS})", server)
    print(f"check_idle: {when}: {woken} wake-ups in {QUIET_SECONDS} s")


def stops_within(server, signal_to_send, seconds, what):
    started = time.monotonic()
    server.process.send_signal(signal_to_send)
    try:
        code = server.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        fail(f"{what}: the server did not stop within {seconds} s of the signal", server)
    print(f"check_idle: {what}: stopped in {time.monotonic() - started:.2f} s, exit code {code}")
    if code != 0:
        fail(f"{what}: the server exited with code {code}", server)


def main():
    args = parse_arguments(__doc__)
    with tempfile.TemporaryDirectory(prefix="rcl-idle-") as scratch:
        # A client that dies is given up after 2 s of silence (not 15).
        with Server(args.server, Path(scratch) / "server.log", ["--client-timeout", "2"]) as server:
            check_asleep(server, "before any client")
            env = client_environment(args.vendors, server.endpoint)
            holding = subprocess.Popen([args.app, "--hold", "300"], stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True, env=env)
            try:
                if not wait_for_line(holding, "session_app: OK", 60):
                    fail("the holding client did not run", server)
                check_asleep(server, "while a session's worker runs")
            finally:
                holding.kill()
                holding.wait()
            # The client is gone: its worker frees the session (client timeout) and exits; the
            # router sees that through the worker's exit fd, not a tick.
            deadline = time.monotonic() + 60
            while not re.search(r"session \S+ ended: client .*, worker \d+ gone", server.log()):
                if time.monotonic() > deadline:
                    fail("the dead client's session did not end within 60 s", server)
                time.sleep(0.2)
            check_asleep(server, "after the session ended")
            stops_within(server, signal.SIGTERM, 10, "SIGTERM with no session (drain)")
        with Server(args.server, Path(scratch) / "server2.log") as server:
            check_asleep(server, "a second server, before any client")
            stops_within(server, signal.SIGINT, 10, "SIGINT")
    print("check_idle: OK")


if __name__ == "__main__":
    main()
