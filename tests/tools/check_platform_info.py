#!/usr/bin/env python3
"""`remote-cl trace -- info_dump_app` through a server that sends its platforms' and devices'
information with the session's set-up (PlatformInfoAll, protocol/platform_info.h), and through
one started with --test-no-platform-info, which refuses it as a server before it did, so the
client asks each value as it did then: the app's dump of every platform and device information
(status, size, bytes, one byte short) must be the same, the first run must have made no
clGetPlatformInfo or clGetDeviceInfo round trip (DeviceInfoAll is traced as clGetDeviceInfo),
and the second must have made some (else it proved nothing). The same for the app's
clGetDeviceIDs and clCreateContextFromType of every device type (the set-up brings each
platform's devices by type, PoCL's choice of a default among them, and the platform NULL
properties take): with it, no clCreateContextFromType or clGetContextInfo round trip, and one
clGetDeviceIDs round trip a type the set-up does not answer (a combination, none, one that is
no type: asked once, then kept); without it, each type's first clGetDeviceIDs and every
clCreateContextFromType asks.

usage: check_platform_info.py --tool remote-cl --server remote-cl-server --vendors DIR --app info_dump_app"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tool_checks import WITH_SERVER, parse_arguments, fail as failed

QUERIES = ("clGetPlatformInfo", "clGetDeviceInfo")
BY_TYPE = ("clGetDeviceIDs", "clCreateContextFromType", "clGetContextInfo")
# info_dump_app's types the set-up does not answer (protocol/platform_info.h, kAnsweredDeviceTypes; ALL is the hello's)
UNANSWERED_TYPES = 4


def fail(message):
    failed("check_platform_info", message)


def run(args, scratch, name, server_args):
    """(the app's stdout, the round trips of QUERIES by name) of one traced run."""
    trace = Path(scratch) / f"{name}.json"
    result = subprocess.run([sys.executable, str(WITH_SERVER), "--server", args.server, "--vendors", args.vendors,
                             *[f"--server-arg={a}" for a in server_args], "--",
                             args.tool, "trace", "-o", str(trace), "--", args.app],
                            capture_output=True, text=True, timeout=150)
    if result.returncode != 0 or "info_dump_app:" not in result.stdout:
        fail(f"{name}: info_dump_app exit code {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    events = json.loads(trace.read_text())["traceEvents"] if trace.exists() else []
    asked = {q: sum(1 for e in events if e.get("ph") == "X" and e["name"] == q and e["args"].get("round_trip"))
             for q in QUERIES + BY_TYPE}
    return result.stdout, asked


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="rcl-platform-info-") as scratch:
        sent, sent_asked = run(args, scratch, "with-set-up", [])
        asked, asked_asked = run(args, scratch, "asked", ["--test-no-platform-info"])
    lines = sent.splitlines()
    if len(lines) < 50:
        fail(f"only {len(lines)} lines of information: {sent[-2000:]}")
    if sent != asked:
        other = asked.splitlines()
        for i, (a, b) in enumerate(zip(lines, other)):
            if a != b:
                fail(f"line {i + 1} differs: with the set-up's information {a!r}, asked {b!r}")
        fail(f"{len(lines)} lines with the set-up's information, {len(other)} asked")
    platforms = int(lines[-1].split()[1]) if lines[-1].startswith("info_dump_app:") else -1
    expected = {q: 0 for q in QUERIES + BY_TYPE}
    expected["clGetDeviceIDs"] = UNANSWERED_TYPES * platforms
    if sent_asked != expected:
        fail(f"round trips with the set-up's information: {sent_asked}, expected {expected}")
    if asked_asked["clCreateContextFromType"] == 0 or asked_asked["clGetDeviceIDs"] <= expected["clGetDeviceIDs"]:
        fail(f"no more round trips by type when the server sends no information ({asked_asked}): the comparison "
             "proves nothing")
    if not any(asked_asked[q] for q in QUERIES):
        fail(f"no round trip when the server sends no information ({asked_asked}): the comparison proves nothing")
    # Without it, a device's first query brings all its information (DeviceInfoAll): one round trip a device.
    devices = int(lines[-1].split()[-2]) if lines[-1].startswith("info_dump_app:") else -1
    if asked_asked["clGetDeviceInfo"] != devices:
        fail(f"{asked_asked['clGetDeviceInfo']} clGetDeviceInfo round trips for {devices} device(s) without the "
             "set-up's information, not one a device")
    print(f"check_platform_info: OK ({len(lines)} lines the same; round trips {sent_asked} with the set-up's "
          f"information, {asked_asked} without)")


if __name__ == "__main__":
    main()
