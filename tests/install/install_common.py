"""Shared parts of check_install.py, check_packages.py, check_package_install.py and
tests/deploy/check_container.py: the build's install layout (read from CMakeCache.txt),
command running, failure reporting, cpack, and the throw-away system (a private mount
namespace whose /etc, /usr and /var are overlays) that dpkg and apt-get may write to."""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class CheckFailed(Exception):
    """One failed expectation; the message says what and why."""


def fail(message):
    raise CheckFailed(message)


def expect(condition, message):
    if not condition:
        fail(message)


def read_cache(build_dir):
    """CMakeCache.txt as a dict NAME -> value (types dropped)."""
    cache = {}
    for line in (Path(build_dir) / "CMakeCache.txt").read_text().splitlines():
        if not line or line.startswith(("#", "//")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        cache[key.split(":", 1)[0]] = value
    return cache


def under_prefix(path, prefix):
    """An install destination made absolute as CMake does: relative ones are under the prefix."""
    path = PurePosixPath(path)
    return path if path.is_absolute() else PurePosixPath(prefix) / path


@dataclass
class Layout:
    """Where the install rules put each file, for one prefix (absolute, without DESTDIR)."""
    prefix: str
    libdir: PurePosixPath
    bindir: PurePosixPath
    includedir: PurePosixPath
    vendors_dir: PurePosixPath
    config_dir: PurePosixPath
    unit_dir: PurePosixPath
    icd_library_name: str

    @classmethod
    def from_cache(cls, cache, prefix):
        return cls(
            prefix=prefix,
            libdir=under_prefix(cache.get("CMAKE_INSTALL_LIBDIR", "lib"), prefix),
            bindir=under_prefix(cache.get("CMAKE_INSTALL_BINDIR", "bin"), prefix),
            includedir=under_prefix(cache.get("CMAKE_INSTALL_INCLUDEDIR", "include"), prefix),
            vendors_dir=under_prefix(cache.get("RCL_ICD_VENDORS_DIR", "/etc/OpenCL/vendors"), prefix),
            config_dir=under_prefix(cache.get("RCL_CONFIG_DIR", "/etc/remote-cl"), prefix),
            unit_dir=under_prefix(cache.get("RCL_SYSTEMD_UNIT_DIR", "lib/systemd/system"), prefix),
            icd_library_name=cache.get("RCL_ICD_LIBRARY_NAME", "AUTO"),
        )

    @property
    def icd(self):
        return self.vendors_dir / "remote-cl.icd"

    @property
    def server(self):
        return self.bindir / "remote-cl-server"

    @property
    def tool(self):
        return self.bindir / "remote-cl"

    @property
    def keygen(self):
        return self.bindir / "remote-cl-keygen"

    @property
    def unit(self):
        return self.unit_dir / "remote-cl-server.service"

    @property
    def client_example(self):
        return self.config_dir / "client.conf.example"

    @property
    def server_example(self):
        return self.config_dir / "server.conf.example"

    def headers(self, source_dir):
        """The installed paths of the public headers include/CL/*.h of the source tree."""
        names = sorted(p.name for p in (Path(source_dir) / "include" / "CL").glob("*.h"))
        return [self.includedir / "CL" / name for name in names]

    @property
    def plugin_header(self):
        return self.includedir / "rcl" / "rcl_plugin.h"

    def library_links(self):
        """The soname link (what remote-cl.icd names) and the namelink; the real file is
        libremote-cl.so.<version>, which both point at."""
        return [self.libdir / SONAME, self.libdir / "libremote-cl.so"]


WITH_SERVER_PATH = Path(__file__).resolve().parents[2] / "scripts" / "with-server.py"
SONAME = "libremote-cl.so.0"
UNIT_HARDENING = [
    "NoNewPrivileges=yes",
    "DynamicUser=yes",
    "SupplementaryGroups=render video",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
]
CLIENT_KEYS = ["servers", "log_level", "connect_timeout_ms", "dead_after_ms", "sync"]
SERVER_OPTIONS = ["--listen", "--platform", "--client-timeout", "--verbose", "--curve-secret-key-file",
                  "--allowed-clients", "--insecure", "--session-ports"]


def run(command, env=None, timeout=60, check=True):
    """Run a command, return CompletedProcess with text stdout/stderr; fail with its output."""
    command = [str(part) for part in command]
    try:
        result = subprocess.run(command, env=env, timeout=timeout, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except subprocess.TimeoutExpired:
        fail(f"timed out after {timeout} s: {' '.join(command)}")
    if check and result.returncode != 0:
        fail(f"exit code {result.returncode}: {' '.join(command)}\n"
             f"--- stdout ---\n{result.stdout}--- stderr ---\n{result.stderr}")
    return result


def main_wrapper(name, body):
    """Run body(); print PASS/FAIL lines; return the process exit code."""
    try:
        body()
    except CheckFailed as error:
        print(f"{name}: FAIL: {error}", file=sys.stderr)
        return 1
    print(f"{name}: PASS")
    return 0


def main_in_scratch(name, arguments, prefix, body, kept):
    """main_wrapper around body(arguments), with arguments.scratch a fresh directory
    (named from `prefix`), removed after a pass unless arguments.keep; else `kept`
    (formatted with {scratch}) says what stays there."""
    arguments.scratch = tempfile.mkdtemp(prefix=prefix)
    code = main_wrapper(name, lambda: body(arguments))
    if code == 0 and not arguments.keep:
        shutil.rmtree(arguments.scratch, ignore_errors=True)
    else:
        print(f"{name}: {kept.format(scratch=arguments.scratch)}", file=sys.stderr)
    return code


def load_with_server():
    spec = importlib.util.spec_from_file_location("with_server", WITH_SERVER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def step(message):
    print(f"-- {message}", flush=True)


def clean_environment():
    """os.environ without the variables that would change what remote-cl or the loader does."""
    environment = dict(os.environ)
    for name in list(environment):
        if name.startswith("REMOTE_CL_") or name in ("OCL_ICD_VENDORS", "OCL_ICD_FILENAMES",
                                                     "LD_LIBRARY_PATH", "LD_PRELOAD"):
            environment.pop(name)
    return environment


def run_cpack(cpack, build_dir, out_dir):
    """cpack -G DEB of the build into out_dir (what `cd build && cpack -G DEB` makes);
    returns the .deb files made."""
    run([cpack, "-G", "DEB", "-B", out_dir, "--config", Path(build_dir) / "CPackConfig.cmake"],
        env=clean_environment(), timeout=300)
    return sorted(Path(out_dir).glob("*.deb"))


# --- the throw-away system -------------------------------------------------------------------
# As root, `unshare -m --propagation private` gives a mount namespace of its own; overlays
# mounted there on /etc, /usr and /var take every write (dpkg's, apt-get's) into a scratch
# folder and vanish with the namespace. The host's system is never touched.

SKIP = 77
OVERLAID = ("etc", "usr", "var")


def unshare_command(command):
    """command, run in a private mount namespace of its own."""
    return ["unshare", "-m", "--propagation", "private", *[str(part) for part in command]]


def overlay_skip_reason():
    """Why packages cannot be installed in a throw-away overlay here, or None if they can:
    not root, no private mount namespace, or no overlayfs (upper folder in the temporary
    folder, as mount_overlays() makes it)."""
    if os.geteuid() != 0:
        return "needs root (dpkg in a mount namespace)"
    probe = subprocess.run(unshare_command(["sh", "-c", "mount -t tmpfs none /mnt"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        return "no private mount namespace here"
    with tempfile.TemporaryDirectory(prefix="rcl-overlay-probe-") as scratch:
        upper, work = Path(scratch) / "upper", Path(scratch) / "work"
        upper.mkdir()
        work.mkdir()
        probe = subprocess.run(unshare_command(
            ["mount", "-t", "overlay", "overlay", "-o",
             f"lowerdir=/etc,upperdir={upper},workdir={work}", "/mnt"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        return "the kernel refuses an overlayfs mount on /etc"
    return None


def mount_overlays(scratch):
    """Inside the private namespace: make /etc, /usr and /var throw-away overlays whose
    writes go to folders in scratch. Exits unless each really is an overlay afterwards."""
    for name in OVERLAID:
        upper, work = Path(scratch) / f"{name}-upper", Path(scratch) / f"{name}-work"
        upper.mkdir(parents=True)
        work.mkdir()
        run(["mount", "-t", "overlay", "overlay", "-o",
             f"lowerdir=/{name},upperdir={upper},workdir={work}", f"/{name}"])
    # Never run dpkg unless every folder it writes is really an overlay.
    for name in OVERLAID:
        fstype = run(["findmnt", "-n", "-o", "FSTYPE", "--mountpoint", f"/{name}"]).stdout
        if fstype.strip() != "overlay":
            raise SystemExit(f"/{name} is not an overlay ({fstype.strip()!r}); stopping")
