#!/usr/bin/python3
"""A seeded, Zipf-skewed stream of real routed addresses, as web logs are.

    skewed_stream.py --table ipasn.dat.gz --lines N [--seed S] [--zipf A]
                     [--v6-share F] [--junk-share F] [OUTPUT]

Addresses are drawn from the routed prefixes of a pyasn ipasn table (the
shared data's ipasn6_20151101.dat.gz holds 606k IPv4 and 28k IPv6
prefixes): the prefixes of each family are shuffled by the seed, ranked,
and drawn with Zipf popularity (rank r has weight 1 / r**A, A = 1.1 by
default), so a few networks send most lines; the address is then uniform
inside the drawn prefix (host part random). A share of the lines
(--v6-share, 10 %) is IPv6, and a small share (--junk-share, 0.1 %) is
what logs also hold: blank lines, comments, garbage, out-of-range octets,
addresses surrounded by spaces or followed by a comment, CRLF endings.
(No ports or brackets: asncounterd takes them, the Python counter does
not, and the benchmark compares the two reports byte for byte.)

Deterministic: the same arguments give the same bytes (Python's
random.Random with a fixed seed; no hash ordering is involved). Writes to
OUTPUT or standard output. Used by tests/bench/once_vs_python.sh and
tests/bench/bench_line_parse (docs/benchmarks.md).
"""

import argparse
import gzip
import itertools
import random
import sys


def read_table(path):
    """(IPv4 prefixes, IPv6 prefixes) as (network int, length) lists."""
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    v4, v6 = [], []
    with opener(path, "rt", encoding="ascii") as f:
        for line in f:
            if line.startswith(";") or "\t" not in line:
                continue
            prefix = line.split("\t", 1)[0]
            net, length = prefix.split("/")
            length = int(length)
            if ":" in net:
                if length == 0:
                    continue
                v6.append((ipv6_int(net), length))
            else:
                if length == 0:
                    continue
                a, b, c, d = (int(x) for x in net.split("."))
                v4.append(((a << 24) | (b << 16) | (c << 8) | d, length))
    # A fixed order before the seeded shuffle, whatever the file's order.
    v4.sort()
    v6.sort()
    return v4, v6


def ipv6_int(text):
    head, _, tail = text.partition("::")
    hg = [int(g, 16) for g in head.split(":") if g]
    tg = [int(g, 16) for g in tail.split(":") if g] if "::" in text else []
    groups = hg + [0] * (8 - len(hg) - len(tg)) + tg
    value = 0
    for g in groups:
        value = (value << 16) | g
    return value


def v6_text(value):
    groups = ["%x" % ((value >> (112 - 16 * i)) & 0xFFFF) for i in range(8)]
    return ":".join(groups)


def zipf_cum_weights(n, a):
    return list(itertools.accumulate(1.0 / (r ** a) for r in range(1, n + 1)))


JUNK = [
    "",
    "# a comment line",
    "garbage",
    "300.1.2.3",
    "1.2.3",
    "::g",
    "192.0.2.1.5",
    "01.2.3.4",
    "-",
    "GET / HTTP/1.1",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--table", required=True)
    ap.add_argument("--lines", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--zipf", type=float, default=1.1)
    ap.add_argument("--v6-share", type=float, default=0.10)
    ap.add_argument("--junk-share", type=float, default=0.001)
    ap.add_argument("output", nargs="?")
    args = ap.parse_args()

    v4, v6 = read_table(args.table)
    rng = random.Random(args.seed)
    rng.shuffle(v4)
    rng.shuffle(v6)
    cw4 = zipf_cum_weights(len(v4), args.zipf)
    cw6 = zipf_cum_weights(len(v6), args.zipf) if v6 else None
    v6_share = args.v6_share if v6 else 0.0

    out = open(args.output, "w", encoding="ascii", newline="") if args.output else sys.stdout
    chunk = 100000
    done = 0
    while done < args.lines:
        n = min(chunk, args.lines - done)
        kinds = [rng.random() for _ in range(n)]
        n6 = sum(1 for k in kinds if k < v6_share)
        picks4 = iter(rng.choices(v4, cum_weights=cw4, k=n - n6))
        picks6 = iter(rng.choices(v6, cum_weights=cw6, k=n6)) if n6 else iter(())
        lines = []
        for k in kinds:
            if k < v6_share:
                net, length = next(picks6)
                addr = v6_text(net | rng.getrandbits(128 - length)) if length < 128 else v6_text(net)
            else:
                net, length = next(picks4)
                a = net | (rng.getrandbits(32 - length) if length < 32 else 0)
                addr = "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
            if k > 1.0 - args.junk_share:
                # The junk share: a line logs also hold, in place of this address.
                j = rng.randrange(len(JUNK) + 3)
                if j < len(JUNK):
                    addr = JUNK[j]
                elif j == len(JUNK):
                    addr = "  " + addr + "  "
                elif j == len(JUNK) + 1:
                    addr = addr + "\r"
                else:
                    addr = addr + " # a comment"
            lines.append(addr)
        out.write("\n".join(lines))
        out.write("\n")
        done += n
    out.flush()


if __name__ == "__main__":
    main()
