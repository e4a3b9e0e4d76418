#!/usr/bin/env python3
"""Records the UDP datagrams an exporter sends, and replays them: the same
flows, byte for byte, to each collector of tests/bench/flows_vs_pmacct.sh.

  udp_datagrams.py record PORT FILE [IDLE_SECONDS]   # until IDLE_SECONDS pass without one
  udp_datagrams.py replay FILE PORT [PER_MS]          # PER_MS datagrams per millisecond at most

The file holds each datagram as a 4-byte big-endian length and its bytes.
"""
import socket
import struct
import sys
import time


def record(port, path, idle):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:  # as root, past net.core.rmem_max: exporters send in bursts
        s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    s.bind(("127.0.0.1", port))
    s.settimeout(120)  # the exporter's first datagram
    n = 0
    with open(path, "wb") as out:
        while True:
            try:
                d = s.recv(65535)
            except socket.timeout:
                break
            out.write(struct.pack(">I", len(d)) + d)
            n += 1
            s.settimeout(idle)
    print(f"recorded {n} datagrams to {path}", file=sys.stderr)


def replay(path, port, per_ms):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n = 0
    start = time.monotonic()
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at < len(data):
        (size,) = struct.unpack_from(">I", data, at)
        s.sendto(data[at + 4:at + 4 + size], ("127.0.0.1", port))
        at += 4 + size
        n += 1
        if n % per_ms == 0:  # paced, so no collector's socket overflows
            ahead = n / per_ms / 1000 - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    print(f"replayed {n} datagrams to port {port} in {time.monotonic() - start:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "record":
        record(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 3.0)
    elif len(sys.argv) >= 4 and sys.argv[1] == "replay":
        replay(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 20)
    else:
        sys.exit(__doc__)
