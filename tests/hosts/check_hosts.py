#!/usr/bin/env python3
"""Many GPU hosts: three real remote-cl-servers on loopback behind one DNS SRV
record, served by a real dnsmasq on a loopback port, and clients going
through the real ICD loader.

  1. discovery: the client lists the three servers (endpoints_app and clinfo -l; from
     the environment and from a config file);
     with REMOTE_CL_PLACEMENT=listed they come in the record's priority order;
     an SRV lookup that fails is logged and skipped, the other entries stay;
  2. placement: with server A holding two sessions with buffers and B one, a
     new client lists C, B, A, and the session of a new session_app (found by
     its pid in `remote-cl status` of each server) holds its objects on C;
  3. one server stopped: the client lists the other two and a kernel runs;
  4. IPv6: a fourth server, D, listening on tcp://[::1]:PORT, is the one target
     of a second SRV record, whose host has only an AAAA record (::1): the
     client lists it as tcp://[::1]:PORT (alone and beside the first record),
     and a kernel runs through it, with shared memory and over the socket
     (reply sockets and bulk lanes over IPv6); `remote-cl status` reaches it.
     Skipped (said so) when this machine has no IPv6 loopback.

usage: check_hosts.py --server remote-cl-server --tool remote-cl --vendors DIR
                      --app session_app --endpoints endpoints_app --dnsmasq dnsmasq [--clinfo clinfo]"""

import argparse
import contextlib
import importlib.util
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WITH_SERVER_PATH = Path(__file__).resolve().parents[2] / "scripts" / "with-server.py"
RECORD = "_remote-cl._tcp.gpus.test"
RECORD6 = "_remote-cl._tcp.v6.gpus.test"  # its one target has only an AAAA record
HOST6 = "gpu6.gpus.test"
NAMES = ["A", "B", "C"]
WAIT_SECONDS = 60  # for a state to appear on a loaded machine (never a pass/fail on time)


def load_with_server():
    spec = importlib.util.spec_from_file_location("with_server", WITH_SERVER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fail(message):
    print(f"check_hosts: FAIL: {message}")
    sys.exit(1)


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_of(endpoint):
    return int(endpoint.rsplit(":", 1)[1])


def dns_answers(port, name, qtype):
    """The answer count of one query to the name server, or None if it is silent."""
    header = struct.pack(">HHHHHH", 0x5243, 0x0100, 1, 0, 0, 0)
    question = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        try:
            s.sendto(header + question, ("127.0.0.1", port))
            reply = s.recv(4096)
        except OSError:
            return None
    return struct.unpack(">HHHHHH", reply[:12])[3]


def has_ipv6_loopback():
    """Whether ::1 is configured on lo (/proc/net/if_inet6), and a socket can bind it."""
    try:
        lines = Path("/proc/net/if_inet6").read_text().splitlines()
    except OSError:
        return False
    if not any(line.split()[0] == "0" * 31 + "1" for line in lines if line.split()):
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@contextlib.contextmanager
def running_ipv6_server(server, log_path):
    """A remote-cl-server listening on tcp://[::1]:* only; yields its endpoint."""
    env = {k: v for k, v in os.environ.items() if k not in ("OCL_ICD_VENDORS", "REMOTE_CL_SERVERS")}
    with open(log_path, "wb") as log:
        process = subprocess.Popen([server, "--listen", "tcp://[::1]:*"], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=log, env=env)
    try:
        line = process.stdout.readline().decode(errors="replace")
        if not line.startswith("listening on tcp://[::1]:"):
            fail(f"a server given --listen tcp://[::1]:* printed {line!r}:\n"
                 f"{Path(log_path).read_text(errors='replace')}")
        yield line.split()[-1]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def running_dnsmasq(dnsmasq, endpoints, log_path, ipv6_endpoint=None):
    """dnsmasq on a loopback port: gpuN.gpus.test -> 127.0.0.1, and one SRV
    record whose targets are the servers, with priorities 10, 20, 30; with
    `ipv6_endpoint`, also HOST6 -> ::1 only (AAAA, no A) as RECORD6's target."""
    port = free_udp_port()
    command = [dnsmasq, "--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null", "--pid-file=",
               f"--port={port}", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
               "--log-facility=-", "--log-queries"]
    for i, endpoint in enumerate(endpoints):
        host = f"gpu{i + 1}.gpus.test"
        command += [f"--host-record={host},127.0.0.1",
                    f"--srv-host={RECORD},{host},{port_of(endpoint)},{10 * (i + 1)},0"]
    if ipv6_endpoint:
        command += [f"--host-record={HOST6},::1", f"--srv-host={RECORD6},{HOST6},{port_of(ipv6_endpoint)},10,0"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while dns_answers(port, RECORD, 33) != len(endpoints) or (ipv6_endpoint and dns_answers(port, HOST6, 28) != 1):
            if process.poll() is not None or time.monotonic() > deadline:
                fail(f"dnsmasq did not serve {RECORD}:\n{Path(log_path).read_text(errors='replace')}")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


class Cluster:
    def __init__(self, args, endpoints, dns_port):
        self.args = args
        self.endpoints = dict(zip(NAMES, endpoints))
        self.dns_port = dns_port

    def name_of(self, endpoint):
        for name, e in self.endpoints.items():
            if e == endpoint:
                return name
        return endpoint

    def environment(self, servers=f"dns+srv://{RECORD}", **extra):
        env = dict(os.environ)
        env.update(OCL_ICD_VENDORS=os.path.abspath(self.args.vendors), REMOTE_CL_SERVERS=servers,
                   REMOTE_CL_DNS_SERVERS=f"127.0.0.1:{self.dns_port}", REMOTE_CL_LOG="info")
        env.update(extra)
        return env

    def run(self, command, **env):
        return subprocess.run(command, env=self.environment(**env), capture_output=True, text=True, timeout=300)

    def listed(self, **env):
        """The servers of the platforms, in the order the loader gives them, as names A, B, C."""
        result = self.run([self.args.endpoints], **env)
        if result.returncode != 0:
            fail(f"endpoints_app exited {result.returncode}:\n{result.stdout}{result.stderr}")
        names = [self.name_of(line.split(" ", 1)[1]) for line in result.stdout.splitlines()]
        return names, result.stderr

    def status(self, name):
        result = subprocess.run([self.args.tool, "status", "--timeout", "30", self.endpoints[name]],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            fail(f"remote-cl status of server {name} exited {result.returncode}: {result.stderr}")
        return result.stdout

    def sessions(self, name):
        """(active sessions, busy queues of all of them) on server `name`."""
        text = self.status(name)
        busy = sum(int(m.group(1)) for m in re.finditer(r"^[0-9a-f]{16} .* (\d+)$", text, re.MULTILINE))
        return int(re.search(r"^sessions +(\d+) active", text, re.MULTILINE).group(1)), busy

    def row_of(self, name, pid):
        """(objects, memory) of the session of process `pid` on server `name`, or None."""
        for line in self.status(name).splitlines():
            m = re.match(r"^[0-9a-f]{16} +(.+?) +(\S+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$", line)
            if m and f":{pid} (" in m.group(1):
                return int(m.group(4)), int(m.group(5))
        return None

    def hold(self, servers):
        """A session_app holding its context, buffer (1 MiB) and kernel, once its work is done."""
        process = subprocess.Popen([self.args.app, "--hold", "600"], env=self.environment(servers=servers),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = process.stdout.readline()
        if "session_app: OK" not in line:
            process.kill()
            fail(f"session_app on {servers} printed {line!r}: {process.stderr.read()}")
        return process


def wait_for(what, check):
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            fail(f"{what} did not happen within {WAIT_SECONDS} s")
        time.sleep(0.5)


def check_discovery(cluster):
    names, log = cluster.listed(REMOTE_CL_PLACEMENT="listed")
    if sorted(names) != NAMES:
        fail(f"through {RECORD} the client listed {names}, not the three servers\n{log}")
    if names != NAMES:
        fail(f"with REMOTE_CL_PLACEMENT=listed the servers came as {names}, not in SRV priority order A, B, C")
    print(f"discovery: {RECORD} gives {names} (priority order)")
    if cluster.args.clinfo:
        result = cluster.run([cluster.args.clinfo, "-l"])
        count = len(re.findall(r"^Platform #\d+", result.stdout, re.MULTILINE))
        if result.returncode != 0 or count != 3:
            fail(f"clinfo -l listed {count} platforms (exit {result.returncode}):\n{result.stdout}{result.stderr}")
        print("discovery: clinfo -l lists 3 platforms")
    # The same three from the config file's keys, with no environment variable set.
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as conf:
        conf.write(f"servers = dns+srv://{RECORD}\ndns_servers = 127.0.0.1:{cluster.dns_port}\nplacement = listed\n")
        conf.flush()
        env = cluster.environment()
        for name in ("REMOTE_CL_SERVERS", "REMOTE_CL_DNS_SERVERS", "REMOTE_CL_PLACEMENT"):
            env.pop(name, None)
        env["REMOTE_CL_CONFIG"] = conf.name
        result = subprocess.run([cluster.args.endpoints], env=env, capture_output=True, text=True, timeout=300)
        from_file = [cluster.name_of(line.split(" ", 1)[1]) for line in result.stdout.splitlines()]
        if from_file != NAMES:
            fail(f"from a config file (servers, dns_servers, placement) the client listed {from_file}\n{result.stderr}")
    print("discovery: the same from client.conf's servers, dns_servers and placement")
    names, log = cluster.listed(servers=f"dns+srv://_remote-cl._tcp.nothing.test,{cluster.endpoints['B']}")
    if names != ["B"] or "_remote-cl._tcp.nothing.test failed" not in log:
        fail(f"a failing SRV lookup beside server B gave {names}, log:\n{log}")
    print("discovery: a failing lookup is logged and skipped")


def check_placement(cluster, holders):
    holders += [cluster.hold(cluster.endpoints["A"]), cluster.hold(cluster.endpoints["A"]),
                cluster.hold(cluster.endpoints["B"])]
    # The listing clients before have said goodbye; their sessions end as their workers exit.
    # The holders are idle: a queue counted busy is one whose last command's completion the
    # server has not yet seen (busy queues order servers before sessions do).
    expected = {"A": (2, 0), "B": (1, 0), "C": (0, 0)}
    loads = wait_for(f"(sessions, busy queues) {expected}",
                     lambda: (now := {name: cluster.sessions(name) for name in NAMES}) == expected and now)
    names, log = cluster.listed()
    if names != ["C", "B", "A"]:
        fail(f"least-loaded placement listed {names}, not C, B, A (sessions {loads})\n{log}")
    print(f"placement: sessions {loads} -> listed {names}")
    newcomer = cluster.hold(f"dns+srv://{RECORD}")
    holders.append(newcomer)
    # Workers report their objects every second: wait for the row to show them.
    row = wait_for("the new client's objects on server C",
                   lambda: (r := cluster.row_of("C", newcomer.pid)) and r[0] >= 5 and r[1] >= 1 << 20 and r)
    for name in ["A", "B"]:  # its sessions there (from listing the platforms) hold no buffer
        other = cluster.row_of(name, newcomer.pid)
        if other is not None and other[1] > 0:
            fail(f"the new client holds {other[1]} bytes of device memory on server {name}, not only on C")
    print(f"placement: the new client's first platform is server C ({row[0]} objects, {row[1]} bytes there)")


def check_stopped(cluster, servers, with_server):
    with_server.stop_server_process(servers[2].process)
    names, log = cluster.listed()
    if sorted(names) != ["A", "B"]:
        fail(f"with server C stopped the client listed {names}\n{log}")
    result = cluster.run([cluster.args.app])
    if result.returncode != 0 or "session_app: OK" not in result.stdout:
        fail(f"with server C stopped, session_app exited {result.returncode}:\n{result.stdout}{result.stderr}")
    print(f"stopped: server C stopped, the client lists {names} and a kernel runs")


def check_ipv6(cluster, endpoint6):
    """Server D on [::1], found through RECORD6 whose target has only an AAAA record."""
    if endpoint6 is None:
        print("ipv6: SKIPPED: this machine has no IPv6 loopback (::1 on lo in /proc/net/if_inet6)")
        return
    cluster.endpoints["D"] = endpoint6
    names, log = cluster.listed(servers=f"dns+srv://{RECORD6}")
    if names != ["D"]:
        fail(f"through {RECORD6} (target {HOST6}, AAAA ::1 only) the client listed {names}, not D {endpoint6}\n{log}")
    if f"{RECORD6} names {endpoint6} ({HOST6})" not in log:
        fail(f"the client did not log {RECORD6}'s target as {endpoint6}:\n{log}")
    print(f"ipv6: {RECORD6} gives D at {endpoint6} ({HOST6} has only an AAAA record)")
    names, log = cluster.listed(servers=f"dns+srv://{RECORD},dns+srv://{RECORD6}", REMOTE_CL_PLACEMENT="listed")
    if names != ["A", "B", "D"]:  # C is stopped
        fail(f"through both records the client listed {names}, not A, B, D\n{log}")
    print(f"ipv6: both records together give {names}")
    for shm in ("1", "0"):
        result = cluster.run([cluster.args.app], servers=f"dns+srv://{RECORD6}", REMOTE_CL_SHM=shm)
        if result.returncode != 0 or "session_app: OK" not in result.stdout:
            fail(f"session_app through {RECORD6} (REMOTE_CL_SHM={shm}) exited {result.returncode}:\n"
                 f"{result.stdout}{result.stderr}")
        connected = re.search(r"connected to (tcp://\S+) \(.*\), session at (\S+),.*", result.stderr)
        if connected is None or connected.group(1) != endpoint6 or not connected.group(2).startswith("tcp://[::1]:"):
            fail(f"session_app through {RECORD6} did not connect over IPv6:\n{result.stderr}")
        print(f"ipv6: a kernel runs through D (REMOTE_CL_SHM={shm}): {connected.group(0).split('remote-cl: ')[-1]}")
    status = cluster.status("D")  # the last client's session may still be ending: counted either way
    if not re.search(rf"^server +{re.escape(endpoint6)} ", status, re.MULTILINE) or \
            not re.search(r"^sessions +\d+ active, [1-9]\d* ended", status, re.MULTILINE):
        fail(f"remote-cl status of D at {endpoint6}:\n{status}")
    print(f"ipv6: remote-cl status {endpoint6} answers")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for option in ["--server", "--tool", "--vendors", "--app", "--endpoints", "--dnsmasq"]:
        ap.add_argument(option, required=True)
    ap.add_argument("--clinfo")
    args = ap.parse_args()
    with_server = load_with_server()
    holders = []
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory(prefix="check_hosts-") as tmp:
        servers = [stack.enter_context(with_server.running_server(args.server)) for _ in NAMES]
        endpoint6 = None
        if has_ipv6_loopback():
            endpoint6 = stack.enter_context(running_ipv6_server(args.server, Path(tmp) / "server-d.log"))
        dns_port = stack.enter_context(running_dnsmasq(args.dnsmasq, [s.endpoint for s in servers],
                                                       Path(tmp) / "dnsmasq.log", endpoint6))
        cluster = Cluster(args, [s.endpoint for s in servers], dns_port)
        print("servers: " + ", ".join(f"{n} {e}" for n, e in cluster.endpoints.items()) + f"; DNS 127.0.0.1:{dns_port}")
        try:
            check_discovery(cluster)
            check_placement(cluster, holders)
            check_stopped(cluster, servers, with_server)
            check_ipv6(cluster, endpoint6)
        finally:
            for h in holders:
                h.terminate()
                h.wait(timeout=30)
    print("check_hosts: OK")


if __name__ == "__main__":
    main()
