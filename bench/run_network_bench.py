#!/usr/bin/env python3
"""remote-cl over an emulated network (issue 16, parts 3 and 4): the delay line of
../shared/tools/delayline (two network namespaces joined by a userspace TUN delay line) at each
RTT asked (1 and 10 ms by default, no rate cap), a real remote-cl-server in the server namespace
(tcp://127.0.10.2), the client in the client namespace; natively and over loopback tcp (root
namespace) in the same run; plain text (server --insecure) and, side by side, encrypted (server
with CURVE keys, client with the keys, encrypted lanes on); prints markdown tables with ratios and
the issue's targets (PASS/MISS; a MISS never fails the run, a measurement error does).

Usage (as root):
    run_network_bench.py [--rtt 1,10] [--rate MBIT] [--quick] [--no-encrypted]
        [--bench build/bench/rcl-bench] [--server build/server/remote-cl-server]
        [--vendors build/vendors] [--keygen build/tools/remote-cl-keygen] [--json-out FILE]

Per RTT: ping and a bare TCP request/response round trip and stream (tcprr.py), then through
remote-cl: `rcl-bench measure` (calls, tiny kernels, 16 MiB and (not --quick) 256 MiB write/read,
SGEMM; REMOTE_CL_SHM=0), clinfo, and clblast_test_xaxpy with REMOTE_CL_TRACE (its round trips
from the summary's `total` row); then against a server with CURVE keys (remote-cl-keygen; the
same-host paths off: REMOTE_CL_SHM=0, tcp) `rcl-bench measure` of the round trip and the
transfers (RCL_BENCH_PARTS=roundtrips,transfers) with the session's encrypted lanes
(AES-256-GCM), and the same over loopback. With --rate, each RTT once more on a link capped at
RATE Mbit/s each way (netdelay.sh up RTT RATE, MTU 1500): the network's limit and plain against
encrypted transfers and round trip. The delay line is always put down at the end, also on an
error, SIGINT or SIGTERM. Standard library only; reuses run_bench.py's helpers.
"""

import argparse
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_bench  # noqa: E402
from run_bench import MeasurementError, fmt, listening_process, native_environment, run_json  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DELAYLINE = REPO.parent / "shared" / "tools" / "delayline"
SERVER_IP = "127.0.10.2"
MiB = 1024 * 1024
TIMEOUT = 300


def log(message):
    print(f"run_network_bench: {message}", file=sys.stderr, flush=True)


class DelayLine:
    """netdelay.sh with namespaces of our own (NETDELAY_{CLIENT,SERVER}_NS), so that another
    user of the default names is never disturbed."""

    def __init__(self, folder, client_ns, server_ns):
        self.script = str(Path(folder) / "netdelay.sh")
        self.tcprr = str(Path(folder) / "tcprr.py")
        self.env = dict(os.environ, NETDELAY_CLIENT_NS=client_ns, NETDELAY_SERVER_NS=server_ns,
                        NETDELAY_SERVER_IP=SERVER_IP)
        self.client_ns, self.server_ns = client_ns, server_ns
        self.up_now = False

    def _run(self, *words):
        result = subprocess.run([self.script, *words], env=self.env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise MeasurementError(f"netdelay.sh {' '.join(words)}: exit {result.returncode}\n"
                                   f"{result.stdout}{result.stderr}")
        return result.stdout.strip()

    def up(self, rtt_ms, rate_mbit=None):
        if Path(f"/var/run/netns/{self.client_ns}").exists() or Path(f"/var/run/netns/{self.server_ns}").exists():
            log(f"namespaces {self.client_ns}/{self.server_ns} left over from an earlier run: putting them down")
            self.down()
        self.up_now = True
        log(self._run("up", str(rtt_ms), *([f"{rate_mbit:g}"] if rate_mbit else [])))

    def set(self, rtt_ms):
        log(self._run("set", str(rtt_ms)))

    def drops(self):
        """Packets the delay line's rate cap dropped since it started ("A->B B->A"), from `status`."""
        self._run("status")  # SIGUSR1: the delay line appends its counts to its log
        time.sleep(0.5)
        log_file = Path(f"/run/netdelay-{self.client_ns}-{self.server_ns}/delayline.log")
        out = log_file.read_text(errors="replace") if log_file.exists() else ""
        counts = re.findall(r"delayline ([AB]->[AB]):.*?rate-queue (\d+)", out)
        names = {"A->B": "client → server", "B->A": "server → client"}
        return " / ".join(f"{names[d]} {count}" for d, count in counts[-2:]) or "n/a"

    def down(self):
        try:
            log(self._run("down"))
        except Exception as error:  # noqa: BLE001 - report, never hide the first error
            log(f"putting the delay line down failed: {error}")
        self.up_now = False

    def client(self, command):
        return ["ip", "netns", "exec", self.client_ns, *command]

    def server(self, command):
        return ["ip", "netns", "exec", self.server_ns, *command]


def run_checked(command, environment, what, timeout=TIMEOUT):
    try:
        result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise MeasurementError(f"{what}: timed out after {timeout} s") from error
    if result.returncode != 0:
        raise MeasurementError(f"{what}: exit code {result.returncode}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


def remote_env(vendors, endpoint, trace=None, keys=None):
    """The client's environment: tcp only (REMOTE_CL_SHM=0); with `keys` (a folder of
    remote-cl-keygen's server and client pairs) CURVE and the session's encrypted lanes."""
    environment = run_bench.remote_environment(vendors, endpoint, shm=False)
    if trace:
        environment["REMOTE_CL_TRACE"] = trace
    if keys:
        environment["REMOTE_CL_CURVE_SERVER_KEY_FILE"] = str(Path(keys) / "server.pub")
        environment["REMOTE_CL_CURVE_SECRET_KEY_FILE"] = str(Path(keys) / "client.key")
        environment["REMOTE_CL_ENCRYPTED_LANES"] = "1"
    return environment


def server_command(args, listen, keys=None):
    """remote-cl-server on `listen`: --insecure, or with CURVE keys (only the client's key allowed)."""
    if keys is None:
        return [str(args.server), "--listen", listen, "--insecure"]
    return [str(args.server), "--listen", listen, "--curve-secret-key-file", str(Path(keys) / "server.key"),
            "--allowed-clients", str(Path(keys) / "client.pub")]


def total_round_trips(stderr):
    """Round trips of the trace summary's `total` row (columns: call calls errors time round-trips ...)."""
    for line in stderr.splitlines():
        words = line.split()
        if len(words) >= 7 and words[0] == "total":
            return int(words[4])
    raise MeasurementError("no `total` row in the REMOTE_CL_TRACE summary:\n" + stderr[-2000:])


def time_xaxpy(xaxpy, environment, runs, wrap, traced, what):
    """Median wall time of clblast_test_xaxpy (and the round trips of its traced runs)."""
    times, trips, summary = [], [], None
    for i in range(runs):
        env = dict(environment)
        trace_file = None
        if traced:
            trace_file = tempfile.NamedTemporaryFile(prefix="rcl-netbench-trace-", suffix=".json", delete=False).name
            env["REMOTE_CL_TRACE"] = trace_file
        log(f"{what}: clblast_test_xaxpy ({i + 1}/{runs})")
        start = time.perf_counter()
        result = run_checked(wrap([xaxpy]), env, f"clblast_test_xaxpy {what}")
        times.append(time.perf_counter() - start)
        if trace_file:
            Path(trace_file).unlink(missing_ok=True)
            trips.append(total_round_trips(result.stderr))
            summary = trace_rows(result.stderr)
        if not re.search(r"PASS|Pass|pass", result.stdout + result.stderr):
            raise MeasurementError(f"clblast_test_xaxpy {what}: no test passed?\n{result.stdout[-1500:]}")
    return {"xaxpy_s": statistics.median(times), "xaxpy_all_s": times,
            **({"xaxpy_round_trips": int(statistics.median(trips)), "xaxpy_trace": summary} if trips else {})}


def trace_rows(stderr):
    """{call: [calls, time ms, round trips]} from the REMOTE_CL_TRACE summary (the last run's)."""
    rows, inside = {}, False
    for line in stderr.splitlines():
        if line.startswith("remote-cl trace summary"):
            inside = True
            continue
        words = line.split()
        if inside and len(words) == 7 and words[1].isdigit():
            rows[words[0]] = [int(words[1]), float(words[3]), int(words[4])]
        elif inside and words and words[0] == "command":
            break
    return rows


def time_clinfo(clinfo, environment, runs, wrap, expect, what):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = run_checked(wrap([clinfo]), environment, f"clinfo {what}")
        times.append(time.perf_counter() - start)
        if not re.search(expect, result.stdout, re.MULTILINE):
            raise MeasurementError(f"clinfo {what}: no line matches {expect!r}")
    return statistics.median(times)


def measure(args, environment, wrap, what, calls=None, parts=None):
    command = wrap([str(args.bench), "measure", "--json"] + (["--quick"] if args.quick else []))
    if calls:
        environment = dict(environment, RCL_BENCH_CALLS=str(calls))
    if parts:
        environment = dict(environment, RCL_BENCH_PARTS=parts)
    return run_json(command, environment, what)


def network_limit(dl, rtt, quick, port):
    """ping, bare TCP round trip and client -> server stream on the link, with tcprr.py."""
    r = {}
    if not shutil.which("ping"):
        log("ping not found (Debian: iputils-ping): its row says n/a")
        out = None
    else:
        out = run_checked(dl.client(["ping", "-q", "-c", "20" if quick else "50", "-i", "0.02", SERVER_IP]),
                          None, "ping").stdout
        match = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/", out)
        if not match:
            raise MeasurementError(f"ping: no rtt line\n{out}")
        r["ping_avg_ms"] = float(match.group(2))
    server = subprocess.Popen(dl.server(["python3", dl.tcprr, "server", SERVER_IP, str(port)]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        bulk_mb = 64 if quick else 256
        requests = 100 if rtt >= 5 else 300
        for attempt in range(20):
            time.sleep(0.2)
            result = subprocess.run(dl.client(["python3", dl.tcprr, "client", SERVER_IP, str(port), str(requests),
                                               "64", str(bulk_mb)]), capture_output=True, text=True, timeout=TIMEOUT)
            if result.returncode == 0 or "Connection refused" not in result.stderr:
                break
        if result.returncode != 0:
            raise MeasurementError(f"tcprr client: exit {result.returncode}\n{result.stdout}{result.stderr}")
        rr = re.search(r"rr 64B x\d+ on port \d+: p50 ([\d.]+) ms", result.stdout)
        bulk = re.search(r"bulk \d+ MiB: ([\d.]+) MB/s", result.stdout)
        if not rr or not bulk:
            raise MeasurementError(f"tcprr: unexpected output\n{result.stdout}")
        r["tcp_rr_ms"] = float(rr.group(1))
        r["tcp_stream_GBps"] = float(bulk.group(1)) / 1000
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    return r


def remote_set(args, environment_wrap, endpoint, what, calls):
    """Everything through remote-cl against a server at `endpoint`."""
    wrap = environment_wrap
    env = remote_env(args.vendors, endpoint)
    r = measure(args, env, wrap, f"rcl-bench {what}", calls)
    if r.get("remote_endpoint") != endpoint:
        raise MeasurementError(f"{what}: measured {r.get('remote_endpoint')!r}, not {endpoint}")
    if args.clinfo:
        r["clinfo_s"] = time_clinfo(args.clinfo, env, args.clinfo_runs, wrap, run_bench.REMOTE_CL_SUFFIX_LINE, what)
    if args.xaxpy:
        r.update(time_xaxpy(args.xaxpy, env, args.xaxpy_runs, wrap, True, what))
    return r


BULK_PARTS = "roundtrips,transfers"


def bulk_set(args, wrap, endpoint, what, calls, keys):
    """The round trip and the transfers only (RCL_BENCH_PARTS), plain (`keys` None) or with CURVE
    keys and encrypted lanes."""
    env = remote_env(args.vendors, endpoint, keys=keys)
    r = measure(args, env, wrap, f"rcl-bench {what}", calls, BULK_PARTS)
    if r.get("remote_endpoint") != endpoint:
        raise MeasurementError(f"{what}: measured {r.get('remote_endpoint')!r}, not {endpoint}")
    return r


def served(args, dl, listen, keys, what, body):
    """body(endpoint) against a fresh remote-cl-server listening on `listen` in the server
    namespace (dl None: the root namespace), --insecure or with the CURVE `keys`."""
    command = server_command(args, listen, keys)
    with listening_process(dl.server(command) if dl else command, native_environment()) as ep:
        if ep is None:
            raise MeasurementError(f"remote-cl-server could not listen on {listen} ({what})")
        return body(ep)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
ROWS = [  # label, key, scale, basis ('time': larger is slower; 'rate': larger is faster)
    ("clGetEventInfo CL_EVENT_REFERENCE_COUNT: round trip of a call (ms, median)", "call_round_trip_us", 1e-3, "time"),
    ("clFinish, idle queue (ms, median)", "finish_idle_us", 1e-3, "time"),
    ("tiny kernels, clSetKernelArg each + clFinish (kernels/s)", "kernels_per_s", 1, "rate"),
    ("blocking write 16 MiB + clFinish (GB/s, median)", "write_16MiB_s", None, "rate"),
    ("blocking read 16 MiB (GB/s, median)", "read_16MiB_s", None, "rate"),
    ("blocking write 4 KiB + clFinish (ms, median)", "write_4KiB_s", 1e3, "time"),
    ("blocking read 4 KiB (ms, median)", "read_4KiB_s", 1e3, "time"),
    ("clBuildProgram, small kernel (ms, median)", "build_s", 1e3, "time"),
    ("SGEMM n=N: write A, B, kernel, read C (s)", "sgemm_s", 1, "time"),
    ("clinfo, whole process (s, median)", "clinfo_s", 1, "time"),
    ("clblast_test_xaxpy, whole process (s, median)", "xaxpy_s", 1, "time"),
    ("clblast_test_xaxpy round trips (REMOTE_CL_TRACE total)", "xaxpy_round_trips", 1, None),
]


def value(results, key, scale):
    if not results or results.get(key) is None:
        return None
    if scale is None:  # seconds for 16 MiB -> GB/s
        return 16 * MiB / results[key] / 1e9
    return results[key] * scale


def ratio(a, b, basis):
    if basis is None or a is None or b is None or not a or not b:
        return None
    return a / b if basis == "time" else b / a


def results_table(r, rtts):
    columns = [("native", r["native"]), ("loopback tcp", r["loopback"])] + [(f"{t:g} ms RTT", r["rtt"][t]) for t in rtts]
    header = "| measurement | " + " | ".join(c for c, _ in columns)
    header += "".join(f" | {t:g} ms ÷ native | {t:g} ms ÷ loopback" for t in rtts) + " |"
    lines = [header, "|" + "---|" * (1 + len(columns) + 2 * len(rtts))]
    net = [("ping, average (ms)", "ping_avg_ms"), ("bare TCP 64 B request/response, p50 (ms)", "tcp_rr_ms"),
           ("bare TCP stream client → server (GB/s)", "tcp_stream_GBps")]
    for label, key in net:
        cells = ["", ""] + [fmt(r["rtt"][t]["net"].get(key)) for t in rtts]
        lines.append(f"| {label} | " + " | ".join(cells) + " |" + " |" * (2 * len(rtts)))
    n = int(r["native"].get("sgemm_n", 0))
    for label, key, scale, basis in ROWS:
        label = label.replace("n=N", f"n={n}")
        native, loop = value(r["native"], key, scale), value(r["loopback"], key, scale)
        at = {t: value(r["rtt"][t], key, scale) for t in rtts}
        if native is None and loop is None and all(v is None for v in at.values()):
            continue
        cells = [fmt(native) if native is not None else "", fmt(loop)] + [fmt(at[t]) for t in rtts]
        for t in rtts:
            for base in (native, loop):
                q = ratio(at[t], base, basis)
                cells.append(f"{fmt(q)}x" if q else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    # what a call costs above the link's own round trip
    cells = ["", fmt(r["loopback"]["call_round_trip_us"] / 1e3)]
    for t in rtts:
        over = r["rtt"][t]["call_round_trip_us"] / 1e3 - r["rtt"][t]["net"]["tcp_rr_ms"]
        cells.append(f"+{fmt(over)}" if over >= 0 else fmt(over))
    lines.append("| call round trip − bare TCP round trip (ms) | " + " | ".join(cells) + " |" + " |" * (2 * len(rtts)))
    return "\n".join(lines)


BULK_ROWS = [  # label, key, bytes (None: a call's round trip, µs in the results)
    ("round trip of a call (clGetEventInfo, ms)", "call_round_trip_us", None),
    ("blocking write 16 MiB + clFinish (GB/s)", "write_16MiB_s", 16 * MiB),
    ("blocking read 16 MiB (GB/s)", "read_16MiB_s", 16 * MiB),
    ("blocking write 256 MiB + clFinish (GB/s)", "write_256MiB_s", 256 * MiB),
    ("blocking read 256 MiB (GB/s)", "read_256MiB_s", 256 * MiB),
]


def encrypted_links(r):
    """[(column name, plain results, encrypted results, network limit or None)] measured."""
    links = []
    if r.get("loopback_enc"):
        links.append(("loopback tcp", r["loopback"], r["loopback_enc"], None))
    for t, res in r["rtt"].items():
        if res.get("enc"):
            links.append((f"{t:g} ms RTT", res, res["enc"], res["net"]))
    rate = r.get("rate")
    for t, res in (rate or {}).get("rtt", {}).items():  # with --no-encrypted: plain only
        links.append((f"{t:g} ms, {rate['mbit']:g} Mbit/s", res["plain"], res.get("enc") or {}, res["net"]))
    return links


def encrypted_table(r):
    """Plain against encrypted (CURVE + encrypted lanes) per link: plain / encrypted (ratio, verdict);
    targets of issue 16: transfers ≥ 0.7x plain, a call's round trip ≤ 1.15x plain."""
    links = encrypted_links(r)
    if not links:
        return ""
    lines = ["| plain / encrypted (encrypted ÷ plain, target) | " + " | ".join(n for n, *_ in links) + " |",
             "|" + "---|" * (1 + len(links))]
    cells = [fmt(net.get("tcp_stream_GBps")) if net else "" for _, _, _, net in links]
    lines.append("| the wire: bare TCP stream client → server, one connection (GB/s) | " + " | ".join(cells) + " |")
    if any(net and net.get("rate_drops") for *_, net in links):
        cells = [net.get("rate_drops", "") if net else "" for *_, net in links]
        lines.append("| packets the rate cap dropped (whole set: stream, plain, encrypted) | " + " | ".join(cells) + " |")
    for label, key, size in BULK_ROWS:
        cells, seen = [], False
        for _, plain, enc, _ in links:
            if plain.get(key) is None:
                cells.append("")
                continue
            seen = True
            if enc.get(key) is None:  # no encrypted set (--no-encrypted)
                cells.append(fmt(plain[key] / 1e3 if size is None else size / plain[key] / 1e9) + " / –")
                continue
            if size is None:  # a time: smaller is better
                p, e = plain[key] / 1e3, enc[key] / 1e3
                q = e / p
                cells.append(f"{fmt(p)} / {fmt(e)} ({fmt(q)}x, ≤ 1.15x {'PASS' if q <= 1.15 else 'MISS'})")
            else:
                p, e = size / plain[key] / 1e9, size / enc[key] / 1e9
                q = e / p
                cells.append(f"{fmt(p)} / {fmt(e)} ({fmt(q)}x, ≥ 0.7x {'PASS' if q >= 0.7 else 'MISS'})")
        if seen:
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets_table(r, rtts):
    lines = ["| target | measured | limit | verdict |", "|---|---|---|---|"]
    loop = r["loopback"].get("xaxpy_s")
    if loop is None:
        return "(clblast_test_xaxpy not run: no targets)"
    for t in rtts:
        got = r["rtt"][t]["xaxpy_s"]
        if abs(t - 1) < 1e-9:
            limit = 1.5 * loop
            what = f"1 ms: clblast_test_xaxpy ≤ 1.5x loopback ({fmt(loop)} s)"
        else:
            trips = r["rtt"][t]["xaxpy_round_trips"]
            limit = 1.2 * (loop + trips * t / 1e3)
            what = (f"{t:g} ms: clblast_test_xaxpy ≤ (loopback {fmt(loop)} s + {trips:,} round trips × {t:g} ms) "
                    f"× 1.2")
        verdict = "PASS" if got <= limit else "MISS"
        lines.append(f"| {what} | {fmt(got)} s ({fmt(got / loop)}x loopback) | {fmt(limit)} s | {verdict} |")
    return "\n".join(lines)


def trace_table(r, rtts, top=8):
    """Where clblast_test_xaxpy's time goes: the calls taking the most time at the largest RTT."""
    sets = [("loopback", r["loopback"])] + [(f"{t:g} ms", r["rtt"][t]) for t in rtts]
    if not all(res.get("xaxpy_trace") for _, res in sets):
        return ""
    last = sets[-1][1]["xaxpy_trace"]
    names = sorted((n for n in last if n != "total"), key=lambda n: -last[n][1])[:top] + ["total"]
    lines = ["| call (clblast_test_xaxpy, last run) | calls | " +
             " | ".join(f"{name}: time in the call (ms) / round trips" for name, _ in sets) + " |",
             "|" + "---|" * (2 + len(sets))]
    for n in names:
        cells = [f"{res['xaxpy_trace'].get(n, [0, 0, 0])[1]:.0f} / {res['xaxpy_trace'].get(n, [0, 0, 0])[2]}"
                 for _, res in sets]
        lines.append(f"| {n} | {last[n][0]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    build = REPO / "build"
    parser.add_argument("--bench", type=Path, default=build / "bench" / "rcl-bench")
    parser.add_argument("--server", type=Path, default=build / "server" / "remote-cl-server")
    parser.add_argument("--vendors", type=Path, default=build / "vendors")
    parser.add_argument("--delayline", type=Path, default=DEFAULT_DELAYLINE, help="folder of netdelay.sh, tcprr.py")
    parser.add_argument("--clinfo", default=shutil.which("clinfo"), help="clinfo (default: from PATH; none: no row)")
    parser.add_argument("--xaxpy", default="/usr/bin/clblast_test_xaxpy" if Path("/usr/bin/clblast_test_xaxpy").exists()
                        else None, help="CLBlast's test binary (default /usr/bin/clblast_test_xaxpy)")
    parser.add_argument("--rtt", default="1,10", help="RTTs in ms, comma-separated (default 1,10)")
    parser.add_argument("--quick", action="store_true", help="rcl-bench --quick, one xaxpy and fewer clinfo runs")
    parser.add_argument("--keygen", type=Path, default=build / "tools" / "remote-cl-keygen",
                        help="remote-cl-keygen, for the encrypted columns (CURVE keys)")
    parser.add_argument("--no-encrypted", action="store_true",
                        help="plain text only (no server with CURVE keys, no encrypted lanes)")
    parser.add_argument("--rate", type=float, default=0,
                        help="also each RTT on a link capped at RATE Mbit/s each way (plain and encrypted "
                             "transfers and round trip; default 0: none)")
    parser.add_argument("--port", type=int, default=0, help="server port on 127.0.10.2 (default: any free one)")
    parser.add_argument("--namespaces", default="rclnb-c,rclnb-s", help="client,server namespace names")
    parser.add_argument("--json-out", type=Path, help="also write every raw number to this file")
    args = parser.parse_args(argv)
    args.rtts = [float(x) for x in args.rtt.split(",") if x.strip()]
    args.clinfo_runs = 3 if args.quick else 5
    args.xaxpy_runs = 1 if args.quick else 3
    return args


def calls_for(rtt_ms, quick):
    """Timed round trips of each kind: about 3 s of them at most."""
    if rtt_ms <= 0:
        return None
    return max(100, min(2000 if quick else 10000, int(3000 / rtt_ms)))


def interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv):
    args = parse_arguments(argv)
    if os.geteuid() != 0:
        log("must run as root (network namespaces)")
        return 2
    for path in (args.bench, args.server, args.vendors / "remote-cl.icd", args.delayline / "netdelay.sh",
                 *([] if args.no_encrypted else [args.keygen])):
        if not Path(path).exists():
            log(f"missing: {path}")
            return 2
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    client_ns, server_ns = args.namespaces.split(",")
    dl = DelayLine(args.delayline, client_ns, server_ns)
    started = time.monotonic()
    here = lambda command: command  # noqa: E731 - the root namespace
    r = {"rtt": {}}
    keys_folder = None if args.no_encrypted else tempfile.TemporaryDirectory(prefix="rcl-netbench-keys-")
    keys = None
    try:
        if keys_folder:
            keys = run_bench.curve_keys(args, Path(keys_folder.name))
        log("native")
        r["native"] = measure(args, native_environment(), here, "native")
        if args.clinfo:
            r["native"]["clinfo_s"] = time_clinfo(args.clinfo, native_environment(), args.clinfo_runs, here,
                                                  "Platform Name", "native")
        if args.xaxpy:
            r["native"].update(time_xaxpy(args.xaxpy, native_environment(), args.xaxpy_runs, here, False, "native"))
        with listening_process([str(args.server), "--listen", "tcp://127.0.0.1:*"], native_environment()) as ep:
            if ep is None:
                raise MeasurementError("remote-cl-server could not listen on tcp://127.0.0.1:*")
            r["loopback"] = remote_set(args, here, ep, f"loopback {ep}", None)
        if keys:
            r["loopback_enc"] = served(args, None, "tcp://127.0.0.1:*", keys, "loopback, CURVE",
                                       lambda ep: bulk_set(args, here, ep, f"loopback {ep} CURVE + encrypted lanes",
                                                           None, keys))
        listen = f"tcp://{SERVER_IP}:{args.port or '*'}"
        for index, rtt in enumerate(args.rtts):
            if index == 0:
                dl.up(rtt)
            else:
                dl.set(rtt)
            res = {"net": network_limit(dl, rtt, args.quick, 7700 + index)}
            calls = calls_for(rtt, args.quick)
            res.update(served(args, dl, listen, None, f"{rtt:g} ms RTT in {server_ns}",
                              lambda ep: remote_set(args, dl.client, ep, f"{rtt:g} ms RTT {ep}", calls)))
            if keys:
                res["enc"] = served(args, dl, listen, keys, f"{rtt:g} ms RTT in {server_ns}, CURVE",
                                    lambda ep: bulk_set(args, dl.client, ep,
                                                        f"{rtt:g} ms RTT {ep} CURVE + encrypted lanes", calls, keys))
            r["rtt"][rtt] = res
        if args.rate:
            r["rate"] = {"mbit": args.rate, "rtt": {}}
            for index, rtt in enumerate(args.rtts):
                dl.down()  # up again with the cap: netdelay.sh picks MTU 1500 for a capped link
                dl.up(rtt, args.rate)
                res = {"net": network_limit(dl, rtt, args.quick, 7750 + index)}
                calls = calls_for(rtt, args.quick)
                for name, k in (("plain", None), ("enc", keys)):
                    if name == "enc" and not keys:
                        continue
                    what = f"{rtt:g} ms RTT, {args.rate:g} Mbit/s{', CURVE' if k else ''}"
                    res[name] = served(args, dl, listen, k, f"{what} in {server_ns}",
                                       lambda ep: bulk_set(args, dl.client, ep, f"{what} {ep}", calls, k))
                res["net"]["rate_drops"] = dl.drops()
                r["rate"]["rtt"][rtt] = res
    except MeasurementError as error:
        log(f"FAILED: {error}")
        return 1
    except KeyboardInterrupt as error:
        log(f"interrupted ({str(error) or 'SIGINT'})")
        return 130
    finally:
        if dl.up_now:
            dl.down()
        if keys_folder:
            keys_folder.cleanup()

    if args.json_out:
        args.json_out.write_text(json.dumps(r, indent=2, default=str) + "\n")
    native = r["native"]
    load = os.getloadavg()
    print(f"# remote-cl over an emulated network{' (--quick)' if args.quick else ''}\n")
    print(f"Platform: {native['platform']} ({native['platform_version']}), device {native['device']}; "
          f"{os.cpu_count()} CPUs; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')}; run took {time.monotonic() - started:.0f} s. "
          f"Delay line without a rate cap{f' (and {args.rate:g} Mbit/s, MTU 1500, where said)' if args.rate else ''}; "
          f"remote-cl over tcp with REMOTE_CL_SHM=0, server --insecure (plain) or with CURVE keys and the "
          f"client's encrypted lanes (encrypted).\n")
    print(results_table(r, args.rtts))
    print("\nratios: time / time (for rates and throughputs: the other way round); above 1 is slower.\n")
    print(targets_table(r, args.rtts))
    print("\nA MISS does not fail the run.\n")
    table = encrypted_table(r)
    if table and args.no_encrypted:
        print(f"## {args.rate:g} Mbit/s links, plain only (--no-encrypted)\n")
        print(table + "\n")
    elif table:
        print("## Plain against encrypted (CURVE keys + encrypted lanes, AES-256-GCM; same-host paths off)\n")
        print(table)
        print("\nEach column: plain, then encrypted, one right after the other, each against a fresh server; "
              "targets of issue 16: encrypted ≥ 0.7x plain for the transfers, a call's round trip ≤ 1.15x "
              "plain. A MISS does not fail the run.\n")
    try:
        print(trace_table(r, args.rtts))
    except Exception as error:  # noqa: BLE001 - the tables above are what counts
        log(f"trace table: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
