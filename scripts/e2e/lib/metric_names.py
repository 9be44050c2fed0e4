#!/usr/bin/env python3
"""Checks that every metric a rules file or a Grafana dashboard names is one the daemon exports.

Usage: metric_names.py EXPOSITION FILE…   (EXPOSITION: a scrape of the daemon's /metrics, Prometheus text)
Names are the `starfleet_*` identifiers in the files' PromQL (a histogram's _bucket, _sum and _count count as the
histogram) and `up`, Prometheus's own. Prints each unknown name with its file; exits 1 if there is any.
"""
import json
import re
import sys

NAME = re.compile(r"\b(starfleet_[a-z0-9_]+|up)\b")


def exported(path):
    families = {}
    with open(path) as f:
        for line in f:
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split()[:4]
                families[name] = kind
    names = {"up"}
    for name, kind in families.items():
        names.add(name)
        if kind == "histogram":
            names.update({name + "_bucket", name + "_sum", name + "_count"})
    return names


def expressions(path):
    """PromQL in a rules file (every expr:) or a dashboard (every target's expr and templating query)."""
    with open(path) as f:
        text = f.read()
    if path.endswith(".json"):
        out = []

        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("expr", "definition") and isinstance(value, str):
                        out.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(json.loads(text))
        return out
    # A rules file: the expr values, including |-blocks (indented lines after `expr: |`).
    out, block = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if block is not None:
            if stripped and len(line) - len(line.lstrip()) > block:
                out[-1] += " " + stripped
                continue
            block = None
        m = re.match(r"^(\s*)(?:- )?expr:\s*(.*)$", line)
        if m:
            value = m.group(2)
            out.append("" if value in ("|", ">") else value)
            if value in ("|", ">"):
                block = len(m.group(1))
    return out


def main():
    known = exported(sys.argv[1])
    unknown = 0
    used = 0
    for path in sys.argv[2:]:
        for expr in expressions(path):
            for name in NAME.findall(expr):
                used += 1
                if name not in known:
                    unknown += 1
                    print(f"{path}: {name} is not a metric the daemon exports")
    if used == 0:
        print("no metric names found: the files were not read as expected")
        return 1
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
