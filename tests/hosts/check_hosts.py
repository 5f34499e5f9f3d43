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
  3. one server stopped: the client lists the other two and a kernel runs.

usage: check_hosts.py --server remote-cl-server --tool remote-cl --vendors DIR
                      --app session_app --endpoints endpoints_app --dnsmasq dnsmasq [--clinfo clinfo]"""

import argparse
import contextlib
import importlib.util
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WITH_SERVER_PATH = Path(__file__).resolve().parents[2] / "scripts" / "with-server.py"
RECORD = "_remote-cl._tcp.gpus.test"
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


@contextlib.contextmanager
def running_dnsmasq(dnsmasq, endpoints, log_path):
    """dnsmasq on a loopback port: gpuN.gpus.test -> 127.0.0.1, and one SRV
    record whose targets are the servers, with priorities 10, 20, 30."""
    port = free_udp_port()
    command = [dnsmasq, "--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null", "--pid-file=",
               f"--port={port}", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
               "--log-facility=-", "--log-queries"]
    for i, endpoint in enumerate(endpoints):
        host = f"gpu{i + 1}.gpus.test"
        command += [f"--host-record={host},127.0.0.1",
                    f"--srv-host={RECORD},{host},{port_of(endpoint)},{10 * (i + 1)},0"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while dns_answers(port, RECORD, 33) != len(endpoints):
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
        dns_port = stack.enter_context(running_dnsmasq(args.dnsmasq, [s.endpoint for s in servers],
                                                       Path(tmp) / "dnsmasq.log"))
        cluster = Cluster(args, [s.endpoint for s in servers], dns_port)
        print("servers: " + ", ".join(f"{n} {e}" for n, e in cluster.endpoints.items()) + f"; DNS 127.0.0.1:{dns_port}")
        try:
            check_discovery(cluster)
            check_placement(cluster, holders)
            check_stopped(cluster, servers, with_server)
        finally:
            for h in holders:
                h.terminate()
                h.wait(timeout=30)
    print("check_hosts: OK")


if __name__ == "__main__":
    main()
