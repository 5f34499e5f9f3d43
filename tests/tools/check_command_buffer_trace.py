#!/usr/bin/env python3
"""`remote-cl trace -- command_buffer_app`: a recorded command buffer runs
with one message per clEnqueueCommandBufferKHR, whatever it holds: each
enqueue is one async message (no round trip), the buffer of four commands
sends no more bytes than the buffer of one, and between the first enqueue and
the last nothing else goes to the server but the release of the events the
tracer itself asked for. Each run shows on the timeline as one command.

usage: check_command_buffer_trace.py --tool remote-cl --server remote-cl-server --vendors DIR --app command_buffer_app"""

import tempfile

from tool_checks import parse_arguments, traced, fail as failed

RUNS = 6  # command_buffer_app: five runs of the buffer of four commands, one of the buffer of one


def fail(message):
    failed("check_command_buffer_trace", message)


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="rcl-cmdbuf-trace-") as scratch:
        result, events = traced(args, scratch, [args.app])
        if result.returncode != 0 or "command_buffer_app: OK" not in result.stdout:
            fail(f"command_buffer_app: exit code {result.returncode}\n{result.stdout}")
        calls = sorted((e for e in events if e["ph"] == "X" and e.get("cat") in ("sync", "async", "transfer")),
                       key=lambda e: e["ts"])
        enqueues = [e for e in calls if e["name"] == "clEnqueueCommandBufferKHR"]
        if len(enqueues) != RUNS:
            fail(f"{len(enqueues)} clEnqueueCommandBufferKHR messages for {RUNS} enqueues")
        for e in enqueues:
            if e["args"]["round_trip"] or e["args"]["status"] != 0:
                fail(f"an enqueue waited for the server or failed: {e}")
            if e["args"]["bytes_sent"] > 128:
                fail(f"an enqueue sent {e['args']['bytes_sent']} bytes: its commands travelled again?")
        four, one = enqueues[0]["args"]["bytes_sent"], enqueues[-1]["args"]["bytes_sent"]
        if four > one:
            fail(f"the buffer of four commands sends {four} bytes an enqueue, the buffer of one {one}")
        first, last = calls.index(enqueues[0]), calls.index(enqueues[-1])
        between = [e["name"] for e in calls[first:last + 1]
                   if e["name"] not in ("clEnqueueCommandBufferKHR", "clReleaseEvent")]
        if between:
            fail(f"the enqueues sent more than themselves: {between}")
        runs = [e for e in events if e.get("cat") == "command" and e["name"] == "CommandBufferKHR"]
        if len(runs) != RUNS:
            fail(f"the timeline shows {len(runs)} command-buffer runs, not {RUNS}")
        print(f"check_command_buffer_trace: OK ({RUNS} enqueues, one message each, {four} bytes)")


if __name__ == "__main__":
    main()
