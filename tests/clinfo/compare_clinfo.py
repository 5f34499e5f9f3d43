#!/usr/bin/env python3
"""clinfo through remote-cl must show what clinfo shows natively.

Runs clinfo natively and through remote-cl (a remote-cl-server started as in
scripts/with-server.py) and compares, property by property:
  * `clinfo --raw --all-props`: one line per platform, device and ICD loader
    property, keyed by its CL_* name. --all-props also lists properties that
    only work without the extension that advertises them, so remote-cl must
    succeed and fail exactly where the native platform does.
  * the "NULL platform behavior" section of the default (human) output, which
    --raw does not print.
Differences not covered by ALLOW_LIST below fail the test (exit 1) with a
unified diff.

Usage: compare_clinfo.py [--clinfo PATH] --server PATH --vendors DIR
"""

import argparse
import difflib
import fnmatch
import importlib.util
import itertools
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

# ---------------------------------------------------------------------------
# Allow-list: the only accepted differences between native and remote output.
# Each entry names raw clinfo properties, the test a (native, remote) value
# pair must pass, and why the difference is expected. Identity is never on
# it: platform and device names, vendors, versions, profiles and numeric
# versions must be equal (applications recognise implementations by them).
# Where a remote platform is has remote-cl's own queries (CL/cl_remote.h),
# which clinfo does not know.
#
# Decisions about whole sections (no entry needed):
#  * ICD loader properties (CL_ICDL_*): compared; both runs use the same
#    libOpenCL, so they must be identical.
#  * "NULL platform behavior": compared only when the native NULL (default)
#    platform is the one being compared, i.e. the first native platform; the
#    remote run's only platform is remote-cl's, so it is its NULL platform.
#    The remote ICD suffix in these lines ("[RCL]") is replaced by the native
#    one, the difference allowed for CL_PLATFORM_ICD_SUFFIX_KHR below.
#  * Everything else, every device property in particular, must be identical.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    properties: tuple
    accepts: Callable[[str, str], bool]  # (native value, remote value)
    reason: str


SHARING_EXTENSION_PATTERNS = ("cl_khr_gl_sharing", "cl_khr_d3d*", "cl_khr_egl*", "cl_khr_dx9*")

# The extensions remote-cl masks, and their device queries: the one table,
# codegen/opencl_calls.toml [extensions] (status = "masked").
ANNOTATIONS = Path(__file__).resolve().parents[2] / "codegen" / "opencl_calls.toml"
with open(ANNOTATIONS, "rb") as _f:
    _EXTENSION_ROWS = tomllib.load(_f)["extensions"]
MASKED_EXTENSIONS = {name: row for name, row in _EXTENSION_ROWS.items() if row.get("status") == "masked"}
MASKED_QUERIES = tuple(q for row in MASKED_EXTENSIONS.values() for q in row.get("queries", []))

# remote-cl's own extensions (cl_rcl_ops: operations run by the server, CL/cl_remote.h).
REMOTE_CL_EXTENSIONS = ("cl_rcl_ops",)
REMOTE_CL_ICD_SUFFIX = "RCL"

ALLOW_LIST = (
    Allowance(("CL_PLATFORM_ICD_SUFFIX_KHR",),
              lambda native, remote: remote == REMOTE_CL_ICD_SUFFIX,
              "remote-cl's own extension function suffix (RCL): the ICD loader routes "
              "clGetExtensionFunctionAddress by it (to cl_rcl_ops' functions; the real platform's "
              "forwarded ones are found with clGetExtensionFunctionAddressForPlatform), and a "
              "server skips platforms with it"),
    Allowance(("CL_PLATFORM_EXTENSIONS", "CL_PLATFORM_EXTENSIONS_WITH_VERSION"),
              lambda native, remote: extensions_without_own(native) == extensions_without_own(remote),
              "remote-cl adds its own extension " + ", ".join(REMOTE_CL_EXTENSIONS)),
    Allowance(("CL_DEVICE_EXECUTION_CAPABILITIES",),
              lambda native, remote: flags(remote) == flags(native) - {"CL_EXEC_NATIVE_KERNEL"},
              "native kernels (host function pointers) cannot run on the server: "
              "'Run native kernels' is masked"),
    Allowance(("CL_DEVICE_SVM_CAPABILITIES",),
              lambda native, remote: flags(remote) == flags(native) & {"CL_DEVICE_SVM_COARSE_GRAIN_BUFFER"},
              "coarse-grained buffer SVM is forwarded (the client keeps a shadow of each allocation, "
              "synced at maps, unmaps and copies); fine grain and SVM atomics would need memory shared "
              "across hosts: only CL_DEVICE_SVM_COARSE_GRAIN_BUFFER stays"),
    Allowance(("CL_DEVICE_HOST_UNIFIED_MEMORY",),
              lambda native, remote: remote == "CL_FALSE",
              "device memory lives on the server, never unified with the client's "
              "('Unified memory for Host and Device')"),
    Allowance(("CL_DEVICE_EXTENSIONS", "CL_DEVICE_EXTENSIONS_WITH_VERSION"),
              lambda native, remote: (extensions_without_masked(native)
                                      == extensions_without_own(remote)),
              "graphics-API sharing needs a context on the client's display, and extensions whose "
              "entry points are not forwarded are masked (codegen/opencl_calls.toml [extensions]): "
              "remote-cl removes " + ", ".join(SHARING_EXTENSION_PATTERNS + tuple(MASKED_EXTENSIONS))
              + " and adds cl_rcl_ops"),
    Allowance(MASKED_QUERIES,
              lambda native, remote: remote is None or "CL_INVALID_VALUE" in remote,
              "the queries of a masked extension go with it: remote-cl refuses them "
              "(CL_INVALID_VALUE), as a device without the extension does"),
)

# The comparison must not pass vacuously.
MIN_DEVICE_PROPERTIES = 100

# ---------------------------------------------------------------------------

WITH_SERVER_PATH = Path(__file__).resolve().parents[2] / "scripts" / "with-server.py"
RAW_ARGUMENTS = ("--raw", "--all-props")
NULL_PLATFORM_HEADER = "NULL platform behavior"
PREFIXED_LINE = re.compile(r"^\[[^/\]]*/(?P<index>[^\]]*)\]\s+(?P<rest>.*)$")


def flags(value):
    """'CL_A | CL_B' -> {'CL_A', 'CL_B'}; an empty value is no flag."""
    return {flag.strip() for flag in value.split("|") if flag.strip()}


def extension_name(item):
    """'cl_khr_fp64' or 'cl_khr_fp64:0x400000' (with version) -> 'cl_khr_fp64'."""
    return item.split(":", 1)[0]


def is_sharing_extension(item):
    return any(fnmatch.fnmatchcase(extension_name(item), pattern)
               for pattern in SHARING_EXTENSION_PATTERNS)


def extensions_without_own(value):
    return {item for item in value.split() if extension_name(item) not in REMOTE_CL_EXTENSIONS}


def extensions_without_sharing(value):
    return {item for item in extensions_without_own(value) if not is_sharing_extension(item)}


def extensions_without_masked(value):
    return {item for item in extensions_without_sharing(value)
            if extension_name(item) not in MASKED_EXTENSIONS}


def allowance_for(property_name):
    for allowance in ALLOW_LIST:
        if property_name in allowance.properties:
            return allowance
    return None


# --- Parsing `clinfo --raw` ------------------------------------------------


@dataclass
class Platform:
    properties: dict = field(default_factory=dict)  # CL_PLATFORM_* and #DEVICES
    devices: list = field(default_factory=list)     # one dict per device

    @property
    def name(self):
        return self.properties.get("CL_PLATFORM_NAME", "")

    @property
    def icd_suffix(self):
        return self.properties.get("CL_PLATFORM_ICD_SUFFIX_KHR", "")


@dataclass
class RawReport:
    platform_count: int = 0
    platforms: list = field(default_factory=list)
    loader: dict = field(default_factory=dict)


def split_property(text):
    """'CL_NAME    value  ' -> ('CL_NAME', 'value')."""
    name, _, value = text.strip().partition(" ")
    return name, value.strip()


class ClinfoFormatError(Exception):
    pass


def platform_at(report, position, line):
    """report.platforms[position], or a format error naming the offending line."""
    if not 0 <= position < len(report.platforms):
        raise ClinfoFormatError(f"unexpected line in clinfo --raw output: {line!r}")
    return report.platforms[position]


def parse_raw(text):
    """Parse `clinfo --raw` output.

    Layout: '#PLATFORMS n', then each platform's properties (indented, each
    block starting with CL_PLATFORM_NAME); then per platform a device list,
    '[SUFFIX/*] CL_PLATFORM_NAME', '[SUFFIX/*] #DEVICES n' and
    '[SUFFIX/i] CL_DEVICE_...' lines; last '[OCLICD/*] CL_ICDL_...' lines.
    """
    report = RawReport()
    device_lists = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        prefixed = PREFIXED_LINE.match(line)
        if prefixed is None:
            name, value = split_property(line)
            if name == "#PLATFORMS":
                report.platform_count = int(value)
                continue
            if name == "CL_PLATFORM_NAME":
                report.platforms.append(Platform())
            platform_at(report, len(report.platforms) - 1, line).properties[name] = value
            continue
        name, value = split_property(prefixed["rest"])
        index = prefixed["index"]
        if name.startswith("CL_ICDL_"):
            report.loader[name] = value
        elif index == "*" and name == "CL_PLATFORM_NAME":
            device_lists += 1
        elif index == "*":
            platform_at(report, device_lists - 1, line).properties[name] = value
        elif index.isdigit():
            devices = platform_at(report, device_lists - 1, line).devices
            while len(devices) <= int(index):
                devices.append({})
            devices[int(index)][name] = value
        else:
            raise ClinfoFormatError(f"unexpected line in clinfo --raw output: {line!r}")
    return report


def null_platform_section(human_text):
    """The lines of the human output's 'NULL platform behavior' section."""
    lines = human_text.splitlines()
    if NULL_PLATFORM_HEADER not in lines:
        return []
    start = lines.index(NULL_PLATFORM_HEADER) + 1
    section = []
    for line in lines[start:]:
        if not line.strip():
            break
        section.append(line.rstrip())
    return section


# --- Comparing -------------------------------------------------------------


@dataclass(frozen=True)
class ClinfoOutput:
    raw: str    # clinfo --raw --all-props
    human: str  # clinfo


@dataclass
class Comparison:
    diff: list = field(default_factory=list)      # unified diff lines
    problems: list = field(default_factory=list)  # reasons the comparison is void
    allowed: list = field(default_factory=list)   # (where, property, reason)
    device_properties_compared: int = 0
    null_platform_lines_compared: int = 0

    @property
    def passed(self):
        return not self.diff and not self.problems


def normalized_lines(where, native, remote, comparison):
    """Lines 'where: NAME = value' for both sides, allowed differences erased."""
    native_lines = [f"{where}: {name} = {value}" for name, value in native.items()]
    remote_lines = []
    for name, value in remote.items():
        allowance = allowance_for(name)
        native_value = native.get(name)
        if (native_value is not None and value != native_value
                and allowance is not None and allowance.accepts(native_value, value)):
            comparison.allowed.append((where, name, allowance.reason))
            value = native_value
        remote_lines.append(f"{where}: {name} = {value}")
    # A property the remote side does not show at all, where that is allowed.
    for name, native_value in native.items():
        allowance = allowance_for(name)
        if name not in remote and allowance is not None and allowance.accepts(native_value, None):
            comparison.allowed.append((where, name, allowance.reason))
            native_lines.remove(f"{where}: {name} = {native_value}")
    return native_lines, remote_lines


def device_lines(native_platform, remote_platform, comparison):
    native_lines, remote_lines = [], []
    device_pairs = itertools.zip_longest(native_platform.devices, remote_platform.devices,
                                         fillvalue={})
    for index, (native, remote) in enumerate(device_pairs):
        comparison.device_properties_compared += len(native.keys() & remote.keys())
        native_part, remote_part = normalized_lines(f"device {index}", native, remote, comparison)
        native_lines += native_part
        remote_lines += remote_part
    return native_lines, remote_lines


def null_platform_lines(native_human, remote_human, native_platform, remote_platform):
    """NULL platform lines, the remote ICD suffix ("[RCL]") replaced by the native one."""
    def as_native(line):
        return line.replace(f"[{remote_platform.icd_suffix}]", f"[{native_platform.icd_suffix}]")

    native_lines = [f"null platform: {line}" for line in null_platform_section(native_human)]
    remote_lines = [f"null platform: {as_native(line)}"
                    for line in null_platform_section(remote_human)]
    return native_lines, remote_lines


def find_native_platform(native, remote_platform):
    """Index of the native platform that remote-cl serves: the one of the same name."""
    for index, platform in enumerate(native.platforms):
        if platform.name and platform.name == remote_platform.name:
            return index
    return None


def check_remote_shape(remote):
    if remote.platform_count != 1 or len(remote.platforms) != 1:
        return [f"remote clinfo found {remote.platform_count} platforms, expected exactly 1"]
    if not remote.platforms[0].devices:
        return ["remote clinfo found no device"]
    return []


def compare(native_output, remote_output):
    """Compare native and remote clinfo output; see the module docstring."""
    comparison = Comparison()
    native, remote = parse_raw(native_output.raw), parse_raw(remote_output.raw)
    comparison.problems = check_remote_shape(remote)
    if comparison.problems:
        return comparison
    remote_platform = remote.platforms[0]
    native_index = find_native_platform(native, remote_platform)
    if native_index is None:
        native_names = [platform.name for platform in native.platforms]
        comparison.problems.append(f"no native platform among {native_names} matches "
                                   f"remote platform '{remote_platform.name}'")
        return comparison
    native_platform = native.platforms[native_index]

    sections = [
        normalized_lines("platform", native_platform.properties,
                         remote_platform.properties, comparison),
        device_lines(native_platform, remote_platform, comparison),
        normalized_lines("loader", native.loader, remote.loader, comparison),
    ]
    if native_index == 0:
        null_section = null_platform_lines(native_output.human, remote_output.human,
                                           native_platform, remote_platform)
        comparison.null_platform_lines_compared = len(null_section[1])
        sections.append(null_section)
    native_lines = [line for native_part, _ in sections for line in native_part]
    remote_lines = [line for _, remote_part in sections for line in remote_part]
    comparison.diff = list(difflib.unified_diff(
        native_lines, remote_lines, "native clinfo", "clinfo through remote-cl", lineterm=""))

    if comparison.device_properties_compared < MIN_DEVICE_PROPERTIES:
        comparison.problems.append(
            f"only {comparison.device_properties_compared} device properties compared, "
            f"expected at least {MIN_DEVICE_PROPERTIES}")
    return comparison


def print_comparison(comparison):
    for where, name, reason in comparison.allowed:
        print(f"allowed difference: {where}: {name}: {reason}")
    print(f"compared {comparison.device_properties_compared} device properties and "
          f"{comparison.null_platform_lines_compared} NULL platform lines")
    for problem in comparison.problems:
        print(f"FAIL: {problem}")
    if comparison.diff:
        print("FAIL: unexpected differences (lines starting with '-' are native, "
              "'+' through remote-cl):")
        print("\n".join(comparison.diff))
    if comparison.passed:
        print("PASS: clinfo through remote-cl matches native clinfo")


# --- Running clinfo --------------------------------------------------------


class ClinfoError(Exception):
    pass


def load_with_server():
    spec = importlib.util.spec_from_file_location("with_server", WITH_SERVER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_clinfo(clinfo, arguments, environment):
    result = subprocess.run([clinfo, *arguments], env=environment, capture_output=True,
                            text=True, errors="replace", timeout=60)
    if result.returncode != 0:
        raise ClinfoError(f"{clinfo} {' '.join(arguments)} exited with code "
                          f"{result.returncode}\n{result.stdout}{result.stderr}")
    return result.stdout


def run_clinfo_outputs(clinfo, environment):
    return ClinfoOutput(raw=run_clinfo(clinfo, RAW_ARGUMENTS, environment),
                        human=run_clinfo(clinfo, (), environment))


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinfo", default="clinfo", help="clinfo executable")
    parser.add_argument("--server", required=True, type=Path,
                        help="the remote-cl-server executable")
    parser.add_argument("--vendors", required=True, type=Path,
                        help="OCL_ICD_VENDORS directory holding remote-cl.icd")
    return parser.parse_args(argv)


def print_server_log(server):
    print(f"--- server log {server.log_path} ---\n{server.read_log()}--- end of server log ---")


def compare_through_server(arguments, with_server, native):
    """Run clinfo through remote-cl and compare; show the server log on failure."""
    with with_server.running_server(arguments.server) as server:
        environment = with_server.remote_environment(arguments.vendors, server.endpoint)
        try:
            remote = run_clinfo_outputs(arguments.clinfo, environment)
        except (ClinfoError, subprocess.TimeoutExpired):
            print_server_log(server)
            raise
        comparison = compare(native, remote)
        print_comparison(comparison)
        if not comparison.passed:
            server.failed = True
            print_server_log(server)
    return comparison.passed


def main(argv):
    arguments = parse_arguments(argv)
    with_server = load_with_server()
    try:
        native = run_clinfo_outputs(arguments.clinfo, with_server.native_environment())
        passed = compare_through_server(arguments, with_server, native)
    except (ClinfoError, ClinfoFormatError, with_server.ServerError,
            subprocess.TimeoutExpired) as error:
        print(f"FAIL: {error}")
        return 1
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
