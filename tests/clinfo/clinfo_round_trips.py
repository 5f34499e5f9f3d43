#!/usr/bin/env python3
"""clinfo's round trips through remote-cl (REMOTE_CL_TRACE): the session's set-up brings every
platform and device information, each platform's devices by type (PoCL's choice of a default
among them) and the platform NULL context properties take (protocol/platform_info.h), so none of
clinfo's platform, device, device-list, context-from-type or context queries waits for the
server: its clGetPlatformInfo, clGetDeviceInfo, clGetDeviceIDs, clCreateContext,
clCreateContextFromType (the NULL platform section tries every device type) and clGetContextInfo
calls are all answered or sent without waiting. What is left is clBuildProgram (the server's
verdict). Its output is compared with native clinfo's by compare_clinfo.py.

usage: clinfo_round_trips.py --clinfo clinfo --server remote-cl-server --vendors DIR"""

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

WITH_SERVER_PATH = Path(__file__).resolve().parents[2] / "scripts" / "with-server.py"
ANSWERED = ("clGetPlatformInfo", "clGetDeviceInfo", "clGetDeviceIDs", "clCreateContext", "clCreateContextFromType",
            "clGetContextInfo")
LEAST_FROM_TYPE = 6  # clinfo's NULL platform section: DEFAULT, CPU, GPU, ACCELERATOR, CUSTOM, ALL


def fail(message):
    print(f"clinfo_round_trips: FAIL: {message}")
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clinfo", default="clinfo")
    ap.add_argument("--server", required=True)
    ap.add_argument("--vendors", required=True)
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("with_server", WITH_SERVER_PATH)
    with_server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(with_server)
    with tempfile.TemporaryDirectory(prefix="rcl-clinfo-trace-") as scratch:
        trace = Path(scratch) / "clinfo.json"
        with with_server.running_server(args.server) as server:
            environment = with_server.remote_environment(args.vendors, server.endpoint)
            environment["REMOTE_CL_TRACE"] = str(trace)
            result = subprocess.run([args.clinfo], env=environment, capture_output=True, text=True, errors="replace",
                                    timeout=90)
            if result.returncode != 0:
                server.failed = True
                fail(f"clinfo exited with code {result.returncode}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
        if not trace.exists():
            fail(f"no trace written at {trace}")
        events = [e for e in json.loads(trace.read_text())["traceEvents"] if e.get("ph") == "X"]
    made = [e for e in events if e["name"] == "clCreateContextFromType"]
    if len(made) < LEAST_FROM_TYPE:
        fail(f"{len(made)} clCreateContextFromType calls traced, not at least {LEAST_FROM_TYPE}: the check proves nothing")
    waited = [e for e in events if e["name"] in ANSWERED and e["args"].get("round_trip")]
    if waited:
        fail(f"{len(waited)} round trips of calls the client answers or sends without waiting, the first {waited[0]}")
    trips = {}
    for e in events:
        if e["args"].get("round_trip"):
            trips[e["name"]] = trips.get(e["name"], 0) + 1
    print(f"clinfo_round_trips: OK ({len(events)} calls, round trips {trips or 'none'}; "
          f"{len(made)} clCreateContextFromType, none waited)")


if __name__ == "__main__":
    main()
