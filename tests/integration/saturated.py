#!/usr/bin/env python3
"""Runs the integration suite through a real server while this host is
saturated: one busy process per core plus one that copies memory all the time
(the memory bus), all started here. A busy host makes calls slow, never dead:
the suite must pass and the client must not once declare its server lost.

usage: saturated.py SUITE [ARGS...]   (the environment says remote mode)
"""
import multiprocessing
import os
import subprocess
import sys
import time


def _orphaned(parent):
    return os.getppid() != parent


def spin(parent):
    while not _orphaned(parent):
        for _ in range(200000):
            pass


def copy_memory(parent):
    source = bytearray(os.urandom(1 << 20)) * 128  # 128 MiB, more than any cache
    target = bytearray(len(source))
    while not _orphaned(parent):
        target[:] = source


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    parent = os.getpid()
    hogs = [multiprocessing.Process(target=spin, args=(parent,), daemon=True) for _ in range(os.cpu_count() or 1)]
    hogs.append(multiprocessing.Process(target=copy_memory, args=(parent,), daemon=True))
    for hog in hogs:
        hog.start()
    time.sleep(1)  # the load is on before the first call
    try:
        load = os.getloadavg()[0]
        print(f"saturated: {len(hogs)} busy processes on {os.cpu_count()} cores (load {load:.1f})", flush=True)
        suite = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               errors="replace", check=False)
    finally:
        for hog in hogs:
            hog.terminate()
        for hog in hogs:
            hog.join(5)
    sys.stdout.write(suite.stdout)
    # The suite stops its server at its tear-down, while the driver is still
    # connected: a lost server there is the truth, not a slow call taken for one.
    during = suite.stdout.split("Global test environment tear-down")[0]
    lost = [line for line in during.splitlines() if "lost server" in line]
    print(f"saturated: the suite exited with {suite.returncode}; 'lost server' lines: {len(lost)}")
    for line in lost:
        print("  " + line)
    sys.exit(1 if suite.returncode != 0 or lost else 0)


if __name__ == "__main__":
    main()
