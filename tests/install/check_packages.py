#!/usr/bin/env python3
"""install.packages: build the Debian packages with CPack into a temporary folder and check them.

  - cpack -G DEB makes exactly remote-cl_*.deb and remote-cl-server_*.deb
  - dpkg-deb --contents: each package holds exactly its files (library, .icd, headers,
    client example / server binary, unit, server example), nothing of the other
  - the packaged remote-cl.icd names libremote-cl.so.0; the unit names /usr/bin/remote-cl-server
  - dpkg-deb --field: Depends names the loader, libzmq5 (and libc-ares2 for the client) and the C++ runtime, every
    dependency is satisfied on this host (where the binaries were built and run);
    the server recommends pocl-opencl-icd; the /etc files are conffiles
No network is needed.

Usage: check_packages.py --build-dir B --cpack CPACK --source-dir S --version V [--keep]
"""

import argparse
import io
import re
import subprocess
import sys
import tarfile
from pathlib import Path

from install_common import (SONAME, Layout, expect, main_in_scratch,
                            read_cache, run, run_cpack, step)

CLIENT_PACKAGE = "remote-cl"
SERVER_PACKAGE = "remote-cl-server"


def build_packages(arguments, out_dir):
    debs = {}
    for deb in run_cpack(arguments.cpack, arguments.build_dir, out_dir):
        package = run(["dpkg-deb", "--field", deb, "Package"]).stdout.strip()
        debs[package] = deb
    expect(sorted(debs) == sorted([CLIENT_PACKAGE, SERVER_PACKAGE]),
           f"cpack made {[d.name for d in debs.values()]}, expected "
           f"{CLIENT_PACKAGE}_*.deb and {SERVER_PACKAGE}_*.deb")
    for package, deb in debs.items():
        expect(deb.name.startswith(f"{package}_"), f"{deb.name}: not named {package}_*.deb")
        step(f"{deb.name}: {deb.stat().st_size // 1024} KiB")
    return debs


def package_files(deb):
    """Every non-directory entry of the package, as absolute paths: {path: link target or None}."""
    raw = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True,
                         stdout=subprocess.PIPE).stdout
    files = {}
    with tarfile.open(fileobj=io.BytesIO(raw)) as archive:
        for member in archive.getmembers():
            if member.isdir():
                continue
            path = "/" + member.name.lstrip("./")
            files[path] = member.linkname if member.issym() else \
                archive.extractfile(member).read() if member.isfile() else None
    return files


def check_contents(deb, expected, forbidden=()):
    listing = run(["dpkg-deb", "--contents", deb]).stdout
    files = package_files(deb)
    missing = sorted(set(expected) - set(files))
    extra = sorted(path for path in set(files) - set(expected)
                   if not path.startswith("/usr/share/doc/"))
    expect(not missing and not extra,
           f"{deb.name}: missing {missing}, unexpected {extra}\n{listing}")
    for path in forbidden:
        expect(path not in files, f"{deb.name} holds {path}, which belongs to the other package")
    return files


def fields(deb):
    names = ["Package", "Version", "Architecture", "Maintainer", "Section", "Depends",
             "Recommends", "Provides", "Description"]
    output = run(["dpkg-deb", "--field", deb, *names]).stdout
    result = {}
    for line in output.splitlines():
        match = re.match(r"^(\w[\w-]*): ?(.*)$", line)
        if match and match.group(1) in names:
            result[match.group(1)] = match.group(2)
    return result


def dependency_groups(depends):
    """'a (>= 1), b | c' -> [['a', ...], ['b', 'c']] (names only)."""
    groups = []
    for group in filter(None, (part.strip() for part in depends.split(","))):
        groups.append([re.match(r"[a-z0-9][a-z0-9+.-]*", alt.strip()).group(0)
                       for alt in group.split("|")])
    return groups


def installed(package):
    result = run(["dpkg-query", "-W", "-f=${db:Status-Status}", package], check=False)
    return result.returncode == 0 and result.stdout.strip() == "installed"


def provided_by_installed(name):
    result = run(["dpkg-query", "-W", "-f=${Provides}\n"], check=False)
    return any(re.search(rf"(^|[ ,]){re.escape(name)}( |,|$)", line)
               for line in result.stdout.splitlines())


def check_depends(deb, control, must_have):
    depends = control.get("Depends", "")
    groups = dependency_groups(depends)
    names = {name for group in groups for name in group}
    for name in must_have:
        expect(name in names, f"{deb.name}: Depends lacks {name}: {depends!r}")
    for group in groups:
        expect(any(installed(name) or provided_by_installed(name) for name in group),
               f"{deb.name}: dependency {' | '.join(group)} is not satisfied on this host")
    expect(not names & {CLIENT_PACKAGE, SERVER_PACKAGE, "pocl-opencl-icd"},
           f"{deb.name}: Depends names a package it should not: {depends!r}")
    step(f"{deb.name}: Depends: {depends}")


def control_files(deb, scratch):
    folder = Path(scratch) / f"control-{deb.stem}"
    run(["dpkg-deb", "--control", deb, folder])
    return folder


def check_control(deb, scratch, conffiles, scripts):
    folder = control_files(deb, scratch)
    listed = (folder / "conffiles").read_text().split() if (folder / "conffiles").exists() else []
    expect(sorted(listed) == sorted(conffiles),
           f"{deb.name}: conffiles {listed}, expected {sorted(conffiles)}")
    for script in scripts:
        path = folder / script
        expect(path.is_file() and path.stat().st_mode & 0o111,
               f"{deb.name}: no executable maintainer script {script}")
        run(["sh", "-n", path])
    return folder


def body(arguments):
    cache = read_cache(arguments.build_dir)
    layout = Layout.from_cache(cache, "/usr")
    debs = build_packages(arguments, Path(arguments.scratch) / "out")
    client_deb, server_deb = debs[CLIENT_PACKAGE], debs[SERVER_PACKAGE]

    client_paths = [str(p) for p in (layout.icd, layout.client_example, layout.tool, layout.keygen,
                                     *layout.library_links(),
                                     *layout.headers(arguments.source_dir))]
    server_paths = [str(p) for p in (layout.server, layout.unit, layout.server_example, layout.plugin_header)]
    client_files = {path for path in package_files(client_deb)}
    real_library = [p for p in client_files
                    if re.fullmatch(rf"{re.escape(str(layout.libdir))}/libremote-cl\.so\.0\.\d+\.\d+", p)]
    expect(len(real_library) == 1, f"{client_deb.name}: no single libremote-cl.so.0.X.Y: "
                                    f"{sorted(client_files)}")

    files = check_contents(client_deb, client_paths + real_library, server_paths)
    icd = files[str(layout.icd)].decode()
    expect(icd == SONAME + "\n", f"{client_deb.name}: remote-cl.icd holds {icd!r}")
    expect(files[str(layout.libdir / SONAME)] == real_library[0].rsplit("/", 1)[1],
           f"{client_deb.name}: {layout.libdir / SONAME} does not point at {real_library[0]}")
    step(f"{client_deb.name}: {len(files)} files, .icd names {icd.strip()}")

    files = check_contents(server_deb, server_paths, client_paths)
    unit = files[str(layout.unit)].decode()
    expect(f"ExecStart={layout.server} $REMOTE_CL_SERVER_ARGS" in unit.splitlines(),
           f"{server_deb.name}: the unit does not start {layout.server}:\n{unit}")
    expect("_CPack_Packages" not in unit and "_CPack_Packages" not in icd,
           "a packaged file names CPack's staging folder")
    step(f"{server_deb.name}: {len(files)} files")

    client = fields(client_deb)
    server = fields(server_deb)
    for control in (client, server):
        expect(control.get("Version") == f"{arguments.version}-1", f"odd Version: {control}")
        expect(control.get("Maintainer") and control.get("Description"), f"odd fields: {control}")
    check_depends(client_deb, client, ["libzmq5", "libc-ares2", "ocl-icd-libopencl1", "libc6", "libstdc++6"])
    check_depends(server_deb, server, ["libzmq5", "ocl-icd-libopencl1", "libc6", "libstdc++6"])
    expect("opencl-icd" in client.get("Provides", ""), f"{client_deb.name}: Provides {client}")
    expect("pocl-opencl-icd" in server.get("Recommends", ""),
           f"{server_deb.name}: Recommends {server.get('Recommends')!r}")

    etc = lambda paths: [p for p in paths if p.startswith("/etc/")]
    folder = check_control(client_deb, arguments.scratch, etc(client_paths), ["postinst", "postrm"])
    expect("ldconfig" in (folder / "postinst").read_text(), f"{client_deb.name}: no ldconfig call")
    check_control(server_deb, arguments.scratch, etc(server_paths), ["postinst", "prerm", "postrm"])
    step("conffiles and maintainer scripts: fine")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--cpack", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--version", required=True, help="the project's version")
    parser.add_argument("--keep", action="store_true", help="keep the packages")
    return parser.parse_args(argv)


def main(argv):
    return main_in_scratch("install.packages", parse_arguments(argv), "rcl-install-packages-", body,
                           "packages kept in {scratch}/out")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
