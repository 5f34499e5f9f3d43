#!/usr/bin/env python3
"""Issue 17: moves icd/ and server/ sources and headers into folders by layer.

Re-runnable: run it from anywhere inside the repository, on a tree where
others changed file contents, as often as needed. It

  1. checks that every flat file of icd/src, icd/include/rcl/icd, server/src
     and server/include/rcl/server has a destination below (and fails,
     changing nothing, on a flat file it does not know or a file it expects
     that is neither at its old nor at its new place);
  2. `git mv`s every file still at its old place (a file already moved is
     left alone);
  3. rewrites, in every tracked text file, the paths that name a moved file:
     "rcl/icd/X.h" and "rcl/server/X.h" (includes, codegen's `header =`),
     icd/src/X.cpp, server/src/X.cpp and their headers' paths (CMake, docs,
     comments), and in icd/CMakeLists.txt and server/CMakeLists.txt the
     source lists' src/X.cpp. A path already moved does not match again.

It depends on no file's contents beyond those paths. The layers and what
each is: icd/layers.txt, server/layers.txt (checked by scripts/check_layers.py).
"""

import re
import subprocess
import sys
from pathlib import Path

# component -> layer folder -> file stems (a stem moves its .h and .cpp both)
LAYOUT = {
    "icd": {
        "entry": [
            "custom_command_buffers", "custom_events", "custom_kernels", "custom_map",
            "custom_memory", "custom_platform", "custom_svm", "custom_svm_commands",
            "checks", "kernel_work_group_info", "extension_ops", "kernel_launch_info",
            "kernel_args", "build_options", "info_copy", "image_format", "queue_device",
            "custom_queues", "custom_samplers", "pipelined",
        ],
        "data": ["transfers", "shm_pieces", "svm_ranges", "svm_shadow"],
        "transport": [
            "call", "connection", "driver", "server_link", "reply_sockets", "send_latch",
            "handshake_monitor", "config", "placement", "srv_discovery", "srv_targets",
            "shm_segment", "bulk_socket", "mapping_memory", "build_includes",
        ],
        "objects": [
            "objects", "events", "lifetime", "queue_progress", "info_cache", "object_pool",
            "shared_buffer",
        ],
        "support": ["log", "trace"],
    },
    "server": {
        "service": ["main", "router", "worker", "admission", "platforms"],
        "handlers": [
            "custom_command_buffers", "custom_commands", "custom_objects", "custom_svm",
            "device_info_all", "kernel_launch_info", "extension_functions",
        ],
        # ops/ (the operation registry) is a folder already and stays as it is.
        "data": [
            "bulk_socket", "direct_copy", "shared_buffers", "shm_segment", "shm_transfers",
            "mapped_transfer", "piece_header", "transfers",
        ],
        "calls": ["call_context", "info_filters", "object_info", "build_includes"],
        "session": [
            "session", "session_queues", "session_threads", "handle_table", "callbacks",
            "outbox", "blocking_pool", "svm_allocations",
        ],
        "support": ["call_error", "checked_sizes", "profiling_times", "security", "zap_handler"],
    },
}

# The stems that have only a header or only a source; every other stem has both.
HEADER_ONLY = {
    "icd": {"build_options", "info_cache", "info_copy", "kernel_args", "log", "object_pool", "objects",
            "send_latch"},
    "server": {"call_error", "checked_sizes"},
}
SOURCE_ONLY = {
    "icd": {"checks", "custom_command_buffers", "custom_events", "custom_kernels", "custom_map", "custom_memory",
            "custom_platform", "custom_svm", "custom_svm_commands", "kernel_work_group_info", "custom_queues",
            "custom_samplers"},
    "server": {"custom_command_buffers", "custom_commands", "custom_objects", "custom_svm", "main",
               "session_threads"},
}

# Globs in docs and comments that name a group of moved files.
GLOBS = {"icd": {"custom_*": "entry"}, "server": {"custom_*": "handlers"}}


def fail(message):
    print(f"relayout: {message}", file=sys.stderr)
    sys.exit(1)


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def main():
    root = Path(git("rev-parse", "--show-toplevel", cwd=Path.cwd()).strip())
    moves = []  # (old, new) relative to root
    layer_of = {}  # component -> stem -> layer
    for comp, layers in LAYOUT.items():
        layer_of[comp] = {}
        for layer, stems in layers.items():
            for stem in stems:
                if stem in layer_of[comp]:
                    fail(f"{comp}: {stem} has two layers")
                layer_of[comp][stem] = layer

    # 1. Every flat file must have a destination; every known file must exist somewhere.
    for comp in LAYOUT:
        dirs = {"src": ".cpp", f"include/rcl/{comp}": ".h"}
        for d, ext in dirs.items():
            base = root / comp / d
            for f in sorted(base.iterdir()):
                if f.is_file() and f.suffix in (".cpp", ".h", ".hpp", ".cc", ".c"):
                    if f.stem not in layer_of[comp] or f.suffix != ext:
                        fail(f"{f.relative_to(root)}: a flat file with no destination; add it to LAYOUT")
        for stem, layer in layer_of[comp].items():
            for d, ext in dirs.items():
                if stem in (SOURCE_ONLY if ext == ".h" else HEADER_ONLY)[comp]:
                    continue
                old = Path(comp) / d / f"{stem}{ext}"
                new = Path(comp) / d / layer / f"{stem}{ext}"
                o, n = (root / old).exists(), (root / new).exists()
                if o and n:
                    fail(f"{old} and {new} both exist")
                if not o and not n:
                    fail(f"{old} is missing (neither at its old nor at its new place); update LAYOUT")
                if o:
                    moves.append((old, new))

    # 2. Move.
    for old, new in moves:
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        git("mv", str(old), str(new), cwd=root)
    print(f"relayout: moved {len(moves)} files")

    # 3. Rewrite paths. Each pattern matches only the flat form, so a second run changes nothing.
    rules = []  # (compiled regex, replacement)
    for comp, stems in layer_of.items():
        names = dict(stems)
        alt = "|".join(sorted((re.escape(s) for s in names), key=len, reverse=True))
        lookup = names.get
        rules.append((re.compile(rf"(?<![\w-])(rcl/{comp}/)({alt})(\.h)\b"),
                      lambda m, lookup=lookup: f"{m[1]}{lookup(m[2])}/{m[2]}{m[3]}"))
        rules.append((re.compile(rf"(?<![\w])({comp}/src/)({alt})(\.cpp)\b"),
                      lambda m, lookup=lookup: f"{m[1]}{lookup(m[2])}/{m[2]}{m[3]}"))
        for glob, layer in GLOBS[comp].items():
            rules.append((re.compile(rf"(?<![\w])({comp}/src/)({re.escape(glob)})(\.cpp)"),
                          lambda m, layer=layer: f"{m[1]}{layer}/{m[2]}{m[3]}"))
    cmake_rules = {}
    for comp, stems in layer_of.items():
        alt = "|".join(sorted((re.escape(s) for s in stems), key=len, reverse=True))
        cmake_rules[f"{comp}/CMakeLists.txt"] = (
            re.compile(rf"(?<![\w/])(src/)({alt})(\.cpp)\b"),
            lambda m, lookup=stems.get: f"{m[1]}{lookup(m[2])}/{m[2]}{m[3]}")

    me = Path(__file__).resolve()
    changed = 0
    for rel in git("ls-files", "-z", cwd=root).split("\0"):
        if not rel:
            continue
        path = root / rel
        if path.resolve() == me or not path.is_file() or path.is_symlink():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        new = text
        for rx, repl in rules:
            new = rx.sub(repl, new)
        if rel in cmake_rules:
            rx, repl = cmake_rules[rel]
            new = rx.sub(repl, new)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    print(f"relayout: rewrote paths in {changed} files")


if __name__ == "__main__":
    main()
