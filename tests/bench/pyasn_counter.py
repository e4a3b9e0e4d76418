#!/usr/bin/python3
"""The old tool's core, as a baseline and a test oracle for `asncounterd --once`.

Reads plain address lines (text after '#' is a comment, blank lines are
skipped), looks each one up with pyasn, counts hits in two
collections.Counter (per ASN, per prefix) and prints the report of
DESIGN.md "The one-shot report" in the same bytes asncounterd prints:
rows by count descending, ties by key ascending with None last, percent
with two decimals, "None" for unrouted rows and unknown AS names.

    pyasn_counter.py --db ipasn.dat.gz [--asnames asnames.json[.gz]] [--top N] [FILE]
"""

import argparse
import collections
import gzip
import ipaddress
import json
import sys

import pyasn


def load_names(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return {int(k): v for k, v in json.load(f).items()}


def count(lines, db):
    asns = collections.Counter()
    prefixes = collections.Counter()
    rejected = 0
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            asn, prefix = db.lookup(line)
        except ValueError:
            rejected += 1
            continue
        asns[asn] += 1
        prefixes[(prefix, asn) if prefix else None] += 1
    return asns, prefixes, rejected


def prefix_key(key):
    net = ipaddress.ip_network(key[0])
    return (net.version, int(net.network_address), net.prefixlen, key[1])


def ranked(counter, key):
    # count descending, then key ascending with None after every real key
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0] is None, key(kv[0]) if kv[0] is not None else ()))


def report(asns, prefixes, names, top):
    out = []
    total = sum(asns.values())

    def percent(n):
        return "%.2f" % (n / total * 100) if total else "0.00"

    rows = ranked(asns, lambda a: a)
    out.append("count\tpercent\tASN\tAS")
    for asn, n in rows[:top] if top else rows:
        if asn is None:
            out.append("%d\t%s\tNone\tNone" % (n, percent(n)))
        else:
            out.append("%d\t%s\t%d\t%s" % (n, percent(n), asn, names.get(asn, "None")))
    out.append("total: %d" % total)
    rows = ranked(prefixes, prefix_key)
    out.append("count\tpercent\tprefix\tASN\tAS")
    for key, n in rows[:top] if top else rows:
        if key is None:
            out.append("%d\t%s\tNone\t\t" % (n, percent(n)))
        else:
            out.append("%d\t%s\t%s\t%d\t%s" % (n, percent(n), key[0], key[1], names.get(key[1], "None")))
    out.append("total: %d" % total)
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="pyasn ipasn file (.dat or .dat.gz)")
    parser.add_argument("--asnames", help="pyasn asnames.json (plain or gzip)")
    parser.add_argument("--top", type=int, default=20, help="rows per table, 0: all")
    parser.add_argument("input", nargs="?", help="file of addresses (default: stdin)")
    args = parser.parse_args()
    db = pyasn.pyasn(args.db)
    names = load_names(args.asnames) if args.asnames else {}
    stream = open(args.input, encoding="utf-8", errors="replace") if args.input else sys.stdin
    asns, prefixes, rejected = count(stream, db)
    if rejected:
        print("pyasn_counter: %d lines rejected (no address)" % rejected, file=sys.stderr)
    sys.stdout.write(report(asns, prefixes, names, args.top))


if __name__ == "__main__":
    main()
