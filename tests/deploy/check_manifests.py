#!/usr/bin/env python3
"""deploy/ names only what the programs have: every Kubernetes manifest
parses (YAML) and every remote-cl-server flag it names, and the Slurm
prolog's, is in `remote-cl-server --help`, and the probes' `remote-cl status`
flags in `remote-cl status --help`; every file the server container mounts
is one it reads (a path given to a server flag, or to a REMOTE_CL_*_FILE
variable of its probes), every flag's file is mounted; the client's
client.conf is mounted where the driver looks, holds only settings the
driver reads, and its key files are mounted; the Service's port name makes
the SRV name clients look up; the pods' grace outlasts --drain-grace; the
container recipe copies only files that exist and installs the packages the
project builds.

usage: check_manifests.py --server remote-cl-server --tool remote-cl --source DIR"""

import argparse
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import yaml

FILE_FLAGS = {"--curve-secret-key-file", "--allowed-clients", "--plugins"}
failures = []


def fail(message):
    failures.append(message)
    print(f"check_manifests: FAIL: {message}")


def help_flags(command):
    result = subprocess.run(command + ["--help"], capture_output=True, text=True, timeout=60)
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", result.stdout + result.stderr))


def flags_of(arguments):
    """{flag: value or None} of an argument list (--flag=value or --flag value)."""
    flags = {}
    for i, a in enumerate(arguments):
        if not a.startswith("--"):
            continue
        if "=" in a:
            name, value = a.split("=", 1)
        else:
            name = a
            following = arguments[i + 1] if i + 1 < len(arguments) else None
            value = following if following is not None and not following.startswith("-") else None
        flags[name] = value
    return flags


def driver_settings(source):
    """The config-file keys and environment variables the driver reads (config.cpp, protocol/curve.cpp)."""
    text = (source / "icd/src/transport/config.cpp").read_text() + (source / "protocol/src/curve.cpp").read_text()
    pairs = re.findall(r'"(REMOTE_CL_[A-Z_]+)",\s*"([a-z_]+)"', text)
    return {env for env, _ in pairs}, {key for _, key in pairs}


def driver_config_files(source):
    return set(re.findall(r'"(/etc/remote-cl/[^"]+)"', (source / "icd/src/transport/config.cpp").read_text()))


def under(path, mount):
    return PurePosixPath(path) == PurePosixPath(mount) or PurePosixPath(mount) in PurePosixPath(path).parents


def mounted_files(pod, container):
    """{mountPath: [files it brings]} ([] for a directory volume without items: anything under it)."""
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {}
    for m in container.get("volumeMounts", []):
        volume = volumes.get(m["name"])
        if volume is None:
            fail(f"{container['name']}: mount {m['mountPath']} names no volume {m['name']!r}")
            continue
        source = volume.get("secret") or volume.get("configMap")
        if source is None:
            mounts[m["mountPath"]] = None  # emptyDir, hostPath: a directory
        elif "subPath" in m:
            mounts[m["mountPath"]] = [m["mountPath"]]
        else:
            items = source.get("items")
            if not items:
                fail(f"{container['name']}: {m['mountPath']} mounts a whole Secret or ConfigMap: list its items")
                items = []
            mounts[m["mountPath"]] = [str(PurePosixPath(m["mountPath"]) / item["path"]) for item in items]
    return mounts


def check_server(pod, container, server_flags, tool_flags, grace, env_vars):
    command = container.get("command", []) + container.get("args", [])
    flags = flags_of(command[1:])
    for flag in flags:
        if flag not in server_flags:
            fail(f"server container: remote-cl-server has no flag {flag} (remote-cl-server --help)")
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    for name in env:
        if name.startswith("REMOTE_CL_") and name not in env_vars:
            fail(f"server container: nothing reads {name}")
    read = {v for f, v in flags.items() if f in FILE_FLAGS and v}
    read |= {v for n, v in env.items() if n.startswith("REMOTE_CL_") and n.endswith("_FILE") and v}
    directories = {v for n, v in env.items() if n in ("HOME", "XDG_CACHE_HOME") and v} | {"/tmp"}
    mounts = mounted_files(pod, container)
    for mount, files in mounts.items():
        if files is None:
            if mount not in directories and not mount.startswith("/dev/"):
                fail(f"server container: {mount} is mounted but nothing uses it")
            continue
        for f in files:
            if f not in read:
                fail(f"server container: {f} is mounted but the server reads no such file")
    for f in read:
        if not any(files is not None and f in files for files in mounts.values()):
            fail(f"server container: {f} is named but not mounted")
    for probe in ("readinessProbe", "livenessProbe"):
        exec_command = container.get(probe, {}).get("exec", {}).get("command", [])
        if exec_command[:2] != ["remote-cl", "status"]:
            fail(f"server container: {probe} is not `remote-cl status ...`")
        if probe == "readinessProbe" and "--ready" not in exec_command:
            fail("server container: the readiness probe is not `remote-cl status --ready`")
        for flag in flags_of(exec_command[2:]):
            if flag not in tool_flags:
                fail(f"server container: {probe}: `remote-cl status` has no flag {flag}")
    drain = flags.get("--drain-grace")
    if drain is None or grace is None or int(grace) <= int(drain):
        fail(f"terminationGracePeriodSeconds {grace} does not outlast --drain-grace {drain}")


def check_client(pod, container, config_maps, keys, config_files, service_srv):
    mounts = mounted_files(pod, container)
    files = [f for fs in mounts.values() if fs for f in fs]
    conf = [f for f in files if f in config_files]
    if not conf:
        fail(f"client pod: mounts no client.conf where the driver looks ({sorted(config_files)})")
    for cm in config_maps.values():
        text = cm.get("data", {}).get("client.conf")
        if text is None:
            continue
        settings = dict(
            (k.strip(), v.strip()) for k, v in
            (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.lstrip().startswith("#")))
        for k, v in settings.items():
            if k not in keys:
                fail(f"client.conf: the driver reads no setting {k!r}")
            if k.endswith("_file") and v not in files:
                fail(f"client.conf: {k} = {v} is not mounted in the client pod")
        if service_srv and settings.get("servers") != f"dns+srv://{service_srv}":
            fail(f"client.conf: servers = {settings.get('servers')}, not the Service's dns+srv://{service_srv}")


def check_kubernetes(source, server_flags, tool_flags):
    env_vars, keys = driver_settings(source)
    config_files = driver_config_files(source)
    documents = []
    for path in sorted((source / "deploy/kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is None:
                continue
            for field in ("apiVersion", "kind"):
                if field not in doc:
                    fail(f"{path.name}: a document without {field}")
            if "name" not in doc.get("metadata", {}):
                fail(f"{path.name}: a {doc.get('kind')} without a name")
            documents.append(doc)
    print(f"kubernetes: {len(documents)} documents parse: " + ", ".join(sorted({d['kind'] for d in documents})))
    by_kind = {}
    for d in documents:
        by_kind.setdefault(d["kind"], []).append(d)
    service_srv = None
    for s in by_kind.get("Service", []):
        if s["spec"].get("clusterIP") != "None":
            fail(f"Service {s['metadata']['name']} is not headless (clusterIP: None): no SRV per pod")
        for p in s["spec"]["ports"]:
            namespace = s["metadata"].get("namespace", "default")
            service_srv = f"_{p['name']}._{p.get('protocol', 'TCP').lower()}.{s['metadata']['name']}.{namespace}.svc.cluster.local"
    config_maps = {c["metadata"]["name"]: c for c in by_kind.get("ConfigMap", [])}
    servers = 0
    for workload in by_kind.get("DaemonSet", []) + by_kind.get("Deployment", []):
        pod = workload["spec"]["template"]["spec"]
        for container in pod["containers"]:
            if (container.get("command") or [""])[0] == "remote-cl-server":
                servers += 1
                check_server(pod, container, server_flags, tool_flags, pod.get("terminationGracePeriodSeconds"),
                             env_vars)
    if servers == 0:
        fail("no workload runs remote-cl-server")
    if not by_kind.get("PodDisruptionBudget"):
        fail("no PodDisruptionBudget")
    clients = 0
    for pod in by_kind.get("Pod", []):
        for container in pod["spec"]["containers"]:
            clients += 1
            check_client(pod["spec"], container, config_maps, keys, config_files, service_srv)
    if clients == 0:
        fail("no client example pod")


def check_slurm(source, server_flags):
    prolog = (source / "deploy/slurm/prolog.sh").read_text()
    block = re.search(r'"\$\{REMOTE_CL_SLURM_SERVER\}"(.*?)\)\n', prolog, re.DOTALL)
    if block is None:
        fail("slurm: the prolog runs no server")
        return
    named = re.findall(r"(--[a-z][a-z0-9-]*)", block.group(1))
    for flag in named:
        if flag not in server_flags:
            fail(f"slurm prolog: remote-cl-server has no flag {flag}")
    print(f"slurm: the prolog's server flags {named}")


def check_container(source):
    dockerfile = (source / "deploy/container/Dockerfile").read_text()
    for line in dockerfile.splitlines():
        m = re.match(r"COPY\s+(?!--from)(\S+)\s", line)
        if m and not (source / m.group(1)).exists():
            fail(f"Dockerfile: COPY {m.group(1)}: no such file in the repository")
    packaging = (source / "cmake/Packaging.cmake").read_text()
    names = set(re.findall(r"CPACK_DEBIAN_(?:CLIENT|SERVER)_PACKAGE_NAME (\S+)\)", packaging))
    installed = set(re.findall(r"/tmp/debs/([a-z-]+)_\*\.deb", dockerfile))
    if not installed or not installed <= names:
        fail(f"Dockerfile installs {sorted(installed)}; the project builds {sorted(names)}")
    for script in re.findall(r"bash (scripts/\S+)", dockerfile):
        if not (source / script).exists():
            fail(f"Dockerfile runs {script}: no such file")
    print(f"container: installs {sorted(installed)} (built by cpack)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--source", required=True, type=Path)
    args = ap.parse_args()
    server_flags = help_flags([args.server])
    tool_flags = help_flags([args.tool, "status"])
    check_kubernetes(args.source, server_flags, tool_flags)
    check_slurm(args.source, server_flags)
    check_container(args.source)
    if failures:
        print(f"check_manifests: {len(failures)} failed")
        sys.exit(1)
    print("check_manifests: OK")


if __name__ == "__main__":
    main()
