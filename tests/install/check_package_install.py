#!/usr/bin/env python3
"""install.packages_system: install the Debian packages for real, in a throw-away overlay.

As root, in a private mount namespace (unshare -m) whose /etc, /usr and /var are overlays
on the real ones (writes go to a temporary folder and vanish with the namespace):

  - dpkg -i remote-cl_*.deb remote-cl-server_*.deb   (postinst runs ldconfig)
  - the dynamic linker finds libremote-cl.so.0; /etc/OpenCL/vendors/remote-cl.icd names it
  - the installed /usr/bin/remote-cl-server serves clinfo (through the system vendors
    folder) and the vector add (configured by /etc/remote-cl/client.conf made from
    client.conf.example)
  - systemd-analyze verify accepts the installed unit (when available)
  - dpkg --purge removes every packaged file
The host's system is never touched. Skipped (exit 77) when not root or when the kernel
refuses unshare or overlayfs.

Usage: check_package_install.py --build-dir B --cpack CPACK --vector-add EXE --clinfo CLINFO
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from install_common import (SKIP, CheckFailed, clean_environment, expect, fail, load_with_server,
                            main_wrapper, mount_overlays, overlay_skip_reason, run, run_cpack, step,
                            unshare_command)


def inside(arguments):
    """Runs in the private mount namespace."""
    mount_overlays(arguments.scratch)
    debs = sorted(Path(arguments.debs).glob("*.deb"))
    run(["dpkg", "-i", *debs], timeout=120)
    step(f"dpkg -i {' '.join(d.name for d in debs)}")

    cache = run(["ldconfig", "-p"]).stdout
    expect(re.search(r"libremote-cl\.so\.0 .*=> ", cache), "ldconfig's cache lacks libremote-cl.so.0")
    icd = Path("/etc/OpenCL/vendors/remote-cl.icd").read_text().strip()
    expect(icd == "libremote-cl.so.0", f"remote-cl.icd holds {icd!r}")

    with_server = load_with_server()
    with with_server.running_server("/usr/bin/remote-cl-server") as server:
        environment = clean_environment()
        environment["REMOTE_CL_SERVERS"] = server.endpoint
        listing = run([arguments.clinfo, "--list"], env=environment).stdout
        expect(re.search(r"^Platform #\d+: .*\n [`|]-- Device #0: ", listing, re.MULTILINE),
               f"clinfo --list with the installed packages:\n{listing}")
        # remote-cl's platform has the real one's name: it shows by its ICD suffix,
        # which prefixes its devices' lines in clinfo --raw.
        raw = run([arguments.clinfo, "--raw"], env=environment).stdout
        expect(re.search(r"^\[RCL/0\]\s+CL_DEVICE_NAME\s+\S", raw, re.MULTILINE),
               f"clinfo --raw with the installed packages shows no device of a platform with "
               f"remote-cl's ICD suffix RCL:\n{raw}")
        step("clinfo lists the remote-cl platform and a device")

        example = Path("/etc/remote-cl/client.conf.example").read_text()
        Path("/etc/remote-cl/client.conf").write_text(
            re.sub(r"^servers\s*=.*$", f"servers = {server.endpoint}", example,
                   count=1, flags=re.MULTILINE))
        environment = clean_environment()
        environment["OCL_ICD_VENDORS"] = "/etc/OpenCL/vendors/remote-cl.icd"  # remote-cl only
        result = run([arguments.vector_add], env=environment)
        expect("vector_add: OK" in result.stdout, f"vector add:\n{result.stdout}{result.stderr}")
        step("vector add through /etc/remote-cl/client.conf: OK")

    systemd_analyze = shutil.which("systemd-analyze")
    if systemd_analyze:
        unit = "/usr/lib/systemd/system/remote-cl-server.service"
        result = run([systemd_analyze, "verify", "--man=no", unit], check=False)
        output = (result.stdout + result.stderr).strip()
        expect(result.returncode == 0 and not output, f"systemd-analyze verify {unit}:\n{output}")
        step("systemd-analyze verify of the installed unit: clean")

    packaged = run(["dpkg", "-L", "remote-cl", "remote-cl-server"]).stdout.split()
    Path("/etc/remote-cl/client.conf").unlink()
    run(["dpkg", "--purge", "remote-cl-server", "remote-cl"], timeout=120)
    left = [path for path in packaged if os.path.lexists(path) and not os.path.isdir(path)]
    expect(not left, f"dpkg --purge left {left}")
    expect(not os.path.exists("/etc/remote-cl"), "dpkg --purge left /etc/remote-cl")
    step("dpkg --purge removed everything")


def outside(arguments):
    reason = overlay_skip_reason()
    if reason:
        print(f"install.packages_system: skipped: {reason}")
        return SKIP

    def body():
        debs = Path(arguments.scratch) / "debs"
        run_cpack(arguments.cpack, arguments.build_dir, debs)
        command = unshare_command([sys.executable, __file__,
                                   "--inside", "--debs", debs, "--scratch", arguments.scratch,
                                   "--build-dir", arguments.build_dir, "--cpack", arguments.cpack,
                                   "--vector-add", arguments.vector_add, "--clinfo", arguments.clinfo])
        result = subprocess.run(command, timeout=300)
        if result.returncode != 0:
            fail(f"the check inside the mount namespace failed (exit {result.returncode})")
    return main_wrapper("install.packages_system", body)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--cpack", required=True)
    parser.add_argument("--vector-add", required=True)
    parser.add_argument("--clinfo", required=True)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--debs", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv):
    arguments = parse_arguments(argv)
    if arguments.inside:
        try:
            inside(arguments)
        except CheckFailed as error:
            print(f"install.packages_system: FAIL: {error}", file=sys.stderr)
            return 1
        return 0
    arguments.scratch = tempfile.mkdtemp(prefix="rcl-install-system-")
    try:
        return outside(arguments)
    finally:
        shutil.rmtree(arguments.scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
