#!/usr/bin/env python3
"""`#include` and -I paths are resolved on the client: the server runs in a
mount namespace of its own where the folder holding the application's headers
is an empty tmpfs, so it can only compile them if the client shipped them.

  1. natively, include_app builds with -I and a header in its working
     directory (the expected values);
  2. through remote-cl, the same builds give the same values;
  3. control: a header named by an absolute #include path (which remote-cl
     does not ship) fails to build remotely while it builds natively - the
     server really cannot see the folder.

usage: check_includes.py --app include_app --server remote-cl-server --vendors DIR"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WITH_SERVER = Path(__file__).resolve().parents[2] / "scripts" / "with-server.py"


def fail(message):
    print(f"check_includes: FAIL: {message}")
    sys.exit(1)


def run(command, cwd, env=None):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    print(f"$ {' '.join(command)}\n{result.stdout}{result.stderr[-2000:]}")
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--app", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--vendors", required=True)
    args = ap.parse_args()
    if shutil.which("unshare") is None or os.geteuid() != 0:
        fail("needs root and unshare(1) to hide the headers from the server (a private mount namespace)")

    with tempfile.TemporaryDirectory(prefix="rcl-includes-") as scratch:
        hidden = Path(scratch) / "hidden"
        (hidden / "inc" / "sub").mkdir(parents=True)
        (hidden / "work").mkdir()
        (hidden / "inc" / "a.h").write_text('#include "sub/b.h"\n#define A (B * 10)\n')
        (hidden / "inc" / "sub" / "b.h").write_text("#define B 5\n")
        (hidden / "work" / "cwd.h").write_text("#define CWD 7\n")
        work, inc, b_header = hidden / "work", str(hidden / "inc"), str(hidden / "inc" / "sub" / "b.h")

        # Natively only the platform runs (no remote-cl code): under ASan, its
        # exit is no leak check of ours (LeakSanitizer's own tracer has
        # crashed there, once in many runs, in PoCL's teardown).
        native_env = dict(os.environ)
        if "ASAN_OPTIONS" in native_env:
            native_env["ASAN_OPTIONS"] += ":detect_leaks=0"
        native = run([args.app, inc], work, native_env)
        if native.returncode != 0 or "include_app: OK" not in native.stdout:
            fail("natively the builds did not work: the test's own set-up is wrong")
        native_absolute = run([args.app, "--absolute", b_header], work, native_env)
        if "include_app: OK" not in native_absolute.stdout:
            fail("natively the absolute include did not build")

        # The server, in its own mount namespace with an empty tmpfs over the folder.
        wrapper = Path(scratch) / "hidden-server.sh"
        wrapper.write_text("#!/bin/sh\n"
                           f"exec unshare --mount --propagation private sh -c "
                           f"'mount -t tmpfs rcl-hidden \"{hidden}\" && exec \"$0\" \"$@\"' {args.server} \"$@\"\n")
        wrapper.chmod(0o755)
        through = [sys.executable, str(WITH_SERVER), "--server", str(wrapper), "--vendors", args.vendors, "--"]
        remote = run(through + [args.app, inc], work)
        if remote.returncode != 0 or "include_app: OK" not in remote.stdout:
            fail("through remote-cl the builds did not give the native values")
        if [l for l in remote.stdout.splitlines() if "expected" in l] != \
           [l for l in native.stdout.splitlines() if "expected" in l]:
            fail("remote values differ from native ones")
        control = run(through + [args.app, "--absolute", b_header], work)
        if "BUILD-FAILED" not in control.stdout:
            fail("the control build worked remotely: the server can see the hidden folder, so this test proves nothing")
    print("check_includes: OK (headers compiled on a server that cannot see them)")


if __name__ == "__main__":
    main()
