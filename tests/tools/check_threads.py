#!/usr/bin/env python3
"""The server's --threads mode (sessions as threads of the listening process,
not worker processes), through the real ICD loader:

  1. two clients at once: both read correct results ("session_app: OK"), each
     in a session of its own that is a thread (no worker in the log);
  2. `remote-cl status` lists both sessions, with their objects;
  3. one client killed with SIGKILL while its session holds objects: the
     server ends that session and frees its objects (log and status say so),
     while the other client, stopped between its write and its kernel, then
     goes on and reads correct results; the server keeps running and
     serves a new client (with shared memory; the first two go over the
     socket and its bulk lanes).

usage: check_threads.py --tool remote-cl --server remote-cl-server --vendors DIR --app session_app"""

import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tool_checks import Server, client_environment, fail as failed, parse_arguments, wait_for_line

WAIT_SECONDS = 90  # for a state to appear on a loaded machine (never a pass/fail on time)


def fail(message, server=None):
    failed("check_threads", message + (f"\n--- server log ---\n{server.log()}" if server else ""))


def status(args, server):
    result = subprocess.run([args.tool, "status", "--timeout", "30", server.endpoint], capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        fail(f"remote-cl status exited {result.returncode}: {result.stderr}", server)
    return result.stdout


def rows(text):
    """{pid: (session, objects, memory)} of the status's session rows."""
    found = {}
    for line in text.splitlines():
        m = re.match(r"^([0-9a-f]{16}) +(.+?) +(\S+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$", line)
        if m:
            pid = re.search(r":(\d+) \(", m.group(2))
            if pid:
                found[int(pid.group(1))] = (m.group(1), int(m.group(5)), int(m.group(6)))
    return found


def active(text):
    m = re.search(r"^sessions +(\d+) active, (\d+) ended", text, re.MULTILINE)
    return (int(m.group(1)), int(m.group(2))) if m else None


def wait_for(what, check, server):
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            fail(f"{what} did not happen within {WAIT_SECONDS} s", server)
        time.sleep(0.5)


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="rcl-threads-") as folder, \
            Server(args.server, Path(folder) / "server.log", ["--threads", "--verbose"]) as server:
        env = client_environment(args.vendors, server.endpoint)
        # Both start at once: one will be killed while it holds its objects, the
        # other stops after writing its buffer until told to go on.
        victim = subprocess.Popen([args.app, "--hold", "600"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env=env)
        survivor = subprocess.Popen([args.app, "--wait-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env)
        try:
            if not wait_for_line(victim, "session_app: OK", WAIT_SECONDS):
                victim.kill()
                fail(f"the first client did not read correct results: {victim.stderr.read()}", server)
            if not wait_for_line(survivor, "session_app: written", WAIT_SECONDS):
                survivor.kill()
                fail(f"the second client did not write its buffer: {survivor.stderr.read()}", server)
            log = server.log()
            sessions = re.findall(r"session ([0-9a-f]{16}) started: client (\S+)", log)
            if len(sessions) != 2:
                fail(f"{len(sessions)} sessions started, not 2", server)
            if re.search(r"started: client .*, worker \d+", log):
                fail("with --threads a session ran in a worker process", server)
            print(f"two clients at once in threads mode: sessions {', '.join(s for s, _ in sessions)}")

            # Sessions in threads: the router reads their counts itself, no worker reports them.
            text = wait_for("both sessions with their objects in remote-cl status",
                            lambda: (t := status(args, server)) and
                            all(p in rows(t) and rows(t)[p][1] >= 3 and rows(t)[p][2] >= 1 << 20
                                for p in (victim.pid, survivor.pid)) and t, server)
            print(text)
            if active(text) != (2, 0):
                fail(f"status counts sessions {active(text)}, not 2 active, 0 ended", server)
            victim_session, victim_objects, _ = rows(text)[victim.pid]
            print(f"status lists both sessions; the first ({victim_session}) holds {victim_objects} objects")

            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=60)
            ended = wait_for("the killed client's session ending",
                             lambda: re.search(rf"session {victim_session} ended \(([^)]*)\).*freed (\d+) objects",
                                               server.log()), server)
            if int(ended.group(2)) < 3:
                fail(f"the killed client's session freed {ended.group(2)} objects", server)
            print(f"SIGKILL: session {victim_session} ended ({ended.group(1)}), freed {ended.group(2)} objects")
            text = wait_for("status without the killed client's session",
                            lambda: (t := status(args, server)) and active(t) == (1, 1) and t, server)
            if victim.pid in rows(text) or survivor.pid not in rows(text):
                fail(f"after the kill the status lists:\n{text}", server)
            print("status: 1 active (the other client), 1 ended")

            survivor.stdin.write("go\n")
            survivor.stdin.flush()
            out, err = survivor.communicate(timeout=300)
            if survivor.returncode != 0 or "session_app: OK" not in out:
                fail(f"the other client after the kill: exit {survivor.returncode}\n{out}{err}", server)
            print("the other client went on and read correct results")

            if server.process.poll() is not None:
                fail(f"the server exited ({server.process.returncode})", server)
            # This one with shared memory (the others go over the socket and its bulk lanes).
            late = subprocess.run([args.app], capture_output=True, text=True, env={**env, "REMOTE_CL_SHM": "1"},
                                  timeout=300)
            if late.returncode != 0 or "session_app: OK" not in late.stdout:
                fail(f"a new client after the kill: exit {late.returncode}\n{late.stdout}{late.stderr}", server)
            wait_for("every session ended", lambda: active(status(args, server)) == (0, 3), server)
            print("a new client is served too; all 3 sessions ended")
        finally:
            for client in (victim, survivor):
                if client.poll() is None:
                    client.kill()
                client.wait()
    print("check_threads: OK")


if __name__ == "__main__":
    main()
