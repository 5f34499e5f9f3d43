#!/usr/bin/env python3
"""`remote-cl trace -- APP`: applications run through a real server with
tracing on; the summary table is printed and the trace file is Chrome
trace-event JSON naming the calls the application made (clinfo), and the
kernel it ran, on its queue's row, with its device time (session_app); clinfo's
platform and device information takes no round trip (it came with the session's set-up).

usage: check_trace.py --tool remote-cl --server remote-cl-server --vendors DIR --clinfo clinfo --app session_app"""

import json
import re
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
        # remote-cl's platform has the real one's name; its ICD suffix is its own.
        if not re.search(r"^\s*Platform Extensions function suffix\s+RCL$", result.stdout, re.MULTILINE):
            fail("clinfo did not run through remote-cl (no platform with the ICD suffix RCL)")
        summary = result.stderr[result.stderr.find("remote-cl trace summary"):]
        for needed in ["remote-cl trace summary", "round trips", "clGetDeviceIDs", "\ntotal "]:
            if needed not in summary:
                fail(f"the summary lacks {needed!r}")
        events = json.loads(trace.read_text())["traceEvents"]
        names = {e["name"] for e in events}
        for call in ["clGetDeviceIDs", "clCreateContext", "clBuildProgram"]:
            if call not in names:
                fail(f"the trace does not name {call} (it names {sorted(names)})")
        if any(e["ph"] != "X" or e["dur"] < 0 for e in events):
            fail("an event is not a complete event with a duration")
        # The platforms' and devices' information came with the session's set-up (PlatformInfoAll,
        # protocol/platform_info.h): clinfo's hundred queries a device ask nothing (answers from the
        # client's cache are not traced; with an older server, a device's first query brings all its
        # information: tools.platform_info).
        queries = sum(1 for e in events if e["name"] in ("clGetPlatformInfo", "clGetDeviceInfo")
                      and e["args"].get("round_trip"))
        if queries != 0:
            fail(f"clinfo's platform and device information took {queries} round trips, not 0")
        print(f"clinfo: {len(events)} events, {len(names)} kinds of call")

        result = run_with_server(args, [args.tool, "trace", "-o", str(trace), "--", args.app])
        print(result.stderr[-3000:])
        if result.returncode != 0 or "session_app: OK" not in result.stdout:
            fail(f"session_app: exit code {result.returncode}")
        if "command on the device" not in result.stderr or "kernel add_marker" not in result.stderr:
            fail("the summary lacks the kernel's device time")
        events = json.loads(trace.read_text())["traceEvents"]
        kernels = [e for e in events if e.get("cat") == "kernel" and e["name"] == "kernel add_marker"]
        if len(kernels) != 1:
            fail(f"the trace has {len(kernels)} runs of kernel add_marker")
        kernel = kernels[0]
        rows = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
        if not rows.get(kernel["tid"], "").startswith("queue "):
            fail(f"the kernel is not on a queue's row: {kernel}")
        if kernel["dur"] <= 0 or kernel["args"]["status"] != 0:
            fail(f"the kernel has no device time or did not complete: {kernel}")
        enqueue = [e for e in events if e["name"] == "clEnqueueNDRangeKernel"]
        if not enqueue or kernel["ts"] + kernel["dur"] < enqueue[0]["ts"]:
            fail("the kernel ended before it was enqueued")
        for command in ["WriteBuffer", "ReadBuffer"]:
            if not any(e["name"] == command and e.get("cat") == "command" for e in events):
                fail(f"the trace lacks the device command {command}")
        print(f"check_trace: OK ({len(events)} events; kernel add_marker ran {kernel['dur']:.0f} us)")

        check_round_trips(args, trace)


# What a BLAS library does per call, 20 times over (session_app --rounds): a
# round trip only where the answer is unknown. A buffer's creation that only
# memory could fail is pipelined, and so is a kernel's of a function its
# built program names; an argument of a shape the server accepted for the
# kernel function before is set without waiting, for every kernel of it.
# clFinish on an in-order queue sends no request: it waits for the last
# command's pushed completion (which the trace counts as a round trip when
# the command was still in flight: at most once a round). A complete
# command's timestamps came with its completion; a kernel function's
# work-group information is asked once per device and __local sizes.
ROUNDS = 20
# clGetKernelWorkGroupInfo: the app's two queries (once per __local size), and the launch
# information of its kernel function (traced under that name, below).
MOST_ROUND_TRIPS = {"clCreateBuffer": 1, "clCreateKernel": 1, "clFinish": ROUNDS, "clSetKernelArg": 2,
                    "clGetEventProfilingInfo": 0, "clGetKernelWorkGroupInfo": 3}
# (clGetCommandQueueInfo: a queue's device for the launches, and its properties for clFinish's
# fast path, are known from its creation, which the client checked and did not wait for:
# icd/include/rcl/icd/entry/pipelined.h. Neither of the app's two queues is asked about, nor waited for.)
LAUNCH_ROUND_TRIPS = {"clEnqueueNDRangeKernel": 0, "clGetKernelInfo": 0, "clGetCommandQueueInfo": 0,
                      "clCreateCommandQueueWithProperties": 0}


def check_round_trips(args, trace):
    result = run_with_server(args, [args.tool, "trace", "-o", str(trace), "--", args.app, "--rounds", str(ROUNDS)])
    if result.returncode != 0 or "session_app: OK" not in result.stdout:
        print(result.stderr[-3000:])
        fail(f"session_app --rounds {ROUNDS}: exit code {result.returncode}")
    events = json.loads(trace.read_text())["traceEvents"]
    calls = {}
    for e in events:
        if e["ph"] == "X" and e.get("cat") not in ("kernel", "command"):
            made, waited = calls.get(e["name"], (0, 0))
            calls[e["name"]] = (made + 1, waited + (1 if e["args"].get("round_trip") else 0))
    for name, most in MOST_ROUND_TRIPS.items():
        made, waited = calls.get(name, (0, 0))
        if made < ROUNDS:
            fail(f"the trace has {made} calls of {name}, fewer than the {ROUNDS} rounds")
        if waited > most:
            fail(f"{name}: {waited} of its {made} calls waited for a round trip (at most {most})")
    # A launch is checked at the call against its kernel function's limits on
    # the queue's device, asked once with its number of arguments
    # (protocol/kernel_launch_info.h, traced as clGetKernelWorkGroupInfo), and
    # the queue's device once: no launch waits, 20 kernels of one function on one device ask once.
    for name, most in LAUNCH_ROUND_TRIPS.items():
        made, waited = calls.get(name, (0, 0))
        if waited > most:
            fail(f"{name}: {waited} of its {made} calls waited for a round trip (at most {most} in the whole run)")
    print("round trips in " + str(ROUNDS) + " rounds: " +
          ", ".join(f"{name} {calls[name][1]} of {calls[name][0]}" for name in sorted(calls)))


if __name__ == "__main__":
    main()
