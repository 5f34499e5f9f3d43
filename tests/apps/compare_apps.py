#!/usr/bin/env python3
"""Unmodified OpenCL programs from Debian's packages, run natively on PoCL and
through remote-cl (a real remote-cl-server on loopback, the real ICD loader
seeing only remote-cl.icd), with their outcomes side by side:

  clpeak             every test completes: the same result lines, each a number
                     (--clpeak-tests picks clpeak's tests; default: all of them)
  clblast_test_X     CLBlast's own correctness tests (xaxpy, xdot, xgemv, xgemm
                     by default): the same passed / skipped / failed counts, no failure
  hashcat -b -m 0    the MD5 benchmark prints a hash rate, no error

Exit code 1 if any program does not do remotely what it does natively.

usage: compare_apps.py --server remote-cl-server --vendors DIR [--apps clpeak,clblast,hashcat]
                       [--clpeak-tests all | global-bandwidth,compute-integer,...]
                       [--clblast-tests xaxpy,xdot,xgemv,xgemm]"""

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

WITH_SERVER = Path(__file__).resolve().parents[2] / "scripts" / "with-server.py"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TIMEOUT_SECONDS = 1200


def run(command, remote, args):
    """Runs command natively or through a fresh server: (exit code, output, seconds)."""
    if remote:
        command = [sys.executable, str(WITH_SERVER), "--server", args.server, "--vendors", args.vendors, "--", *command]
    start = time.monotonic()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                stdin=subprocess.DEVNULL)
        code, out = result.returncode, ANSI.sub("", result.stdout + result.stderr)
    except subprocess.TimeoutExpired as e:
        code, out = "timeout", ANSI.sub("", (e.stdout or b"").decode(errors="replace"))
    return code, out, time.monotonic() - start


def clpeak_outcome(code, out):
    """(ok, summary, comparable): every "name : number" line of clpeak's report."""
    lines = []
    section = ""
    for line in out.splitlines():
        if re.match(r"^\s{4}\S.*\S\s*$", line) and ":" not in line:
            section = line.strip()
        m = re.match(r"^\s+(\S.*?)\s*:\s*([-\d.]+)\s*$", line)
        if m:
            lines.append(f"{section} / {m.group(1)}")
    ok = code == 0 and len(lines) > 0 and "Kernel launch latency" in out
    return ok, f"{len(lines)} results", tuple(lines)


def clblast_outcome(code, out):
    """(ok, summary, comparable): the passed / skipped / failed totals."""
    totals = [0, 0, 0]
    for i, word in enumerate(["passed", "skipped", "failed"]):
        totals[i] = sum(int(n) for n in re.findall(rf"^\s+(\d+) test\(s\) {word}$", out, re.MULTILINE))
    ok = code == 0 and totals[0] > 0 and totals[2] == 0
    return ok, f"{totals[0]} passed / {totals[1]} skipped / {totals[2]} failed", tuple(totals)


def hashcat_outcome(code, out):
    """(ok, summary, comparable): a hash rate was printed, no error."""
    m = re.search(r"^Speed\.#1\.+:\s+([\d.]+ \S?H/s)", out, re.MULTILINE)
    errors = [l for l in out.splitlines() if re.search(r"\b(ERROR|error|failed)\b", l) and "Speed" not in l]
    ok = code == 0 and m is not None and not errors
    return ok, (m.group(1) if m else "no hash rate") + (f", {len(errors)} error lines" if errors else ""), ok


def cases(args):
    if "clpeak" in args.apps:
        tests = [] if args.clpeak_tests == ["all"] else [f"--{t}" for t in args.clpeak_tests]
        yield "clpeak", ["clpeak", *tests], clpeak_outcome
    if "clblast" in args.apps:
        for test in args.clblast_tests:
            yield f"clblast_test_{test}", [f"clblast_test_{test}"], clblast_outcome
    if "hashcat" in args.apps:
        # Its own session folder, so that runs never share a restore file or a lock.
        yield "hashcat -b -m 0", ["hashcat", "-b", "-m", "0", "--quiet"], hashcat_outcome


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--vendors", required=True)
    ap.add_argument("--apps", default="clpeak,clblast,hashcat", type=lambda s: s.split(","))
    ap.add_argument("--clpeak-tests", default="all", type=lambda s: s.split(","),
                    help="clpeak's own test flags without their dashes, or all")
    ap.add_argument("--clblast-tests", default="xaxpy,xdot,xgemv,xgemm", type=lambda s: s.split(","))
    args = ap.parse_args()

    rows, failed = [], False
    for name, command, outcome in cases(args):
        if shutil.which(command[0]) is None:
            print(f"{name}: {command[0]} is not installed (scripts/setup-deps.sh installs it)")
            rows.append((name, "not installed", "", "", ""))
            failed = True
            continue
        results = []
        for remote in (False, True):
            code, out, seconds = run(command, remote, args)
            ok, summary, comparable = outcome(code, out)
            results.append((ok, summary, comparable, seconds))
            if not ok:
                print(f"---- {name} {'remote' if remote else 'native'}: exit {code}\n{out[-4000:]}")
        (native_ok, native_summary, native_cmp, native_s), (remote_ok, remote_summary, remote_cmp, remote_s) = results
        same = native_cmp == remote_cmp
        verdict = "PASS" if native_ok and remote_ok and same else "FAIL"
        if verdict == "FAIL":
            failed = True
            if native_ok and remote_ok and not same:
                print(f"---- {name}: native and remote differ:\n  native {native_cmp}\n  remote {remote_cmp}")
        rows.append((name, f"{native_summary} ({native_s:.0f} s)", f"{remote_summary} ({remote_s:.0f} s)", verdict, ""))

    widths = [max(len(r[i]) for r in rows + [("program", "native", "remote-cl", "verdict", "")]) for i in range(4)]
    print()
    for row in [("program", "native", "remote-cl", "verdict", "")] + rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
