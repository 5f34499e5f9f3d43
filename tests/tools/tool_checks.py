"""What the checks of tests/tools share: their arguments, the way they run a
command through a throw-away server or a server of their own, and how they fail."""

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

WITH_SERVER = Path(__file__).resolve().parents[2] / "scripts" / "with-server.py"


def parse_arguments(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--tool", required=True, help="the remote-cl command")
    ap.add_argument("--server", required=True, help="remote-cl-server")
    ap.add_argument("--vendors", required=True, help="a folder holding only remote-cl.icd")
    ap.add_argument("--clinfo", default="clinfo")
    ap.add_argument("--app", required=True, help="tests/tools/session_app (a kernel, a buffer, --hold SECONDS)")
    return ap.parse_args()


def run_with_server(args, command):
    """Runs `command` with OCL_ICD_VENDORS and REMOTE_CL_SERVERS naming a fresh server."""
    return subprocess.run([sys.executable, str(WITH_SERVER), "--server", args.server, "--vendors", args.vendors,
                           "--", *command], capture_output=True, text=True, timeout=120)


def traced(args, scratch, command):
    """Runs `command` under `remote-cl trace` with a fresh server; (its result, printed
    stderr and all), the trace's events)."""
    trace = Path(scratch) / "trace.json"
    result = run_with_server(args, [args.tool, "trace", "-o", str(trace), "--", *command])
    print(result.stderr[-3000:])
    events = json.loads(trace.read_text())["traceEvents"] if trace.exists() else []
    return result, events


def fail(check, message):
    print(f"{check}: FAIL: {message}")
    sys.exit(1)


class Server:
    """A remote-cl-server of the check's own, on a free loopback port, seeing
    only the native platforms; its stderr in `log_path`. Stops at once (SIGINT)
    when the `with` block ends, if it is still running."""

    def __init__(self, binary, log_path, extra_args=()):
        self.log_path = Path(log_path)
        env = {k: v for k, v in os.environ.items() if k not in ("OCL_ICD_VENDORS", "REMOTE_CL_SERVERS")}
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen([binary, "--listen", "tcp://127.0.0.1:*", *extra_args],
                                        stdout=subprocess.PIPE, stderr=self._log, text=True, env=env)
        line = self.process.stdout.readline()  # "listening on ENDPOINT", or nothing if it failed
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"the server did not start: {line!r}\n{self.log()}")
        self.endpoint = line.split()[-1]

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def client_environment(vendors, endpoint, **extra):
    """The environment of a client that uses only remote-cl, on `endpoint`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMOTE_CL_")}
    env.update(OCL_ICD_VENDORS=vendors, REMOTE_CL_SERVERS=endpoint, REMOTE_CL_SHM="0")
    env.update(extra)
    return env


def wait_for_line(process, wanted, timeout):
    """Reads `process`'s stdout until a line holding `wanted` (True), its end or the timeout (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = process.stdout.readline()
        if not line:
            return False
        if wanted in line:
            return True
    return False
