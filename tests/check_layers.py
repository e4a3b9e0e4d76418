#!/usr/bin/env python3
"""Checks that no include runs back up the layers and that no headers include
each other (docs/architecture.md, "Layers").

The layers, lowest first: a file may include from its own layer and those
below it, never from one above, so no two folders depend on each other.
Headers must form no cycle (#pragma once hides one until a build breaks on
an incomplete type). Inside one folder a .cpp may use a sibling whose header
uses its own types (a dispatcher and its handlers): a folder is one part.
Exit 0 when the tree holds, 1 with one line per fault otherwise."""
import os
import re
import sys

# Lowest first. A folder not listed is a fault: place it when it is made.
LAYERS = [
    "common",
    "daemon/sys",
    "daemon/store",
    "daemon/input",
    "daemon/refresh",
    "daemon/mitigate",
    "daemon/metrics",
    "daemon/rpc",
    "daemon/web",
    "daemon/config",
    "daemon/once",
    "daemon/app",
    "daemon",
]
# ctl is a program of its own beside the daemon: it reads common only.
SEPARATE = {"ctl": ["common", "ctl"]}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    """The layer a repository path belongs to (its longest listed prefix)."""
    best = None
    for name in LAYERS + list(SEPARATE):
        if path == name or path.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


def sources(root):
    for top in ["common", "daemon", "ctl"]:
        for folder, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".cpp", ".hpp")):
                    yield os.path.relpath(os.path.join(folder, f), root)


def main(root):
    faults = []
    deps = {}
    for path in sorted(sources(root)):
        with open(os.path.join(root, path), encoding="utf-8") as f:
            includes = INCLUDE.findall(f.read())
        src = layer_of(os.path.dirname(path))
        if src is None:
            faults.append(f"{path}: its folder is in no layer (tests/check_layers.py)")
            continue
        for inc in includes:
            if not inc.startswith(("common/", "daemon/", "ctl/")):
                continue
            dst = layer_of(os.path.dirname(inc))
            if src in SEPARATE:
                if dst not in SEPARATE[src]:
                    faults.append(f"{path}: includes {inc}, outside what {src} may read")
            elif dst in SEPARATE or dst is None or LAYERS.index(dst) > LAYERS.index(src):
                faults.append(f"{path}: includes {inc}, a higher layer ({dst} above {src})")
            if path.endswith(".hpp"):
                deps.setdefault(path, set()).add(inc)

    # Cycles between headers, by depth-first search.
    state = {}
    stack = []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(deps.get(m, ())):
            if state.get(n) == "open":
                cycle = stack[stack.index(n):] + [n]
                faults.append("headers include each other: " + " -> ".join(cycle))
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = "done"

    for m in sorted(deps):
        if m not in state:
            visit(m)
    for fault in faults:
        print(fault)
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")))
