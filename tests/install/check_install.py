#!/usr/bin/env python3
"""install.destdir: install the build into a DESTDIR staging root and use only what was
installed.

  1. DESTDIR=<staging> cmake --install <build> --prefix /usr   (twice: idempotent)
  2. every expected file is there: library, remote-cl.icd, headers, server, unit, examples
  3. the installed server (started with scripts/with-server.py's running_server) serves
     clinfo and a vector add through the installed library, found by the ocl-icd loader
     through the installed .icd alone: OCL_ICD_VENDORS=<staging>/etc/OpenCL/vendors.
     The .icd names the soname libremote-cl.so.0 (the library is in the linker's default
     path once really installed), so the staged tree only needs
     LD_LIBRARY_PATH=<staging>/usr/lib...; nothing installed is rewritten.
     The vector add reads its server from a copy of the installed client.conf.example.
  4. the unit names the installed server and its EnvironmentFile, has the hardening
     options and passes systemd-analyze verify (when available)
  5. an install with another prefix (/opt/remote-cl) names absolute paths instead.

Usage: check_install.py --build-dir B --cmake CMAKE --clinfo CLINFO --vector-add EXE
                        --source-dir S [--systemd-analyze PATH] [--keep]
"""

import argparse
import os
import re
import shlex
import sys
from pathlib import Path

from install_common import (CLIENT_KEYS, SERVER_OPTIONS, SONAME, UNIT_HARDENING, Layout,
                            clean_environment, expect, fail, load_with_server, main_in_scratch,
                            read_cache, run, step)


def staged(root, path):
    """The staging-root path of an absolute installed path."""
    return Path(root) / str(path).lstrip("/")


def cmake_install(arguments, root, prefix):
    environment = clean_environment()
    environment["DESTDIR"] = str(root)
    return run([arguments.cmake, "--install", arguments.build_dir, "--prefix", prefix],
               env=environment)


def check_files(root, layout, source_dir):
    expected = [layout.icd, layout.server, layout.tool, layout.keygen, layout.unit, layout.client_example,
                layout.server_example, layout.plugin_header, *layout.library_links(), *layout.headers(source_dir)]
    missing = [str(path) for path in expected if not staged(root, path).is_file()]
    expect(not missing, f"not installed under {root}: {', '.join(missing)}")
    library = staged(root, layout.libdir / SONAME)
    expect(library.is_symlink() and re.fullmatch(r"libremote-cl\.so\.0\.\d+\.\d+",
                                                 os.readlink(library)),
           f"{library} is not a link to libremote-cl.so.0.X.Y")
    expect(os.access(staged(root, layout.server), os.X_OK), f"{layout.server} is not executable")


def expected_icd_line(layout):
    linker_dirs = {"/lib", "/usr/lib"} | {str(p) for p in Path("/usr/lib").glob("*-linux-gnu*")} \
        | {str(p) for p in Path("/lib").glob("*-linux-gnu*")}
    style = layout.icd_library_name
    if style not in ("SONAME", "ABSOLUTE"):
        style = "SONAME" if str(layout.libdir) in linker_dirs else "ABSOLUTE"
    return SONAME if style == "SONAME" else str(layout.libdir / SONAME)


def check_icd(root, layout):
    text = staged(root, layout.icd).read_text()
    expected = expected_icd_line(layout)
    expect(text == expected + "\n",
           f"{layout.icd} holds {text!r}, expected {expected + chr(10)!r}")
    return expected


def check_unit(root, layout, systemd_analyze):
    text = staged(root, layout.unit).read_text()
    lines = [line.strip() for line in text.splitlines()]
    for wanted in [f"ExecStart={layout.server} $REMOTE_CL_SERVER_ARGS",
                   f"EnvironmentFile=-{layout.config_dir}/server.conf", *UNIT_HARDENING]:
        expect(wanted in lines, f"{layout.unit} lacks the line {wanted!r}")
    expect(not re.search(r"@[A-Z_]+@", text), f"{layout.unit} has an unreplaced @VARIABLE@")
    if systemd_analyze is None:  # not asked to verify
        return
    if not systemd_analyze:
        step("systemd-analyze not found: unit not verified")
        return
    # The unit as it is, but starting the staged binary (verify checks that ExecStart's
    # program exists; --root would also need the host's targets inside the root).
    copy = Path(root).parent / "verify" / layout.unit.name
    copy.parent.mkdir(exist_ok=True)
    copy.write_text(text.replace(f"ExecStart={layout.server} ",
                                 f"ExecStart={staged(root, layout.server)} "))
    result = run([systemd_analyze, "verify", "--man=no", copy], check=False)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or output:
        fail(f"systemd-analyze verify {layout.unit} (exit {result.returncode}):\n{output}")
    step("systemd-analyze verify: clean")


def check_examples(root, layout):
    client = staged(root, layout.client_example).read_text()
    for key in CLIENT_KEYS:
        expect(re.search(rf"^\s*{key}\s*=", client, re.MULTILINE),
               f"{layout.client_example} has no '{key} = ...' line")
    server = staged(root, layout.server_example).read_text()
    expect(re.search(r'^REMOTE_CL_SERVER_ARGS=', server, re.MULTILINE),
           f"{layout.server_example} sets no REMOTE_CL_SERVER_ARGS")
    help_text = run([staged(root, layout.server), "--help"]).stdout
    for option in SERVER_OPTIONS:
        expect(option in server, f"{layout.server_example} does not document {option}")
        expect(option in help_text, f"remote-cl-server --help does not know {option} "
                                    f"(documented in {layout.server_example.name})")
    # What the unit will pass: the variable as a shell (and systemd) would read it.
    words = run(["sh", "-c", f". {shlex.quote(str(staged(root, layout.server_example)))}; "
                 "printf '%s\\n' $REMOTE_CL_SERVER_ARGS"]).stdout.split()
    expect(words[:1] == ["--listen"], f"server.conf.example's arguments: {words}")


def client_environment(root, layout):
    environment = clean_environment()
    environment["OCL_ICD_VENDORS"] = str(staged(root, layout.vendors_dir))
    environment["LD_LIBRARY_PATH"] = str(staged(root, layout.libdir))
    return environment


def run_through_server(arguments, root, layout, with_server):
    with with_server.running_server(staged(root, layout.server)) as server:
        step(f"installed server listens on {server.endpoint}")

        environment = client_environment(root, layout)
        environment["REMOTE_CL_SERVERS"] = server.endpoint
        listing = run([arguments.clinfo, "--list"], env=environment).stdout
        platforms = re.findall(r"^Platform #\d+: (.*)$", listing, re.MULTILINE)
        devices = re.findall(r"^ [`|]-- Device #\d+: (.*)$", listing, re.MULTILINE)
        expect(platforms, f"clinfo --list through the installed driver shows no platform:\n{listing}")
        expect(devices, f"clinfo --list shows no device:\n{listing}")
        # The platforms have the real ones' names: remote-cl's show by their ICD suffix.
        raw = run([arguments.clinfo, "--raw"], env=environment).stdout
        suffixes = re.findall(r"^\s+CL_PLATFORM_ICD_SUFFIX_KHR\s+(\S*)\s*$", raw, re.MULTILINE)
        expect(len(suffixes) == len(platforms) and set(suffixes) == {"RCL"},
               f"clinfo --raw through the installed driver: ICD suffixes {suffixes}, expected RCL "
               f"for each of {platforms}")
        step(f"clinfo: {platforms[0]}, {len(devices)} device(s)")

        # The server named by the example client config (a copy with its servers line set).
        config = Path(arguments.scratch) / "client.conf"
        text = staged(root, layout.client_example).read_text()
        text = re.sub(r"^servers\s*=.*$", f"servers = {server.endpoint}", text,
                      count=1, flags=re.MULTILINE)
        config.write_text(text)
        environment = client_environment(root, layout)
        environment["REMOTE_CL_CONFIG"] = str(config)
        environment["LD_DEBUG"] = "libs"
        result = run([arguments.vector_add], env=environment)
        expect("vector_add: OK" in result.stdout and
               re.search(r"^icd suffix: RCL$", result.stdout, re.MULTILINE),
               f"vector add through the installed driver:\n{result.stdout}{result.stderr}")
        loaded = re.findall(r"calling init: (\S*libremote-cl\S*)", result.stderr)
        staged_library = str(staged(root, layout.libdir / SONAME))
        expect(loaded and all(path == staged_library for path in loaded),
               f"the loader did not load {staged_library} but {loaded or 'no libremote-cl'}")
        step(f"vector add: {result.stdout.strip().splitlines()[-1]} with {loaded[0]}")


def check_other_prefix(arguments, root):
    """With a prefix outside the linker's path the .icd and the unit hold absolute paths."""
    prefix = "/opt/remote-cl"
    cmake_install(arguments, root, prefix)
    layout = Layout.from_cache(read_cache(arguments.build_dir), prefix)
    check_files(root, layout, arguments.source_dir)
    icd = check_icd(root, layout)
    expect(layout.icd_library_name != "AUTO" or icd == f"{layout.libdir}/{SONAME}",
           f"--prefix {prefix}: the .icd holds {icd}")
    check_unit(root, layout, None)
    step(f"--prefix {prefix}: .icd names {icd}")


def body(arguments):
    with_server = load_with_server()
    expect(arguments.clinfo and Path(arguments.clinfo).is_file(),
           "clinfo not found (scripts/setup-deps.sh installs it)")
    cache = read_cache(arguments.build_dir)
    layout = Layout.from_cache(cache, "/usr")
    root = Path(arguments.scratch) / "root"

    step(f"DESTDIR={root} cmake --install --prefix /usr (twice)")
    cmake_install(arguments, root, "/usr")
    second = cmake_install(arguments, root, "/usr")
    expect("-- Installing:" not in second.stdout,
           f"a second install changed files:\n{second.stdout}")
    check_files(root, layout, arguments.source_dir)
    icd = check_icd(root, layout)
    step(f"{layout.icd} names {icd}")
    expect(icd == SONAME, f"this test runs the staged tree only with a soname in the .icd; "
                          f"RCL_ICD_LIBRARY_NAME={layout.icd_library_name} gives {icd}")
    check_unit(root, layout, arguments.systemd_analyze)
    check_examples(root, layout)
    run_through_server(arguments, root, layout, with_server)
    check_other_prefix(arguments, Path(arguments.scratch) / "opt-root")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--cmake", required=True)
    parser.add_argument("--clinfo", default="")
    parser.add_argument("--vector-add", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--systemd-analyze", default="")
    parser.add_argument("--keep", action="store_true", help="keep the staging root")
    return parser.parse_args(argv)


def main(argv):
    return main_in_scratch("install.destdir", parse_arguments(argv), "rcl-install-destdir-", body,
                           "staging root kept: {scratch}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
