#!/usr/bin/env python3
"""Fails if the generator's coverage report forwards fewer dispatch entries
than the committed baseline: every entry the baseline lists as forwarded must
still be forwarded.

usage: check_coverage.py coverage.json coverage_baseline.txt"""

import json
import sys


def main():
    report, baseline = sys.argv[1], sys.argv[2]
    entries = {e["name"]: e for e in json.load(open(report))["entries"]}
    expected = [line.strip() for line in open(baseline) if line.strip() and not line.startswith("#")]
    lost = [name for name in expected if entries.get(name, {}).get("status") != "forwarded"]
    forwarded = sum(e["status"] == "forwarded" for e in entries.values())
    print(f"{forwarded} of {len(entries)} dispatch entries forwarded; baseline {len(expected)}")
    if lost:
        print("no longer forwarded:", ", ".join(lost))
        return 1
    if forwarded < len(expected):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
