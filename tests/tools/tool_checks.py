"""What check_status.py and check_trace.py share: their arguments, the way
they run a command through a throw-away server, and how they fail."""

import argparse
import subprocess
import sys
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


def fail(check, message):
    print(f"{check}: FAIL: {message}")
    sys.exit(1)
