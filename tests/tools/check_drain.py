#!/usr/bin/env python3
"""Draining: after SIGTERM a client at work finishes and reads correct
results; a new client is refused at once; `remote-cl status --ready` exits 1
and `remote-cl status` shows draining; once the working client is done,
status (still draining) lists only the holding session with its objects;
after the grace period the session left is ended as a client death (its objects freed, its worker gone), and
the server exits 0. A second SIGTERM ends every session and the server at once.

usage: check_drain.py --tool remote-cl --server remote-cl-server --vendors DIR --app session_app"""

import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tool_checks import Server, client_environment, fail as failed, parse_arguments, wait_for_line

GRACE_SECONDS = 25  # long enough for the working client on a loaded machine (it needs a few seconds)


def fail(message, server=None):
    failed("check_drain", message + (f"\n--- server log ---\n{server.log()}" if server else ""))


def worker_of(log, session):
    match = re.search(rf"session {session} started: client .*?, worker (\d+) at", log)
    return int(match.group(1)) if match else None


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def session_rows(text):
    """{session id: (objects, device memory)} from `remote-cl status`'s table."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^([0-9a-f]{16}) +.+? +\S+ +\d+ +(\d+) +(\d+) +\d+ +\d+ +\d+$", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return rows


def wait_for_status_rows(args, server, sessions):
    """Waits (a loaded machine: up to 60 s) until status, while draining, lists one of the two
    sessions, the other gone; returns (the gone session, the listed one's row)."""
    deadline = time.monotonic() + 60
    while True:
        status = subprocess.run([args.tool, "status", server.endpoint], capture_output=True, text=True, timeout=30)
        rows = session_rows(status.stdout)
        listed = [s for s in sessions if s in rows]
        if status.returncode == 0 and re.search(r"^state +draining", status.stdout, re.MULTILINE) and \
                len(listed) == 1 and len(rows) == 1:
            objects, memory = rows[listed[0]]
            if objects < 5 or memory < 1 << 20:
                fail(f"the holding session shows {objects} objects, {memory} bytes while draining:\n"
                     f"{status.stdout}", server)
            gone = next(s for s in sessions if s != listed[0])
            return gone, f"{listed[0]}: {objects} objects, {memory} bytes"
        if time.monotonic() > deadline:
            fail(f"status while draining, after the working client ended, lists {sorted(rows)} "
                 f"(sessions {sessions}):\n{status.stdout}{status.stderr}", server)
        time.sleep(0.5)


def second_sigterm_ends_at_once(args, folder):
    """While draining with a long grace period, a second SIGTERM ends the sessions and the server at once."""
    with Server(args.server, Path(folder) / "second.log", ["--drain-grace", "600"]) as server:
        env = client_environment(args.vendors, server.endpoint)
        holding = subprocess.Popen([args.app, "--hold", "300"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, env=env)
        try:
            if not wait_for_line(holding, "session_app: OK", 60):
                fail("the holding client did not get going", server)
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1)
            if server.process.poll() is not None:
                fail("the server did not drain on the first SIGTERM", server)
            start = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            code = server.process.wait(timeout=60)
            elapsed = time.monotonic() - start
            print(f"a second SIGTERM: the server exited with {code} after {elapsed:.1f} s")
            if code != 0 or elapsed > 30:
                fail(f"a second SIGTERM: exit {code} after {elapsed:.1f} s", server)
            if not re.search(r"ended \(server shutting down\).*freed [1-9]\d* objects", server.log()):
                fail("a second SIGTERM did not free the session", server)
        finally:
            holding.kill()
            holding.wait()


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="rcl-drain-") as folder, \
            Server(args.server, Path(folder) / "server.log", ["--drain-grace", str(GRACE_SECONDS)]) as server:
        env = client_environment(args.vendors, server.endpoint)
        # A client at work (buffer written, kernel still to run) and one that only holds its session.
        working = subprocess.Popen([args.app, "--pause", "5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=env)
        holding = subprocess.Popen([args.app, "--hold", "300"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, env=env)
        try:
            if not wait_for_line(working, "session_app: written", 60):
                fail("the working client did not write its buffer", server)
            if not wait_for_line(holding, "session_app: OK", 60):
                fail("the holding client did not get going", server)
            sessions = re.findall(r"session ([0-9a-f]{16}) started", server.log())
            if len(sessions) != 2:
                fail(f"{len(sessions)} sessions started, not 2", server)

            server.process.send_signal(signal.SIGTERM)
            drain_started = time.monotonic()

            ready = subprocess.run([args.tool, "status", "--ready", server.endpoint], capture_output=True, text=True,
                                   timeout=30)
            print(f"status --ready while draining: exit {ready.returncode}: {ready.stdout.strip()}")
            if ready.returncode != 1 or "draining" not in ready.stdout or len(ready.stdout.splitlines()) != 1:
                fail(f"status --ready while draining: exit {ready.returncode}, {ready.stdout!r}", server)
            status = subprocess.run([args.tool, "status", server.endpoint], capture_output=True, text=True, timeout=30)
            if not re.search(r"^state +draining", status.stdout, re.MULTILINE):
                fail(f"status does not show draining:\n{status.stdout}{status.stderr}", server)

            start = time.monotonic()
            refused = subprocess.run([args.app], capture_output=True, text=True, env=env, timeout=60)
            elapsed = time.monotonic() - start
            print(f"a new client while draining: exit {refused.returncode} in {elapsed:.1f} s: {refused.stderr.strip()}")
            if refused.returncode == 0 or "draining" not in refused.stderr or elapsed > 10:
                fail(f"a new client while draining: exit {refused.returncode} after {elapsed:.1f} s\n{refused.stderr}",
                     server)
            if not re.search(r"refused client .*: the server is draining", server.log()):
                fail("the server did not log the refusal", server)

            out, err = working.communicate(timeout=GRACE_SECONDS + 30)
            print(f"the working client: exit {working.returncode} after {time.monotonic() - drain_started:.1f} s")
            if working.returncode != 0 or "session_app: OK" not in out:
                fail(f"the working client failed during the drain: exit {working.returncode}\n{err}", server)
            if time.monotonic() - drain_started >= GRACE_SECONDS:
                fail("the working client finished after the grace period: raise GRACE_SECONDS", server)

            if server.process.poll() is not None:
                fail("the server exited while a session was still running", server)
            # Still draining: status lists only the holding session, with its objects; the
            # finished one is gone (its worker freed everything when its client said goodbye).
            ended, held_row = wait_for_status_rows(args, server, sessions)
            print(f"status while draining, the working client gone: {ended} gone, {held_row}")
            code = server.process.wait(timeout=GRACE_SECONDS + 60)
            print(f"the server exited with {code} after {time.monotonic() - drain_started:.1f} s")
            log = server.log()
            if code != 0:
                fail(f"the server exited with {code}", server)
            if time.monotonic() - drain_started < GRACE_SECONDS - 1:
                fail("the server did not wait for the grace period", server)
            held = [s for s in sessions if re.search(rf"session {s} ended \(server shutting down\)", log)]
            if len(held) != 1:
                fail("the holding session was not ended by the drain", server)
            if not re.search(rf"session {held[0]} ended \(server shutting down\).*freed [1-9]\d* objects", log):
                fail("the ended session did not free its objects", server)
            if "the drain's grace period is over" not in log or not re.search(rf"session {held[0]} ended: .*gone",
                                                                                log):
                fail("the log does not say the grace period ended the session", server)
            worker = worker_of(log, held[0])
            if worker is None or alive(worker):
                fail(f"the ended session's worker {worker} is still there", server)
            print(f"the session left ({held[0]}) was ended, worker {worker} gone")
        finally:
            for client in (working, holding):
                if client.poll() is None:
                    client.kill()
                client.wait()
        second_sigterm_ends_at_once(args, folder)
    print("check_drain: OK")


if __name__ == "__main__":
    main()
