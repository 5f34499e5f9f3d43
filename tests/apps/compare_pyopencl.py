#!/usr/bin/env python3
"""PyOpenCL (Debian's python3-pyopencl) natively on PoCL and through remote-cl
must see the same platform: pyopencl_probe.py runs once with OCL_ICD_VENDORS
naming PoCL's .icd only, once with OCL_ICD_VENDORS holding only remote-cl's
.icd and a real remote-cl-server on loopback, and the two reports must agree:

  * pyopencl.characterize.get_pocl_version() gives PoCL's version both times
    (it does only when CL_PLATFORM_NAME is exactly PoCL's);
  * the platform's and its devices' identity values are equal (name, vendor,
    version, profile, numeric versions, vendor id, driver and OpenCL C
    versions, ...), and so is what pyopencl.characterize concludes;
  * the platform extensions are equal up to remote-cl's own;
  * the remote platform says where it is (CL_PLATFORM_REMOTE_ENDPOINT_RCL is
    the server's endpoint, CL_PLATFORM_ICD_SUFFIX_KHR is RCL) and the native
    one refuses remote-cl's queries with CL_INVALID_VALUE;
  * a kernel built from source, PyOpenCL's array arithmetic and reduction give
    the exact expected bytes, the same natively and remotely.

Exit code 1, each failed check named, if any check fails.

usage: compare_pyopencl.py --python PYTHON3 --server remote-cl-server --vendors DIR [--native-icd FILE]"""

import argparse
import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROBE = HERE / "pyopencl_probe.py"
WITH_SERVER = HERE.parents[1] / "scripts" / "with-server.py"
TIMEOUT_SECONDS = 300
CL_INVALID_VALUE = -30
OWN_PLATFORM_EXTENSIONS = {"cl_rcl_ops"}  # remote-cl's own (CL/cl_remote.h)


def load_with_server():
    spec = importlib.util.spec_from_file_location("with_server", WITH_SERVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ProbeError(Exception):
    pass


def run_probe(python, environment, cache, where):
    """pyopencl_probe.py's report; each run compiles into a PyOpenCL cache of its own."""
    environment = dict(environment, XDG_CACHE_HOME=str(cache))
    try:
        result = subprocess.run([python, str(PROBE)], env=environment, capture_output=True, text=True,
                                timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ProbeError(f"{where}: pyopencl_probe.py did not finish within {TIMEOUT_SECONDS} s") from None
    if result.returncode != 0:
        raise ProbeError(f"{where}: pyopencl_probe.py exited with {result.returncode}\n{result.stdout}{result.stderr}")
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise ProbeError(f"{where}: unreadable report ({error}):\n{result.stdout}{result.stderr}") from None


class Checks:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def expect(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failures.append(what)
            print(f"FAIL: {what}")

    def equal(self, where, native, remote):
        """native == remote, key by key when both are dicts."""
        if isinstance(native, dict) and isinstance(remote, dict) and "error" not in native:
            for key in native.keys() | remote.keys():
                self.equal(f"{where} {key}", native.get(key, "<missing>"), remote.get(key, "<missing>"))
            return
        self.expect(native == remote, f"{where}: native {native!r}, remote {remote!r}")


def only_platform(report, where, checks):
    platforms = report["platforms"]
    checks.expect(len(platforms) == 1, f"{where}: {len(platforms)} platforms, expected exactly 1 "
                  f"({[p['identity'].get('NAME') for p in platforms]})")
    return platforms[0] if platforms else None


def compare_platforms(native, remote, endpoint, checks):
    version = native["pocl_version"]
    checks.expect(isinstance(version, list) and len(version) == 2,
                  f"native: get_pocl_version() gave {version!r}: the native platform must be PoCL "
                  f"(named {native['identity'].get('NAME')!r})")
    checks.equal("platform get_pocl_version()", version, remote["pocl_version"])
    checks.equal("platform", native["identity"], remote["identity"])

    native_extensions = set(str(native["extensions"]).split())
    remote_extensions = set(str(remote["extensions"]).split())
    checks.expect(remote_extensions - OWN_PLATFORM_EXTENSIONS == native_extensions,
                  f"platform extensions beyond remote-cl's own {sorted(OWN_PLATFORM_EXTENSIONS)}: native "
                  f"{sorted(native_extensions)}, remote {sorted(remote_extensions)}")

    checks.expect(remote["icd_suffix"] == "RCL", f"remote CL_PLATFORM_ICD_SUFFIX_KHR {remote['icd_suffix']!r}, "
                  "expected remote-cl's own 'RCL'")
    checks.expect(remote["remote_endpoint"] == endpoint,
                  f"remote CL_PLATFORM_REMOTE_ENDPOINT_RCL {remote['remote_endpoint']!r}, expected {endpoint!r}")
    checks.expect(remote["remote_server"] == socket.gethostname(),
                  f"remote CL_PLATFORM_REMOTE_SERVER_RCL {remote['remote_server']!r}, expected this host's "
                  f"name {socket.gethostname()!r} (the server runs here)")
    for query in ("remote_endpoint", "remote_server"):
        checks.expect(native[query] == {"status": CL_INVALID_VALUE},
                      f"native {query}: {native[query]!r}, expected CL_INVALID_VALUE (a local platform)")

    checks.expect(len(native["devices"]) == len(remote["devices"]),
                  f"native has {len(native['devices'])} devices, remote {len(remote['devices'])}")
    checks.expect(native["devices"], "native: no device")
    for index, (native_device, remote_device) in enumerate(zip(native["devices"], remote["devices"])):
        checks.equal(f"device {index}", native_device["identity"], remote_device["identity"])
        checks.equal(f"device {index} characterize", native_device["characterize"], remote_device["characterize"])


def check_kernel(where, kernel, checks):
    if "error" in kernel:
        checks.expect(False, f"{where}: the PyOpenCL computation failed:\n{kernel['error']}")
        return
    checks.expect(kernel["kernel_bytes_equal"],
                  f"{where}: the kernel's output differs from numpy's: {kernel['kernel_first_difference']}")
    checks.expect(kernel["array_affine_equal"], f"{where}: pyopencl.array 3 * x + 7 differs from numpy's")
    checks.expect(kernel["array_sum"] == kernel["array_sum_expected"],
                  f"{where}: pyopencl.array.sum gave {kernel['array_sum']}, expected {kernel['array_sum_expected']}")


def compare(native, remote, endpoint):
    checks = Checks()
    native_platform = only_platform(native, "native", checks)
    remote_platform = only_platform(remote, "remote", checks)
    if native_platform is not None and remote_platform is not None:
        compare_platforms(native_platform, remote_platform, endpoint, checks)
    check_kernel("native", native["kernel"], checks)
    check_kernel("remote", remote["kernel"], checks)
    checks.equal("kernel output sha256", native["kernel"].get("kernel_sha256"), remote["kernel"].get("kernel_sha256"))
    return checks


def summary(report):
    platform = report["platforms"][0] if report["platforms"] else {}
    identity = platform.get("identity", {})
    devices = [device["identity"].get("NAME") for device in platform.get("devices", [])]
    return (f"{identity.get('NAME')!r} ({identity.get('VERSION')!r}), get_pocl_version() "
            f"{platform.get('pocl_version')}, devices {devices}, ICD suffix {platform.get('icd_suffix')!r}, "
            f"endpoint {platform.get('remote_endpoint')!r}")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="/usr/bin/python3", help="a python3 that imports pyopencl")
    parser.add_argument("--server", required=True, type=Path, help="the remote-cl-server executable")
    parser.add_argument("--vendors", required=True, type=Path, help="OCL_ICD_VENDORS directory holding remote-cl.icd")
    parser.add_argument("--native-icd", default="/etc/OpenCL/vendors/pocl.icd", type=Path,
                        help="PoCL's .icd file: the only platform of the native run")
    return parser.parse_args()


def main():
    args = parse_arguments()
    imports = subprocess.run([args.python, "-c", "import pyopencl"], capture_output=True, text=True)
    if imports.returncode != 0:
        print(f"FAIL: {args.python} cannot import pyopencl (scripts/setup-deps.sh installs python3-pyopencl):\n"
              f"{imports.stderr}")
        return 1
    if not args.native_icd.is_file():
        print(f"FAIL: no PoCL .icd at {args.native_icd} (scripts/setup-deps.sh installs pocl-opencl-icd)")
        return 1
    with_server = load_with_server()
    with tempfile.TemporaryDirectory(prefix="rcl-pyopencl-") as scratch:
        try:
            native_environment = dict(with_server.native_environment(), OCL_ICD_VENDORS=str(args.native_icd))
            native = run_probe(args.python, native_environment, Path(scratch) / "native", "native")
            with with_server.running_server(args.server) as server:
                environment = with_server.remote_environment(args.vendors, server.endpoint)
                remote = run_probe(args.python, environment, Path(scratch) / "remote", "remote")
                checks = compare(native, remote, server.endpoint)
                if checks.failures:
                    server.failed = True  # keeps the server's log
        except (ProbeError, with_server.ServerError) as error:
            print(f"FAIL: {error}")
            return 1
    print(f"native:    {summary(native)}")
    print(f"remote-cl: {summary(remote)}")
    if checks.failures:
        print(f"FAIL: {len(checks.failures)} of {checks.passed + len(checks.failures)} checks failed")
        return 1
    print(f"PASS: PyOpenCL sees the same platform natively and through remote-cl ({checks.passed} checks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
