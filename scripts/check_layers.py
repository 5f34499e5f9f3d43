#!/usr/bin/env python3
"""Checks the layers of one component (issue 17): check_layers.py [-v] COMPONENT [ROOT]

COMPONENT/layers.txt names the component's folders, top to bottom, one per
line (`folder  # what it holds`); a folder may include its own headers and
those of the folders below it, never one above. Lines `generated NAME LAYER`
say which layer a header the build generates (rcl/COMPONENT/NAME) belongs to.

Every .cpp and .h of COMPONENT/src and COMPONENT/include/rcl/COMPONENT is
checked: it must lie in a listed folder; each `#include "rcl/COMPONENT/..."`
must name a header of its own layer or one below; and it must have at most
MAX_LINES lines. What cannot be fixed yet is listed in
COMPONENT/layers_allow.txt, one line each with why:

  FILE  INCLUDE  # why        an include that runs back up a layer
  FILE  lines    # why        a file longer than MAX_LINES

(FILE relative to COMPONENT, INCLUDE as written between the quotes). Anything
else found fails the check; allowed lines no longer needed are reported.
"""

import re
import sys
from pathlib import Path

MAX_LINES = 450
SUFFIXES = (".cpp", ".h", ".hpp", ".cc", ".c")


def read_list(path):
    """Lines without comments and blanks, split into fields."""
    out = []
    if not path.exists():
        return out
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line:
            out.append((n, line.split()))
    return out


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    comp = argv[1]
    root = Path(argv[2]) if len(argv) == 3 else Path(__file__).resolve().parent.parent
    base = root / comp
    layers, generated = [], {}
    for n, fields in read_list(base / "layers.txt"):
        if fields[0] == "generated" and len(fields) == 3:
            generated[fields[1]] = fields[2]
        elif len(fields) == 1:
            layers.append(fields[0])
        else:
            print(f"{comp}/layers.txt:{n}: cannot read this line", file=sys.stderr)
            return 2
    if not layers:
        print(f"{comp}/layers.txt: no layers", file=sys.stderr)
        return 2
    rank = {name: i for i, name in enumerate(layers)}  # 0: the top
    for name, layer in generated.items():
        if layer not in rank:
            print(f"{comp}/layers.txt: generated {name}: no layer {layer}", file=sys.stderr)
            return 2

    allowed = {}
    for n, fields in read_list(base / "layers_allow.txt"):
        if len(fields) != 2:
            print(f"{comp}/layers_allow.txt:{n}: expected FILE INCLUDE|lines", file=sys.stderr)
            return 2
        allowed[(fields[0], fields[1])] = n
    # Every allowed line must say why.
    for n, raw in enumerate((base / "layers_allow.txt").read_text().splitlines()
                            if (base / "layers_allow.txt").exists() else [], 1):
        if raw.strip() and not raw.lstrip().startswith("#") and "#" not in raw:
            print(f"{comp}/layers_allow.txt:{n}: says no why", file=sys.stderr)
            return 2

    roots = [base / "src", base / "include" / "rcl" / comp]
    include_rx = re.compile(rf'^\s*#\s*include\s+[<"]rcl/{re.escape(comp)}/([^">]+)[">]', re.M)
    problems = []  # (key, message)
    files = 0
    for top in roots:
        for path in sorted(top.rglob("*")):
            if not path.is_file() or path.suffix not in SUFFIXES:
                continue
            files += 1
            rel = path.relative_to(base).as_posix()
            inner = path.relative_to(top).parts
            if len(inner) < 2 or inner[0] not in rank:
                problems.append(((rel, "folder"), f"{rel}: not in a folder of {comp}/layers.txt"))
                continue
            mine = inner[0]
            text = path.read_text(errors="replace")
            lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
            if lines > MAX_LINES:
                problems.append(((rel, "lines"), f"{rel}: {lines} lines (more than {MAX_LINES})"))
            for m in include_rx.finditer(text):
                target = m[1]
                parts = target.split("/")
                if len(parts) == 1:
                    if target not in generated:
                        problems.append(((rel, f"rcl/{comp}/{target}"),
                                         f"{rel}: includes rcl/{comp}/{target}, in no layer"))
                        continue
                    theirs = generated[target]
                elif parts[0] in rank:
                    theirs = parts[0]
                else:
                    problems.append(((rel, f"rcl/{comp}/{target}"),
                                     f"{rel}: includes rcl/{comp}/{target}, in no layer"))
                    continue
                if rank[theirs] < rank[mine]:
                    problems.append(((rel, f"rcl/{comp}/{target}"),
                                     f"{rel} ({mine}) includes rcl/{comp}/{target} ({theirs}, above)"))

    new = [msg for key, msg in problems if key not in allowed]
    seen = {key for key, _ in problems}
    stale = [f"{comp}/layers_allow.txt:{n}: {f} {i} is no longer needed"
             for (f, i), n in sorted(allowed.items(), key=lambda kv: kv[1]) if (f, i) not in seen]
    ups = sum(1 for key, _ in problems if key[1] != "lines")
    longs = sum(1 for key, _ in problems if key[1] == "lines")
    print(f"{comp}: {files} files in {len(layers)} layers ({' > '.join(layers)}); "
          f"{ups} includes up a layer or outside the layers, {longs} files over {MAX_LINES} lines; "
          f"{len(problems) - len(new)} allowed, {len(new)} not")
    for msg in new:
        print(f"  NOT ALLOWED: {msg}")
    for msg in stale:
        print(f"  note: {msg}")
    if "-v" in sys.argv:
        for key, msg in problems:
            if key in allowed:
                print(f"  allowed: {msg}")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv if not a.startswith("-")]))
