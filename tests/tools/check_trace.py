#!/usr/bin/env python3
"""`remote-cl trace -- APP`: the application runs through a real server with
tracing on; its summary table is printed and the trace file is Chrome
trace-event JSON naming the calls the application made.

usage: check_trace.py --tool remote-cl --server remote-cl-server --vendors DIR --clinfo clinfo"""

import json
import tempfile
from pathlib import Path

from tool_checks import parse_arguments, run_with_server, fail as failed


def fail(message):
    failed("check_trace", message)


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="rcl-trace-") as scratch:
        trace = Path(scratch) / "trace.json"
        result = run_with_server(args, [args.tool, "trace", "-o", str(trace), "--", args.clinfo])
        print(result.stderr[-3000:])
        if result.returncode != 0:
            fail(f"exit code {result.returncode}")
        if "Platform Name" not in result.stdout or "remote-cl:" not in result.stdout:
            fail("clinfo did not run through remote-cl")
        summary = result.stderr[result.stderr.find("remote-cl trace summary"):]
        for needed in ["remote-cl trace summary", "round trips", "clGetDeviceInfo", "\ntotal "]:
            if needed not in summary:
                fail(f"the summary lacks {needed!r}")
        events = json.loads(trace.read_text())["traceEvents"]
        names = {e["name"] for e in events}
        for call in ["clGetPlatformInfo", "clGetDeviceIDs", "clGetDeviceInfo", "clCreateContext"]:
            if call not in names:
                fail(f"the trace does not name {call} (it names {sorted(names)})")
        if any(e["ph"] != "X" or e["dur"] < 0 for e in events):
            fail("an event is not a complete event with a duration")
        print(f"check_trace: OK ({len(events)} events, {len(names)} kinds of call)")


if __name__ == "__main__":
    main()
