#!/usr/bin/env python3
"""deploy.container: the container recipe's own steps, run without a container engine.

deploy/container/Dockerfile is read (stages, ARG defaults, COPY, RUN, USER, ENV, EXPOSE,
ENTRYPOINT, CMD) and its steps are carried out here, so the test follows the recipe:
an instruction, flag or stage it does not understand fails the test, never passes unseen.

  packages  its `cpack -G DEB` is run on this test's build (not a fresh release build:
            scripts/setup-deps.sh and the compile are not repeated); its `cp` patterns pick
            the .deb files from cpack's output, which become its /debs folder; each -D
            option of its cmake command must be one the project knows (CMakeCache.txt).
  server,   each in a throw-away system of its own: a private mount namespace whose /etc,
  client    /usr and /var are overlays on this host's (install_common.py, as in
            install.packages_system) and whose /tmp is an empty tmpfs. COPY --from=packages
            copies the .debs to /tmp/debs; ARG defaults and ENV are the RUN commands'
            environment; RUN runs as written with /bin/sh -c. `apt-get update` is left out
            when `apt-get install --simulate` shows that the install needs nothing but the
            copied .debs (every other package is on this host already): it only refreshes
            the download index, and nothing is downloaded. Otherwise it runs, and needs the
            network.
  Then what the image would hold and do:
    server: ENTRYPOINT and `remote-cl` on the image's PATH; no remote-cl.icd in
            /etc/OpenCL/vendors, the ICD of each ICD_PACKAGES package there; the copied
            .debs gone; HOME and XDG_CACHE_HOME are folders USER can write. ENTRYPOINT+CMD
            runs as USER (uid:gid, no supplementary groups) with the stage's ENV only, on a
            free port instead of CMD's (which must be EXPOSE's); the Kubernetes readiness
            probe `remote-cl status --ready tcp://127.0.0.1:PORT` exits 0.
    client: remote-cl.icd registered, CMD (clinfo) runs as USER with the stage's ENV and
            REMOTE_CL_SERVERS pointing at the server: the remote-cl platform (ICD suffix
            RCL) has a device. A mount namespace shares the network: the two talk over
            loopback.
    server: SIGTERM (what `docker stop` sends): it drains and exits 0.
Not checked here: the base image's contents (the lower layer is this host's system, so
what the host has and debian:12-slim lacks is there too), the packages stage's own build,
pulling, layers, and the engine's own behaviour. Skipped (exit 77) where
install.packages_system is: not root, or no unshare or overlayfs.

Usage: check_container.py --build-dir B --cpack CPACK --source-dir S
"""

import argparse
import ctypes
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "install"))
from install_common import (SKIP, CheckFailed, expect, fail, main_wrapper,  # noqa: E402
                            mount_overlays, overlay_skip_reason, read_cache, run, run_cpack, step,
                            unshare_command)

NAME = "deploy.container"
# What a container engine puts on PATH when the image sets none (Docker, Podman, Buildah).
IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
STAGES = ("packages", "server", "client")
UNDERSTOOD = {
    "packages": {"FROM", "WORKDIR", "COPY", "RUN"},
    "server": {"FROM", "ARG", "COPY", "RUN", "USER", "ENV", "EXPOSE", "ENTRYPOINT", "CMD"},
    "client": {"FROM", "ARG", "COPY", "RUN", "USER", "ENV", "CMD"},
}
VENDORS = Path("/etc/OpenCL/vendors")
LISTEN = re.compile(r"^tcp://127\.0\.0\.1:(\d+)$")
READY_LINE = "deploy.container: server ready at "
PR_SET_PDEATHSIG = 1
SERVER_START_SECONDS = 120
SERVER_STOP_SECONDS = 120


# --- the recipe ------------------------------------------------------------------------------

@dataclass
class Stage:
    name: str
    base: str
    steps: list = field(default_factory=list)   # (KEYWORD, value) in order

    def only(self, keyword):
        values = [value for key, value in self.steps if key == keyword]
        expect(len(values) == 1, f"Dockerfile: stage {self.name} has {len(values)} {keyword} "
               f"instructions; this test understands exactly one")
        return values[0]

    def last(self, keyword, default=None):
        values = [value for key, value in self.steps if key == keyword]
        return values[-1] if values else default


def logical_lines(text):
    """The Dockerfile's instructions: comments dropped, `\\` continuations joined."""
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        if current.strip():
            lines.append(current.strip())
        current = ""
    if current.strip():
        lines.append(current.strip())
    return lines


def exec_form(stage, keyword, value):
    """ENTRYPOINT/CMD ["a", "b"]: the list; the shell form is not understood."""
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = None
    expect(isinstance(parsed, list) and parsed and all(isinstance(p, str) for p in parsed),
           f"Dockerfile: stage {stage}: {keyword} {value}: this test understands only the exec "
           f"form [\"program\", \"argument\", ...]")
    return parsed


def key_values(stage, keyword, value):
    """ARG NAME[=default] / ENV K=V K2=V2 (the legacy `ENV K V` too)."""
    words = shlex.split(value)
    if keyword == "ENV" and words and "=" not in words[0]:
        return {words[0]: value.split(None, 1)[1] if len(words) > 1 else ""}
    result = {}
    for word in words:
        name, _, default = word.partition("=")
        expect(re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name),
               f"Dockerfile: stage {stage}: {keyword} {value}: not understood")
        result[name] = default
    return result


def parse_dockerfile(path):
    """{stage name: Stage}, each instruction checked against what this test understands."""
    stages, global_args = {}, {}
    current = None
    for line in logical_lines(Path(path).read_text()):
        keyword, _, value = line.partition(" ")
        keyword, value = keyword.upper(), value.strip()
        if keyword == "FROM":
            match = re.match(r"^(\S+)\s+AS\s+(\S+)$", value, re.IGNORECASE)
            expect(match, f"Dockerfile: FROM {value}: this test understands `FROM IMAGE AS NAME`")
            base = re.sub(r"\$\{(\w+)\}", lambda m: global_args.get(m.group(1), ""), match.group(1))
            current = Stage(match.group(2), base)
            expect(current.name in STAGES and current.name not in stages,
                   f"Dockerfile: stage {current.name}: this test knows the stages {list(STAGES)}, "
                   f"once each; teach tests/deploy/check_container.py the new one")
            stages[current.name] = current
            continue
        if current is None:
            expect(keyword == "ARG", f"Dockerfile: {keyword} before the first FROM: not understood")
            global_args.update(key_values("(global)", keyword, value))
            continue
        expect(keyword in UNDERSTOOD[current.name],
               f"Dockerfile: stage {current.name}: {keyword} {value}: this test does not know "
               f"what that instruction does to the {current.name} image; teach "
               f"tests/deploy/check_container.py")
        if keyword in ("ENTRYPOINT", "CMD"):
            value = exec_form(current.name, keyword, value)
        elif keyword in ("ARG", "ENV"):
            value = key_values(current.name, keyword, value)
        elif keyword in ("RUN", "COPY", "USER", "WORKDIR"):
            # The instruction's own flags lead its value: `COPY --from=packages ...`.
            flags = re.findall(r"--([a-z-]+)", re.match(r"^(?:--\S+\s+)*", value).group(0))
            allowed = ["from"] if keyword == "COPY" else []
            expect(all(flag in allowed for flag in flags) and not value.startswith("["),
                   f"Dockerfile: stage {current.name}: {keyword} {value}: flags or forms this "
                   f"test does not understand")
        current.steps.append((keyword, value))
    expect(sorted(stages) == sorted(STAGES),
           f"Dockerfile: stages {sorted(stages)}, this test expects {sorted(STAGES)}")
    return stages


def and_steps(command):
    """`a && b && c` -> ['a', 'b', 'c']."""
    return [part.strip() for part in re.split(r"\s&&\s", command)]


def user_ids(stage):
    user = stage.last("USER", "0:0")
    match = re.match(r"^(\d+)(?::(\d+))?$", user)
    expect(match, f"Dockerfile: stage {stage.name}: USER {user}: this test understands numeric "
           f"uid[:gid] only (the image has no such user in /etc/passwd)")
    uid = int(match.group(1))
    return uid, int(match.group(2)) if match.group(2) is not None else uid


@dataclass
class Packages:
    """What the packages stage makes: the folder it copies the .debs into, and which."""
    folder: str
    patterns: list
    cmake_options: list


def read_packages_stage(stage):
    """The packages stage's RUN, understood: it must build with cmake, run `cpack -G DEB` and
    copy .deb files into one folder."""
    steps = and_steps(stage.only("RUN"))
    expect(any(re.match(r"^cpack\s+-G\s+DEB$", s) for s in steps),
           f"Dockerfile: packages: no `cpack -G DEB` step in {steps}")
    copies = [shlex.split(s) for s in steps if s.startswith("cp ")]
    expect(len(copies) == 1 and len(copies[0]) >= 3,
           f"Dockerfile: packages: expected one `cp FILE.deb... FOLDER/` step, found {copies}")
    *sources, folder = copies[0][1:]
    expect(all(s.endswith(".deb") for s in sources),
           f"Dockerfile: packages: copies {sources}, not .deb files")
    configure = [s for s in steps if re.match(r"^cmake\s+-S\s", s)]
    expect(len(configure) == 1, "Dockerfile: packages: expected one `cmake -S ...` step")
    options = re.findall(r"-D([A-Za-z_][A-Za-z0-9_]*)=", configure[0])
    return Packages(folder.rstrip("/"), [Path(s).name for s in sources], options)


def check_recipe(stages, build_dir):
    """What can be checked without root; returns the packages stage's reading."""
    packages = read_packages_stage(stages["packages"])
    cache = read_cache(build_dir)
    unknown = [name for name in packages.cmake_options if name not in cache]
    expect(not unknown, f"Dockerfile: packages: cmake -D{unknown}: no such cache entry in the "
           f"project's build ({build_dir}/CMakeCache.txt), so the image's build would ignore it")
    for name in ("server", "client"):
        for keyword, value in stages[name].steps:
            if keyword == "COPY":
                words = value.split()
                expect(len(words) == 3 and words[0] == "--from=packages"
                       and words[1].rstrip("/") == packages.folder,
                       f"Dockerfile: {name}: COPY {value}: this test understands only "
                       f"`COPY --from=packages {packages.folder}/ DEST/` (the .debs)")
                expect(words[2].startswith("/tmp/"),
                       f"Dockerfile: {name}: COPY to {words[2]}: this test copies into /tmp only")
        user_ids(stages[name])
    server = stages["server"]
    command = server.only("ENTRYPOINT") + server.only("CMD")
    ports = [LISTEN.match(word).group(1) for word in command if LISTEN.match(word)]
    expect(len(ports) == 1, f"Dockerfile: server: ENTRYPOINT+CMD {command}: expected one "
           f"tcp://127.0.0.1:PORT to listen on")
    expect(server.only("EXPOSE").split() == [ports[0]],
           f"Dockerfile: server: EXPOSE {server.only('EXPOSE')}, but CMD listens on {ports[0]}")
    client_command = stages["client"].only("CMD")
    expect(Path(client_command[0]).name == "clinfo",
           f"Dockerfile: client: CMD {client_command}: this test reads clinfo's output only")
    step(f"recipe: stages {list(stages)}; packages copies {packages.patterns} into "
         f"{packages.folder}/; server runs {command} as {server.last('USER')}")
    return packages


# --- inside a stage's throw-away system ------------------------------------------------------

def as_user(uid, gid):
    """preexec_fn: become uid:gid without supplementary groups (as USER uid:gid does), and
    get SIGINT if this script dies (set after the switch, which would clear it)."""
    def switch():
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGINT)
    return switch


class Image:
    """The stage's throw-away system as its instructions build it."""

    def __init__(self, stage, context_fd):
        self.stage = stage
        self.context = f"/proc/self/fd/{context_fd}"   # the packages stage's /debs folder
        self.build_env = {"PATH": IMAGE_PATH, "HOME": "/root"}
        self.env = {}              # ENV: the image's environment
        self.workdir = "/"
        self.copied = []
        self.local_packages = []   # in the copied .debs
        self.installed_locals = []  # named by apt-get install: these must be installed
        self.apt_update = "run"

    def environment(self, extra=None):
        """What the container's processes get: the engine's PATH and HOME=/ (the user has no
        /etc/passwd entry) unless ENV says otherwise."""
        environment = {"PATH": IMAGE_PATH, "HOME": "/"}
        environment.update(self.env)
        environment.update(extra or {})
        return environment

    def build(self):
        user = None
        for keyword, value in self.stage.steps:
            if keyword == "USER":
                user = value
            elif keyword in ("RUN", "COPY") and user is not None:
                fail(f"Dockerfile: {self.stage.name}: {keyword} after USER {user}: not understood")
            if keyword == "ARG":
                self.build_env.update(value)
            elif keyword == "ENV":
                self.env.update(value)
                self.build_env.update(value)
            elif keyword == "COPY":
                self.copy(value.split()[2])
            elif keyword == "RUN":
                self.run_step(value)

    def copy(self, destination):
        Path(destination).mkdir(parents=True, exist_ok=True)
        for deb in sorted(Path(self.context).iterdir()):
            copy = Path(destination) / deb.name
            shutil.copy2(deb, copy)
            self.local_packages.append(
                run(["dpkg-deb", "--field", copy, "Package"]).stdout.strip())
        self.copied.append(destination)
        step(f"{self.stage.name}: COPY --from=packages: {sorted(os.listdir(destination))} "
             f"in {destination}")

    def run_step(self, command):
        steps = and_steps(command)
        for part in steps:
            if re.search(r"\bapt-get install\b", part):
                for word in part.split():
                    if any(word.startswith(folder) for folder in self.copied) and word.endswith(".deb"):
                        for deb in sorted(Path("/").glob(word.lstrip("/"))):
                            self.installed_locals.append(
                                run(["dpkg-deb", "--field", deb, "Package"]).stdout.strip())
        if "apt-get update" in steps:
            if self.install_needs_only_copied(steps):
                steps = [s for s in steps if s != "apt-get update"]
                self.apt_update = "left out"
                step(f"{self.stage.name}: `apt-get update` left out: apt-get install --simulate "
                     f"installs only {self.installed_locals} from the copied .debs; every other "
                     f"package is on this host already, nothing is downloaded")
            else:
                step(f"{self.stage.name}: apt-get install needs packages this host lacks: "
                     f"running `apt-get update` (needs the network)")
        command = " && ".join(steps)
        step(f"{self.stage.name}: RUN {command}")
        result = subprocess.run(["/bin/sh", "-c", command], env=self.build_env, cwd=self.workdir,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=600)
        expect(result.returncode == 0, f"{self.stage.name}: RUN exited with {result.returncode}:\n"
               f"{command}\n{result.stdout}")

    def install_needs_only_copied(self, steps):
        installs = [s for s in steps if re.search(r"\bapt-get install\b", s)]
        expect(len(installs) == 1, f"Dockerfile: {self.stage.name}: expected one apt-get install "
               f"step after apt-get update, found {installs}")
        simulate = installs[0].replace("apt-get install", "apt-get install --simulate", 1)
        result = subprocess.run(["/bin/sh", "-c", simulate], env=self.build_env, cwd=self.workdir,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=300)
        installed = re.findall(r"^Inst (\S+)", result.stdout, re.MULTILINE)
        if result.returncode != 0 or not set(installed) <= set(self.local_packages):
            print(result.stdout, flush=True)
            return False
        return True

    def which(self, program):
        found = shutil.which(program, path=self.environment()["PATH"])
        expect(found, f"{self.stage.name}: {program} is not on the image's PATH")
        return found

    def owner(self, path):
        result = run(["dpkg-query", "-S", Path(path).resolve()], check=False)
        return result.stdout.split(":", 1)[0] if result.returncode == 0 else None

    def check_common(self):
        for folder in self.copied:
            expect(not Path(folder).exists(), f"{self.stage.name}: {folder} (the copied .debs) is "
                   f"left in the image")
        expect(self.installed_locals, f"{self.stage.name}: the RUN installs none of the copied .debs")
        for package in self.installed_locals:
            status = run(["dpkg-query", "-W", "-f=${db:Status-Status}", package], check=False)
            expect(status.stdout.strip() == "installed",
                   f"{self.stage.name}: {package} is not installed after RUN")

    def writable_by_user(self, folder):
        uid, gid = user_ids(self.stage)
        result = subprocess.run(["test", "-d", folder, "-a", "-w", folder],
                                preexec_fn=as_user(uid, gid))
        return result.returncode == 0


def check_server_image(image):
    stage = image.stage
    image.check_common()
    entrypoint = stage.only("ENTRYPOINT")
    program = image.which(entrypoint[0])
    expect(image.owner(program) == "remote-cl-server",
           f"server: ENTRYPOINT {program} does not come from the remote-cl-server package")
    tool = image.which("remote-cl")
    expect(not (VENDORS / "remote-cl.icd").exists(),
           f"server: {VENDORS}/remote-cl.icd is in the image: the server would offer remote-cl")
    icd_packages = image.build_env.get("ICD_PACKAGES", "").split()
    expect(icd_packages, "server: ICD_PACKAGES is empty by default: no platform to offer here")
    for package in icd_packages:
        files = run(["dpkg-query", "-L", package]).stdout.split()
        icds = [f for f in files if f.startswith(f"{VENDORS}/") and f.endswith(".icd")
                and Path(f).exists()]
        expect(icds, f"server: {package} (ICD_PACKAGES) put no .icd in {VENDORS}")
        step(f"server: {package}'s ICD {icds} in {VENDORS}; no remote-cl.icd there")
    for name in ("HOME", "XDG_CACHE_HOME"):
        folder = image.env.get(name)
        if folder:
            expect(image.writable_by_user(folder),
                   f"server: {name}={folder} is no folder USER {stage.last('USER')} can write "
                   f"(the drivers keep their kernel caches there)")
    step(f"server: HOME and XDG_CACHE_HOME are folders USER {stage.last('USER')} can write")

    port = free_port()
    command = [program if i == 0 else LISTEN.sub(f"tcp://127.0.0.1:{port}", word)
               for i, word in enumerate(entrypoint + stage.only("CMD"))]
    uid, gid = user_ids(stage)
    log_path = Path("/tmp") / "deploy-container-server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, env=image.environment(), cwd=image.workdir,
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                  start_new_session=True, preexec_fn=as_user(uid, gid))
    endpoint = f"tcp://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while f"listening on {endpoint}\n" not in log_path.read_text(errors="replace"):
            expect(server.poll() is None and time.monotonic() < deadline,
                   f"server: {command} did not print `listening on {endpoint}` "
                   f"(exit {server.poll()}):\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        step(f"server: {' '.join(command)} runs as {uid}:{gid} with ENV {image.env}")
        probe = subprocess.run([tool, "status", "--ready", endpoint], env=image.environment(),
                               preexec_fn=as_user(uid, gid), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=120)
        expect(probe.returncode == 0, f"server: the readiness probe `remote-cl status --ready "
               f"{endpoint}` exited with {probe.returncode}:\n{probe.stdout}")
        step(f"server: readiness probe: {probe.stdout.strip()}")
        print(f"{READY_LINE}{endpoint}", flush=True)
        sys.stdin.read()   # until the client's check is over (or the outer script is gone)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=SERVER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            fail(f"server: still running {SERVER_STOP_SECONDS} s after SIGTERM")
        expect(server.returncode == 0, f"server: exited with {server.returncode} after SIGTERM:\n"
               f"{log_path.read_text(errors='replace')}")
        step("server: SIGTERM (docker stop): drained and exited 0")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clinfo_rcl_devices(output):
    """The device names of the platform whose ICD suffix is RCL, from clinfo's default output."""
    suffixes = re.findall(r"^  Platform Extensions function suffix\s+(\S+)", output, re.MULTILINE)
    # The devices part: "  Platform Name  X" then "Number of devices  N" and the devices.
    blocks = re.split(r"^  Platform Name\s.*\nNumber of devices\s+\d+\n", output, flags=re.MULTILINE)
    counts = re.findall(r"^  Platform Name\s.*\nNumber of devices\s+(\d+)$", output, re.MULTILINE)
    expect(len(suffixes) == len(counts) and "RCL" in suffixes,
           f"client: clinfo shows no platform with remote-cl's ICD suffix RCL:\n{output}")
    index = suffixes.index("RCL")
    names = re.findall(r"^  Device Name\s+(.*)$", blocks[index + 1], re.MULTILINE)
    expect(int(counts[index]) >= 1 and names,
           f"client: the remote-cl platform has no device in clinfo's output:\n{output}")
    return names


def check_client_image(image, endpoint):
    stage = image.stage
    image.check_common()
    expect((VENDORS / "remote-cl.icd").exists(), f"client: no remote-cl.icd in {VENDORS}")
    command = stage.only("CMD")
    program = image.which(command[0])
    uid, gid = user_ids(stage)
    result = subprocess.run([program, *command[1:]],
                            env=image.environment({"REMOTE_CL_SERVERS": endpoint}),
                            cwd=image.workdir, preexec_fn=as_user(uid, gid),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    expect(result.returncode == 0, f"client: {command} exited with {result.returncode}:\n"
           f"{result.stdout}{result.stderr}")
    names = clinfo_rcl_devices(result.stdout)
    step(f"client: CMD {command} as {uid}:{gid} with REMOTE_CL_SERVERS={endpoint}: the remote-cl "
         f"platform has {names}")


def inside(arguments):
    """In a private mount namespace: build the stage's image in a throw-away system, check it."""
    stages = parse_dockerfile(arguments.dockerfile)
    stage = stages[arguments.inside]
    context_fd = os.open(arguments.debs, os.O_RDONLY | os.O_DIRECTORY)  # /tmp is covered below
    mount_overlays(Path(arguments.scratch) / arguments.inside)
    run(["mount", "-t", "tmpfs", "-o", "mode=1777", "tmpfs", "/tmp"])
    image = Image(stage, context_fd)
    image.build()
    if arguments.inside == "server":
        check_server_image(image)
    else:
        check_client_image(image, arguments.endpoint)


# --- outside: the packages stage, and the two stages' namespaces ------------------------------

def make_debs(arguments, packages, scratch):
    """The packages stage: cpack -G DEB of this build, then its `cp` into its folder."""
    made = run_cpack(arguments.cpack, arguments.build_dir, Path(scratch) / "cpack")
    folder = Path(scratch) / "debs"
    folder.mkdir()
    for pattern in packages.patterns:
        matched = [deb for deb in made if deb.match(pattern)]
        expect(matched, f"packages: `cp {pattern}` matches none of cpack's {[d.name for d in made]}")
        for deb in matched:
            shutil.copy2(deb, folder / deb.name)
    step(f"packages: cpack -G DEB made {[d.name for d in made]}; {packages.folder}/ holds "
         f"{sorted(os.listdir(folder))}")
    return folder


def stage_command(arguments, stage, debs, scratch, endpoint=None):
    command = [sys.executable, __file__, "--inside", stage, "--dockerfile", arguments.dockerfile,
               "--debs", debs, "--scratch", scratch, "--build-dir", arguments.build_dir,
               "--cpack", arguments.cpack, "--source-dir", arguments.source_dir]
    if endpoint:
        command += ["--endpoint", endpoint]
    return unshare_command(command)


def body(arguments, scratch):
    debs = make_debs(arguments, arguments.packages, scratch)
    server = subprocess.Popen(stage_command(arguments, "server", debs, scratch),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    ready = []
    seen = threading.Event()

    def relay():
        for line in server.stdout:
            print(f"[server stage] {line}", end="", flush=True)
            if line.startswith(READY_LINE):
                ready.append(line[len(READY_LINE):].strip())
                seen.set()
        seen.set()
    reader = threading.Thread(target=relay, daemon=True)
    reader.start()
    try:
        seen.wait(timeout=900)
        if not ready:
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
            fail(f"the server stage ended or hung before its server was ready "
                 f"(exit {server.poll()})")
        client = subprocess.run(stage_command(arguments, "client", debs, scratch, ready[0]),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=900)
        for line in client.stdout.splitlines():
            print(f"[client stage] {line}", flush=True)
        expect(client.returncode == 0, f"the client stage failed (exit {client.returncode})")
    finally:
        server.stdin.close()   # the server stage stops its server and ends
        try:
            server.wait(timeout=SERVER_STOP_SECONDS + 60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        reader.join(timeout=10)
    expect(server.returncode == 0, f"the server stage failed (exit {server.returncode})")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--cpack", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--dockerfile", help=argparse.SUPPRESS)
    parser.add_argument("--inside", choices=("server", "client"), help=argparse.SUPPRESS)
    parser.add_argument("--debs", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if not arguments.dockerfile:
        arguments.dockerfile = str(Path(arguments.source_dir) / "deploy/container/Dockerfile")
    return arguments


def main(argv):
    arguments = parse_arguments(argv)
    if arguments.inside:
        try:
            inside(arguments)
        except CheckFailed as error:
            print(f"{NAME}: FAIL: {error}", file=sys.stderr, flush=True)
            return 1
        return 0

    def recipe():
        arguments.packages = check_recipe(parse_dockerfile(arguments.dockerfile),
                                          arguments.build_dir)
    # The recipe is read (and its shape checked) even where the rest is skipped.
    if main_wrapper(f"{NAME} (recipe)", recipe) != 0:
        return 1
    reason = overlay_skip_reason()
    if reason:
        print(f"{NAME}: skipped: {reason}")
        return SKIP
    scratch = tempfile.mkdtemp(prefix="rcl-deploy-container-")
    try:
        return main_wrapper(NAME, lambda: body(arguments, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
