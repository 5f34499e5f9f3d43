#!/usr/bin/env python3
"""The remote-cl benchmark (issue 4): the same measurements natively, through remote-cl over
tcp://127.0.0.1 (no shared memory, REMOTE_CL_SHM=0: ZeroMQ and the bulk socket) and ipc:// with shared memory (the same-host
path), and on bare ZeroMQ, in one invocation; prints markdown tables with
the ratios and the targets (PASS/MISS; a MISS never fails the run, a measurement error does).

Usage:
    run_bench.py --bench build/bench/rcl-bench --server build/server/remote-cl-server
                 --vendors build/vendors [--clinfo clinfo] [--quick] [--json-out FILE]

Each OpenCL measurement runs in its own `rcl-bench measure --json` process (the ICD loader reads
its configuration once per process): natively without OCL_ICD_VENDORS, and through remote-cl with
OCL_ICD_VENDORS=<vendors> and REMOTE_CL_SERVERS=<endpoint> of a freshly started server whose own
environment has no OCL_ICD_VENDORS. Bare ZeroMQ: `rcl-bench zmq-echo` (ROUTER) and
`rcl-bench zmq-client` (DEALER) on the same kind of endpoint. Standard library only.
"""

import argparse
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READY_PREFIX = "listening on "
READY_TIMEOUT_SECONDS = 20
CHILD_TIMEOUT_SECONDS = 400
PR_SET_PDEATHSIG = 1
LIBC = ctypes.CDLL(None)

MiB = 1024 * 1024
SIZES = {"4KiB": 4 * 1024, "1MiB": MiB, "16MiB": 16 * MiB, "256MiB": 256 * MiB}


class MeasurementError(Exception):
    pass


def log(message):
    print(f"run_bench: {message}", file=sys.stderr, flush=True)


def native_environment():
    environment = dict(os.environ)
    environment.pop("OCL_ICD_VENDORS", None)
    return environment


def remote_environment(vendors, endpoint, shm):
    """`shm`: whether the client may move bulk data through shared memory (the same-host path);
    without it, everything goes through the socket."""
    environment = native_environment()
    environment["OCL_ICD_VENDORS"] = str(Path(vendors).resolve())
    environment["REMOTE_CL_SERVERS"] = endpoint
    environment["REMOTE_CL_SHM"] = "1" if shm else "0"
    return environment


def die_with_parent():
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def listening_process(command, environment):
    """Start a process that prints 'listening on ENDPOINT'; yield the endpoint (None if it never
    got ready, e.g. an endpoint kind it cannot listen on); always stop it."""
    log_file = tempfile.NamedTemporaryFile(prefix="rcl-bench-", suffix=".log", delete=False)
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                               env=environment, start_new_session=True, preexec_fn=die_with_parent)
    log_file.close()
    log_path = Path(log_file.name)
    keep_log = False
    try:
        endpoint = None
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while endpoint is None and process.poll() is None and time.monotonic() < deadline:
            for line in log_path.read_text(errors="replace").splitlines(keepends=True):
                if line.startswith(READY_PREFIX) and line.endswith("\n"):
                    endpoint = line[len(READY_PREFIX):].strip()
                    break
            else:
                time.sleep(0.05)
        if endpoint is None:
            keep_log = True
            log(f"{command[0]} did not get ready; its log: {log_path}\n{log_path.read_text(errors='replace')}")
        yield endpoint
    except BaseException:
        keep_log = True
        log(f"log of {' '.join(command)}: {log_path}")
        raise
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if not keep_log:
            log_path.unlink(missing_ok=True)


def run_json(command, environment, what):
    log(f"{what}: {' '.join(command)}")
    try:
        result = subprocess.run(command, env=environment, capture_output=True, text=True,
                                timeout=CHILD_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as error:
        raise MeasurementError(f"{what}: timed out after {CHILD_TIMEOUT_SECONDS} s") from error
    if result.returncode != 0:
        raise MeasurementError(f"{what}: exit code {result.returncode}\n{result.stderr.strip()}")
    if result.stderr.strip():
        log(f"{what} said on stderr:\n{result.stderr.strip()}")
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise MeasurementError(f"{what}: output is not JSON: {error}\n{result.stdout}") from error


# clinfo shows remote-cl's platform by its ICD suffix (its name is the real platform's).
REMOTE_CL_SUFFIX_LINE = r"Platform Extensions function suffix\s+RCL$"


def time_clinfo(clinfo, environment, runs, expect, what):
    """Median wall time of the whole clinfo process; a line of the output must match `expect`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run([clinfo], env=environment, capture_output=True, text=True,
                                timeout=CHILD_TIMEOUT_SECONDS)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise MeasurementError(f"clinfo {what}: exit code {result.returncode}\n{result.stderr}")
        if not re.search(expect, result.stdout, re.MULTILINE):
            raise MeasurementError(f"clinfo {what}: no line of its output matches {expect!r}")
    return statistics.median(times)


def ipc_endpoint(kind):
    return f"ipc://{tempfile.gettempdir()}/rcl-bench-{os.getpid()}-{kind}.sock"


def measure_remote(args, listen, clinfo_runs, shm):
    """remote-cl measurements against a fresh server listening on `listen`; None if the server
    cannot listen there. `shm`: see remote_environment."""
    mode = ["measure", "--json"] + (["--quick"] if args.quick else [])
    with listening_process([str(args.server), "--listen", listen], native_environment()) as endpoint:
        if endpoint is None:
            return None
        environment = remote_environment(args.vendors, endpoint, shm)
        results = run_json([str(args.bench)] + mode, environment, f"remote-cl {endpoint}")
        # The platform has the real one's name; remote-cl's own query says where it is.
        if results.get("remote_endpoint") != endpoint:
            raise MeasurementError(f"remote run on {endpoint} measured platform {results.get('platform')!r} "
                                   f"at {results.get('remote_endpoint')!r}")
        if args.clinfo:
            results["clinfo_s"] = time_clinfo(args.clinfo, environment, clinfo_runs, REMOTE_CL_SUFFIX_LINE,
                                              f"through {endpoint}")
        return results


def measure_remote_curve(args, keys_dir, lanes):
    """remote-cl over tcp://127.0.0.1 with CURVE keys, no shared memory: `lanes` True: big
    transfers on the session's encrypted lanes (AES-256-GCM, protocol/bulk_crypt.h); False:
    every byte on the CURVE sockets (REMOTE_CL_ENCRYPTED_LANES=0, what CURVE sessions did before)."""
    mode = ["measure", "--json"] + (["--quick"] if args.quick else [])
    server = [str(args.server), "--listen", "tcp://127.0.0.1:*",
              "--curve-secret-key-file", str(keys_dir / "server.key"),
              "--allowed-clients", str(keys_dir / "client.pub")]
    with listening_process(server, native_environment()) as endpoint:
        if endpoint is None:
            raise MeasurementError("remote-cl-server could not listen with CURVE keys")
        environment = remote_environment(args.vendors, endpoint, shm=False)
        environment["REMOTE_CL_CURVE_SERVER_KEY_FILE"] = str(keys_dir / "server.pub")
        environment["REMOTE_CL_CURVE_SECRET_KEY_FILE"] = str(keys_dir / "client.key")
        environment["REMOTE_CL_ENCRYPTED_LANES"] = "1" if lanes else "0"
        what = f"remote-cl {endpoint} CURVE{' + encrypted lanes' if lanes else ' only'}"
        return run_json([str(args.bench)] + mode, environment, what)


def curve_keys(args, folder):
    """A server and a client key pair in `folder` (remote-cl-keygen)."""
    for name in ("server", "client"):
        result = subprocess.run([str(args.keygen), "-o", str(folder / name)], capture_output=True, text=True)
        if result.returncode != 0:
            raise MeasurementError(f"remote-cl-keygen failed: {result.stderr.strip()}")
    return folder


def curve_table(r):
    """Encrypted lanes against plain lanes, measured in the same run (issue 16: ≥ 0.7x)."""
    plain, lanes, curve_only = r["tcp"], r["curve_lanes"], r.get("curve_only")
    lines = ["| measurement | plain lanes (no keys) | CURVE + encrypted lanes | encrypted / plain | "
             "target ≥ 0.7x | CURVE only (no lanes) |",
             "|---|---|---|---|---|---|"]
    for name, size in SIZES.items():
        if size < 16 * MiB or f"write_{name}_s" not in plain:
            continue
        for direction in ("write", "read"):
            key = f"{direction}_{name}_s"
            gbs = lambda res: size / res[key] / 1e9 if res and key in res else None
            ratio = gbs(lanes) / gbs(plain)
            only = gbs(curve_only)
            lines.append(f"| {direction} {name} (GB/s) | {gbs(plain):.2f} | {gbs(lanes):.2f} | {ratio:.2f} | "
                         f"{'PASS' if ratio >= 0.7 else 'MISS'} | {'n/a' if only is None else f'{only:.2f}'} |")
    key = "call_round_trip_us"
    ratio = lanes[key] / plain[key]
    only = f"{curve_only[key]:.1f}" if curve_only else "n/a"
    lines.append(f"| round trip of a call (clGetEventInfo, µs) | {plain[key]:.1f} | {lanes[key]:.1f} | "
                 f"{ratio:.2f} (time) | {'PASS' if ratio <= 1.15 else 'MISS'} (≤ 1.15x) | {only} |")
    return "\n".join(lines)


def measure_zmq(args, listen):
    quick = ["--quick"] if args.quick else []
    with listening_process([str(args.bench), "zmq-echo", "--listen", listen], native_environment()) as endpoint:
        if endpoint is None:
            raise MeasurementError(f"bare ZeroMQ echo could not listen on {listen}")
        return run_json([str(args.bench), "zmq-client", endpoint, "--json"] + quick, native_environment(),
                        f"bare ZeroMQ {endpoint}")


def measure_zmq_relayed(args):
    """Bare ZeroMQ round trip through a relay process (a ROUTER-DEALER proxy): what routing every
    frame through the listening server, instead of a session endpoint per worker, would cost."""
    quick = ["--quick"] if args.quick else []
    with listening_process([str(args.bench), "zmq-echo", "--listen", "tcp://127.0.0.1:*"],
                           native_environment()) as backend:
        if backend is None:
            raise MeasurementError("bare ZeroMQ echo could not listen")
        with listening_process([str(args.bench), "zmq-relay", "--listen", "tcp://127.0.0.1:*", backend],
                               native_environment()) as relay:
            if relay is None:
                raise MeasurementError("the ZeroMQ relay could not listen")
            return run_json([str(args.bench), "zmq-client", relay, "--json"] + quick, native_environment(),
                            f"bare ZeroMQ through a relay {relay}")


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
def fmt(value, digits=3):
    if value is None:
        return "n/a"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def throughput(results, key, size):
    """GB/s from a time in seconds, or None."""
    seconds = results.get(key) if results else None
    return size / seconds / 1e9 if seconds else None


def build_rows(r):
    """Rows of (label, {column: shown value}, slowdown basis) where the slowdown basis says how a
    remote value compares with native: 'time' (remote / native) or 'rate' (native / remote)."""
    native, tcp, ipc, ztcp, zipc, mem = (r.get(k) for k in ("native", "tcp", "ipc", "zmq_tcp", "zmq_ipc", "memcpy"))

    def get(results, key, scale=1.0):
        value = results.get(key) if results else None
        return None if value is None else value * scale

    rows = []

    def opencl_row(label, key, scale, basis, extra=None):
        cells = {"native": get(native, key, scale), "tcp": get(tcp, key, scale), "ipc": get(ipc, key, scale)}
        cells.update(extra or {})
        rows.append((label, cells, basis))

    opencl_row("clGetEventInfo CL_EVENT_REFERENCE_COUNT: a call's round trip (µs, median)", "call_round_trip_us", 1, "time")
    opencl_row("clFinish, idle queue (µs, median)", "finish_idle_us", 1, "time")
    rows.append(("round trip of a 32 B message (µs, median)",
                 {"ztcp": get(ztcp, "rtt_us"), "zipc": get(zipc, "rtt_us")}, None))
    opencl_row("clEnqueueNDRangeKernel, time on the calling thread (µs, median)", "enqueue_us", 1, "time")
    count = int(native["kernels_count"]) if native else 0
    opencl_row(f"{count:,} tiny kernels, clSetKernelArg each (kernels/s)", "kernels_per_s", 1, "rate")
    for name, size in SIZES.items():
        if not native or f"write_{name}_s" not in native:
            continue
        for direction, zkey in (("write", "up"), ("read", "down")):
            key = f"{direction}_{name}_s"
            if size < MiB:
                opencl_row(f"blocking {direction} {name}{' + clFinish' if direction == 'write' else ''} (µs, median)", key, 1e6, "time",
                           {"memcpy": get(mem, f"memcpy_{name}_s", 1e6)})
            else:
                cells = {c: throughput(res, key, size) for c, res in (("native", native), ("tcp", tcp), ("ipc", ipc))}
                if size >= 16 * MiB:  # bare ZeroMQ throughput is measured from 16 MiB on
                    cells["ztcp"] = throughput(ztcp, f"{zkey}_{name}_s", size)
                    cells["zipc"] = throughput(zipc, f"{zkey}_{name}_s", size)
                cells["memcpy"] = throughput(mem, f"memcpy_{name}_s", size)
                finish = " + clFinish" if direction == "write" else ""
                rows.append((f"blocking {direction} {name}{finish} (GB/s, median; bare ZeroMQ: best)", cells, "rate"))
    opencl_row("map (read+write) + unmap, 16 MiB (ms, median)", "map_16MiB_s", 1e3, "time")
    opencl_row("clBuildProgram, small kernel, unique source (ms, median)", "build_s", 1e3, "time")
    n = int(native["sgemm_n"]) if native else 0
    opencl_row(f"SGEMM n={n}: write A, B, tiled kernel, read C (s)", "sgemm_s", 1, "time")
    opencl_row("clinfo, whole process (ms, median)", "clinfo_s", 1e3, "time")
    return rows


def slowdown(cells, column, basis):
    native, value = cells.get("native"), cells.get(column)
    if basis is None or not native or not value:
        return None
    return value / native if basis == "time" else native / value


def results_table(r):
    header = ("| measurement | native | remote-cl tcp | remote-cl ipc + shm | bare ZeroMQ tcp | bare ZeroMQ ipc "
              "| memcpy | tcp slowdown | ipc slowdown |")
    lines = [header, "|" + "---|" * 9]
    for label, cells, basis in build_rows(r):
        shown = [fmt(cells[c]) if c in cells else "" for c in ("native", "tcp", "ipc", "ztcp", "zipc", "memcpy")]
        if r.get("ipc") is None and "ipc" in cells:
            shown[2] = "n/a"
        ratios = [fmt(slowdown(cells, c, basis)) + "x" if slowdown(cells, c, basis) else "" for c in ("tcp", "ipc")]
        lines.append(f"| {label} | " + " | ".join(shown + ratios) + " |")
    return "\n".join(lines)


def targets_table(r):
    native, mem = r.get("native"), r.get("memcpy")
    ends = {"tcp": (r.get("tcp"), r.get("zmq_tcp")), "ipc": (r.get("ipc"), r.get("zmq_ipc"))}

    def cell(ratio, ok):
        if ratio is None:
            return "n/a"
        return f"{ratio:.3g} {'PASS' if ok else 'MISS'}"

    rows = []

    def row(target, compute):
        cells = []
        for end, (remote, zmq) in ends.items():
            try:
                value = compute(end, remote, zmq) if remote else None
            except (KeyError, TypeError, ZeroDivisionError):
                value = None
            cells.append(cell(*value) if value else "n/a")
        rows.append(f"| {target} | " + " | ".join(cells) + " |")

    for key, label in (("call_round_trip_us", "clGetEventInfo"), ("finish_idle_us", "clFinish")):
        row(f"{label} ≤ 1.25x the bare ZeroMQ round trip (same endpoint)",
            lambda end, remote, zmq, key=key: (remote[key] / zmq["rtt_us"], remote[key] / zmq["rtt_us"] <= 1.25))
    row("client-side clEnqueueNDRangeKernel < 2 µs median (value in µs)",
        lambda end, remote, zmq: (remote["enqueue_us"], remote["enqueue_us"] < 2.0))
    # Issue 16: a small blocking transfer costs at most a quarter more than a bare round trip on
    # the same endpoint plus the native transfer (ratio: remote time / that sum).
    if "write_4KiB_s" in native:
        for direction, what in (("read", "blocking read 4KiB"), ("write", "blocking write 4KiB + clFinish")):
            def small(end, remote, zmq, key=f"{direction}_4KiB_s"):
                ratio = remote[key] * 1e6 / (zmq["rtt_us"] + native[key] * 1e6)
                return ratio, ratio <= 1.25
            row(f"{what} ≤ 1.25x (bare ZeroMQ round trip + native time)", small)
    row(f"{int(native['kernels_count']):,} tiny kernels ≥ 0.3x the native rate",
        lambda end, remote, zmq: (remote["kernels_per_s"] / native["kernels_per_s"],
                                  remote["kernels_per_s"] / native["kernels_per_s"] >= 0.3))
    for name, size in SIZES.items():
        if size < 16 * MiB or f"write_{name}_s" not in native:
            continue
        for direction, zkey in (("write", "up"), ("read", "down")):
            def transfer(end, remote, zmq, name=name, direction=direction, zkey=zkey):
                seconds = remote[f"{direction}_{name}_s"]
                if end == "tcp":
                    ratio = zmq[f"{zkey}_{name}_s"] / seconds
                    return ratio, ratio >= 0.9
                ratio = mem[f"memcpy_{name}_s"] / seconds
                return ratio, ratio >= 0.6
            row(f"{direction} {name}: tcp ≥ 0.9x best bare ZeroMQ tcp; ipc (same host) ≥ 0.6x memcpy", transfer)
    row(f"SGEMM n={int(native['sgemm_n'])} ≤ 1.15x native time",
        lambda end, remote, zmq: (remote["sgemm_s"] / native["sgemm_s"], remote["sgemm_s"] / native["sgemm_s"] <= 1.15))
    if "clinfo_s" in native:
        row("clinfo ≤ 3x native time",
            lambda end, remote, zmq: (remote["clinfo_s"] / native["clinfo_s"],
                                      remote["clinfo_s"] / native["clinfo_s"] <= 3.0))
    header = "| target | remote-cl tcp | remote-cl ipc + shm |\n|---|---|---|"
    return header + "\n" + "\n".join(rows)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", required=True, type=Path, help="the rcl-bench executable")
    parser.add_argument("--server", required=True, type=Path, help="the remote-cl-server executable")
    parser.add_argument("--vendors", required=True, type=Path, help="OCL_ICD_VENDORS folder holding remote-cl.icd")
    parser.add_argument("--clinfo", default=shutil.which("clinfo"), help="clinfo executable (default: from PATH)")
    parser.add_argument("--quick", action="store_true", help="small sizes and counts (under a minute)")
    parser.add_argument("--json-out", type=Path, help="also write every raw number to this file")
    parser.add_argument("--keygen", type=Path,
                        help="remote-cl-keygen, for the CURVE rows (default: tools/remote-cl-keygen next to "
                             "the server's folder; without one the rows are left out)")
    parser.add_argument("--curve-only", action="store_true",
                        help="only the CURVE rows: plain lanes, CURVE + encrypted lanes, CURVE alone")
    args = parser.parse_args(argv)
    if args.keygen is None:
        guess = args.server.resolve().parent.parent / "tools" / "remote-cl-keygen"
        args.keygen = guess if guess.exists() else None
    if args.keygen is None:
        log("remote-cl-keygen not found: the CURVE rows are left out")
    if not args.clinfo:
        log("clinfo not found: its row is left out")
    return args


def main(argv):
    args = parse_arguments(argv)
    quick = ["--quick"] if args.quick else []
    clinfo_runs = 3 if args.quick else 10
    r = {}
    started = time.monotonic()
    if args.curve_only:
        return curve_main(args, r, started)
    try:
        r["memcpy"] = run_json([str(args.bench), "memcpy", "--json"] + quick, native_environment(), "memcpy")
        r["native"] = run_json([str(args.bench), "measure", "--json"] + quick, native_environment(), "native")
        if args.clinfo:
            r["native"]["clinfo_s"] = time_clinfo(args.clinfo, native_environment(), clinfo_runs,
                                                  "Platform Name", "native")
        r["tcp"] = measure_remote(args, "tcp://127.0.0.1:*", clinfo_runs, shm=False)
        if r["tcp"] is None:
            raise MeasurementError("remote-cl-server could not listen on tcp://127.0.0.1:*")
        r["ipc"] = measure_remote(args, ipc_endpoint("server"), clinfo_runs, shm=True)
        if r["ipc"] is None:
            log("remote-cl-server cannot listen on ipc://: its column says n/a")
        r["zmq_tcp"] = measure_zmq(args, "tcp://127.0.0.1:*")
        r["zmq_ipc"] = measure_zmq(args, ipc_endpoint("zmq"))
        r["zmq_relayed"] = measure_zmq_relayed(args)
        if args.keygen:
            with tempfile.TemporaryDirectory(prefix="rcl-bench-keys-") as folder:
                keys = curve_keys(args, Path(folder))
                r["curve_lanes"] = measure_remote_curve(args, keys, lanes=True)
    except MeasurementError as error:
        log(f"FAILED: {error}")
        return 1
    finally:
        for kind in ("server", "zmq"):
            Path(ipc_endpoint(kind)[len("ipc://"):]).unlink(missing_ok=True)

    if args.json_out:
        args.json_out.write_text(json.dumps(r, indent=2) + "\n")
    native = r["native"]
    print(f"# remote-cl benchmark{' (--quick)' if args.quick else ''}\n")
    print(f"Platform: {native['platform']} ({native['platform_version']}), device {native['device']}; "
          f"{os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M')}; "
          f"run took {time.monotonic() - started:.0f} s.\n")
    print(results_table(r))
    print("\nslowdown: remote time / native time (for rates and throughputs: native / remote); "
          "above 1 is slower.\n")
    print(targets_table(r))
    direct, relayed = r["zmq_tcp"]["rtt_us"], r["zmq_relayed"]["rtt_us"]
    print(f"\nHow frames reach a session's worker (bare ZeroMQ over tcp, small message round trip): "
          f"straight to the worker's own endpoint (what remote-cl does) {direct:.1f} us; through a relay "
          f"process, as routing through the listening server would be, {relayed:.1f} us "
          f"(+{relayed - direct:.1f} us, {relayed / direct:.2f}x).\n")
    if "curve_lanes" in r:
        print("## With CURVE keys: encrypted lanes against plain lanes (same run)\n")
        print(curve_table(r) + "\n")
    print("ratios: call / bare ZeroMQ round trip; remote rate / native rate; "
          "remote throughput / bare ZeroMQ or memcpy throughput; remote time / native time. "
          "A MISS does not fail the run.")
    return 0


def curve_main(args, r, started):
    """--curve-only: plain lanes, CURVE + encrypted lanes and CURVE alone, one after another."""
    args.clinfo = None
    if not args.keygen:
        log("FAILED: --curve-only needs remote-cl-keygen (--keygen)")
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="rcl-bench-keys-") as folder:
            keys = curve_keys(args, Path(folder))
            r["tcp"] = measure_remote(args, "tcp://127.0.0.1:*", 0, shm=False)
            r["curve_lanes"] = measure_remote_curve(args, keys, lanes=True)
            r["curve_only"] = measure_remote_curve(args, keys, lanes=False)
    except MeasurementError as error:
        log(f"FAILED: {error}")
        return 1
    if args.json_out:
        args.json_out.write_text(json.dumps(r, indent=2) + "\n")
    print(f"# remote-cl benchmark, CURVE rows{' (--quick)' if args.quick else ''}\n")
    print(f"{os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M')}; run took {time.monotonic() - started:.0f} s.\n")
    print(curve_table(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
