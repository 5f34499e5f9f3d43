#!/usr/bin/env python3
"""`remote-cl trace -- failed_wait_app --rounds N`: commands that fail behind a
user event set to a negative status (PoCL calls no callback for them) end on
the client with a negative status, clWaitForEvents returns
CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST and the callback runs with the
failure, all from the server's pushes: the trace has no clGetEventInfo round
trip (a client that polled the server for the status of a silent event would
show one a wait).

usage: check_failed_wait_trace.py --tool remote-cl --server remote-cl-server --vendors DIR --app failed_wait_app"""

import tempfile

from tool_checks import parse_arguments, traced, fail as failed

ROUNDS = 3


def fail(message):
    failed("check_failed_wait_trace", message)


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="rcl-failed-wait-") as scratch:
        result, events = traced(args, scratch, [args.app, "--rounds", str(ROUNDS)])
        print(result.stdout[-3000:])
        if result.returncode != 0 or "failed_wait_app: OK" not in result.stdout:
            fail(f"failed_wait_app: exit code {result.returncode}")
        calls = {}
        for e in events:
            if e["ph"] == "X" and e.get("cat") not in ("kernel", "command"):
                made, waited = calls.get(e["name"], (0, 0))
                calls[e["name"]] = (made + 1, waited + (1 if e["args"].get("round_trip") else 0))
        if calls.get("clSetUserEventStatus", (0, 0))[0] < ROUNDS:
            fail(f"the trace does not show the app's {ROUNDS} clSetUserEventStatus calls: {sorted(calls)}")
        # Each round's wait is for commands behind a gate another thread opens: it waits for the device.
        made, waited = calls.get("clWaitForEvents", (0, 0))
        if waited < ROUNDS:
            fail(f"{waited} clWaitForEvents round trips traced (of {made} calls), not at least the {ROUNDS} "
                 "waits for gated commands")
        made, waited = calls.get("clGetEventInfo", (0, 0))
        if waited != 0:
            fail(f"{waited} clGetEventInfo round trips (of {made} calls): the client asked for statuses "
                 "the server should have pushed")
        print("check_failed_wait_trace: OK (round trips: " +
              ", ".join(f"{name} {calls[name][1]} of {calls[name][0]}" for name in sorted(calls)) + ")")


if __name__ == "__main__":
    main()
