#!/usr/bin/env python3
"""Run the conformance suite natively and through remote-cl and print the side-by-side table.

Usage:
    run_conformance.py --binary build/conformance/rcl_conformance
                       --server build/server/remote-cl-server --vendors build/vendors
                       [--output-dir DIR] [--filter GTEST_FILTER] [--test-timeout SECONDS]
                       [--only native|remote]

The binary (a gtest program linking rcl_test_support) runs twice: RCL_TEST_MODE=native, then
RCL_TEST_MODE=remote with RCL_SERVER_BIN and RCL_VENDORS_DIR, in which mode the harness starts a
real remote-cl-server on loopback and points the ICD loader at remote-cl.

A case that hangs (no result within --test-timeout seconds) or crashes the binary is recorded as
"timeout" or "crash", and the run resumes with the cases not yet run, so one remote bug does not
hide the others. Each run also writes gtest's JSON report(s) into --output-dir, plus report.json
with the joined results.

Exit code: 1 if any case passes natively and does not pass remotely (a skip remotely after a
native pass is "native only": the remote device reports the feature absent, e.g. fine-grained SVM), or if a
run could not start; 0 otherwise.
"""

import argparse
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

RESULT_LINE = re.compile(r"^\[\s*(OK|FAILED|SKIPPED)\s*\] (\S+\.\S+) \(\d+ ms\)")
RUN_LINE = re.compile(r"^\[ RUN      \] (\S+\.\S+)$")
KILL_GRACE_SECONDS = 5
DETAIL_LINES = 40

PASSED, FAILED, SKIPPED, TIMEOUT, CRASH, NOT_RUN = "pass", "FAIL", "skip", "timeout", "crash", "not run"


def list_tests(binary, gtest_filter):
    command = [str(binary), "--gtest_list_tests"]
    if gtest_filter:
        command.append(f"--gtest_filter={gtest_filter}")
    output = subprocess.run(command, check=True, capture_output=True, text=True,
                            env=dict(os.environ, RCL_TEST_MODE="native")).stdout
    names, suite = [], None
    for line in output.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            suite = line.split("#")[0].strip()
        else:
            names.append(suite + line.split("#")[0].strip())
    return names


def read_lines(stream, lines):
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=KILL_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class ModeRun:
    """All cases of one mode: result and captured output per case."""

    def __init__(self, mode):
        self.mode = mode
        self.results = {}
        self.details = {}
        self.errors = []
        self.reports = []
        self.seconds = 0.0


def run_segment(binary, environment, names, report_path, test_timeout, run):
    """Run `names` once; record results; return when the binary ends or is killed."""
    command = [str(binary), "--gtest_filter=" + ":".join(names), f"--gtest_output=json:{report_path}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               errors="replace", env=environment, stdin=subprocess.DEVNULL)
    lines = queue.Queue()
    reader = threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True)
    reader.start()
    current, captured, deadline, preamble = None, [], None, []
    while True:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            run.results[current] = TIMEOUT
            run.details[current] = captured + [f"(no result after {test_timeout} s: binary killed)\n"]
            stop(process)
            break
        if line is None:
            break
        started = RUN_LINE.match(line.rstrip("\n"))
        finished = RESULT_LINE.match(line)
        if started:
            current, captured, deadline = started.group(1), [], time.monotonic() + test_timeout
        elif finished and finished.group(2) == current:
            kind = {"OK": PASSED, "FAILED": FAILED, "SKIPPED": SKIPPED}[finished.group(1)]
            run.results[current] = kind
            if kind != PASSED:
                run.details[current] = captured
            current, captured, deadline = None, [], None
        elif current is not None:
            captured.append(line)
        else:
            preamble.append(line)
    process.wait()
    reader.join(timeout=KILL_GRACE_SECONDS)
    if current is not None and current not in run.results:
        run.results[current] = CRASH
        run.details[current] = captured + [f"(binary {describe_exit(process.returncode)})\n"]
    elif current is None and process.returncode not in (0, 1):
        run.errors.append(f"{run.mode}: binary {describe_exit(process.returncode)} outside any case:\n"
                          + "".join(preamble[-DETAIL_LINES:]))
    elif process.returncode == 1 and not any(run.results.get(n) in (FAILED, TIMEOUT, CRASH) for n in names):
        # gtest exits 1 with every case passed or skipped only when the harness itself failed
        # (e.g. the server did not start): the cases' results cannot be trusted.
        run.errors.append(f"{run.mode}: the harness failed (exit 1 without a failed case):\n"
                          + "".join(preamble[-DETAIL_LINES:]))
    if Path(report_path).exists():
        run.reports.append(str(report_path))
    return process.returncode


def describe_exit(returncode):
    if returncode < 0:
        return f"killed by signal {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"


def run_mode(mode, binary, environment, names, output_dir, test_timeout):
    run = ModeRun(mode)
    started = time.monotonic()
    remaining = list(names)
    segment = 0
    while remaining:
        segment += 1
        report = output_dir / f"{mode}-{segment}.json"
        if report.exists():
            report.unlink()
        run_segment(binary, environment, remaining, report, test_timeout, run)
        left = [name for name in remaining if name not in run.results]
        if len(left) == len(remaining) or run.errors:
            for name in left:
                run.results[name] = NOT_RUN
            break
        remaining = left
    run.seconds = time.monotonic() - started
    return run


def verdict(native, remote):
    if native == PASSED and remote == PASSED:
        return "ok"
    if native == PASSED and remote == SKIPPED:
        return "native only"
    if native == PASSED:
        return "REMOTE BUG"
    if native == SKIPPED and remote == SKIPPED:
        return "skipped"
    if native == remote:
        return "same (native fails too)"
    if remote == PASSED:
        return "remote only"
    return "both fail"


def print_table(names, native, remote, out):
    rows = [(name, native.results.get(name, NOT_RUN), remote.results.get(name, NOT_RUN)) for name in names]
    widths = [max(len("case"), *(len(r[0]) for r in rows)), len("native"), len("remote")]
    widths[1] = max(widths[1], *(len(r[1]) for r in rows))
    widths[2] = max(widths[2], *(len(r[2]) for r in rows))
    header = f"{'case':<{widths[0]}}  {'native':<{widths[1]}}  {'remote':<{widths[2]}}  verdict"
    print(header, file=out)
    print("-" * len(header + "----------"), file=out)
    for name, n, r in rows:
        print(f"{name:<{widths[0]}}  {n:<{widths[1]}}  {r:<{widths[2]}}  {verdict(n, r)}", file=out)
    counts = {}
    for name, n, r in rows:
        counts[verdict(n, r)] = counts.get(verdict(n, r), 0) + 1
    print("-" * len(header + "----------"), file=out)
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    print(f"{len(rows)} cases: {summary}; native {native.seconds:.1f} s, remote {remote.seconds:.1f} s", file=out)
    return rows


def print_details(rows, native, remote, out):
    for name, n, r in rows:
        if verdict(n, r) != "REMOTE BUG":
            continue
        print(f"\n==== {name}: native {n}, remote {r} ====", file=out)
        detail = remote.details.get(name, [])
        if len(detail) > DETAIL_LINES:
            detail = detail[:DETAIL_LINES] + [f"... ({len(detail) - DETAIL_LINES} more lines)\n"]
        print("".join(detail).rstrip(), file=out)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True, type=Path, help="the rcl_conformance executable")
    parser.add_argument("--server", type=Path, help="remote-cl-server (needed unless --only native)")
    parser.add_argument("--vendors", type=Path, help="OCL_ICD_VENDORS folder holding remote-cl.icd")
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="where the gtest JSON reports and report.json go (default: a temp folder)")
    parser.add_argument("--filter", default="", help="gtest filter, e.g. 'buffers.*:images.*'")
    parser.add_argument("--test-timeout", type=float, default=45.0,
                        help="seconds one case may run before it counts as hung (default 45)")
    parser.add_argument("--only", choices=["native", "remote"], help="run one mode only")
    parser.add_argument("--known-failures", type=Path, default=None,
                        help="a file naming cases known to fail remotely (one per line, # comments): "
                             "they are reported as 'known bug' and do not fail the run")
    arguments = parser.parse_args(argv)
    if arguments.only != "native" and (arguments.server is None or arguments.vendors is None):
        parser.error("--server and --vendors are needed for the remote run")
    return arguments


def main(argv):
    arguments = parse_arguments(argv)
    if arguments.output_dir is None:
        import tempfile
        arguments.output_dir = Path(tempfile.mkdtemp(prefix="rcl-conformance-"))
    arguments.output_dir.mkdir(parents=True, exist_ok=True)
    try:
        names = list_tests(arguments.binary, arguments.filter)
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"run_conformance: cannot list the cases of {arguments.binary}: {error}", file=sys.stderr)
        return 1
    if not names:
        print("run_conformance: no case matches the filter", file=sys.stderr)
        return 1

    native_env = dict(os.environ, RCL_TEST_MODE="native")
    remote_env = dict(os.environ, RCL_TEST_MODE="remote")
    if arguments.only != "native":
        remote_env["RCL_SERVER_BIN"] = str(arguments.server.resolve())
        remote_env["RCL_VENDORS_DIR"] = str(arguments.vendors.resolve())

    empty = ModeRun("skipped")
    native = empty
    remote = empty
    if arguments.only != "remote":
        print(f"run_conformance: {len(names)} cases natively ...", flush=True)
        native = run_mode("native", arguments.binary, native_env, names, arguments.output_dir,
                          arguments.test_timeout)
    if arguments.only != "native":
        print(f"run_conformance: {len(names)} cases through remote-cl ...", flush=True)
        remote = run_mode("remote", arguments.binary, remote_env, names, arguments.output_dir,
                          arguments.test_timeout)

    print()
    rows = print_table(names, native, remote, sys.stdout)
    print_details(rows, native, remote, sys.stdout)
    for error in native.errors + remote.errors:
        print(f"\nrun_conformance: {error}", file=sys.stderr)

    report = {
        "cases": [{"case": name, "native": n, "remote": r, "verdict": verdict(n, r),
                   "remote_output": "".join(remote.details.get(name, [])),
                   "native_output": "".join(native.details.get(name, []))} for name, n, r in rows],
        "gtest_reports": native.reports + remote.reports,
        "errors": native.errors + remote.errors,
    }
    (arguments.output_dir / "report.json").write_text(json.dumps(report, indent=2))
    print(f"\nrun_conformance: reports in {arguments.output_dir}")

    if native.errors or remote.errors:
        return 1
    known = read_known_failures(arguments.known_failures)
    bugs = [name for name, n, r in rows if verdict(n, r) == "REMOTE BUG"]
    unexpected = [name for name in bugs if name not in known]
    fixed = sorted(known - set(bugs))
    if known:
        print(f"run_conformance: {len(bugs) - len(unexpected)} known remote bug(s) "
              f"(listed in {arguments.known_failures}), {len(unexpected)} new")
    if fixed:
        print("run_conformance: listed as known but not failing now (take them off the list): " + ", ".join(fixed))
    if arguments.only is None and unexpected:
        return 1
    return 0


def read_known_failures(path):
    if path is None:
        return set()
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(line)
    return names


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
