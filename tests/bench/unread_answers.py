#!/usr/bin/python3
"""Resident memory of asncounterd while clients leave long answers unread.

N clients each ask for every prefix (`prefixes`, limit 0) of P counted /24s
and read nothing. Once one more client's `top` is answered (the worker takes
heavy reads in turn, so every answer above is made by then), the daemon's
resident memory is read; then every answer is read and checked.

Usage: tests/bench/unread_answers.py ASNCOUNTERD [N=16] [P=120000]
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def call(path, request):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        s.sendall((json.dumps(request) + "\n").encode())
        return json.loads(read_line(s))


def read_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        buf += chunk
    return buf


def resident_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return -1


def main():
    binary = sys.argv[1]
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    prefixes = int(sys.argv[3]) if len(sys.argv) > 3 else 120000
    work = tempfile.mkdtemp(prefix="unread-answers-")
    daemon = None
    try:
        db = os.path.join(work, "table.dat")
        addresses = []
        with open(db, "w") as f:
            f.write("; many /24s\n")
            for i in range(prefixes):
                net = f"{1 + i // 65536}.{(i // 256) % 256}.{i % 256}"
                f.write(f"{net}.0/24\t{64496 + i % 5}\n")
                addresses.append(net + ".1\n")
        fifo = os.path.join(work, "input.fifo")
        os.mkfifo(fifo)
        os.makedirs(os.path.join(work, "run"), mode=0o750)
        sock = os.path.join(work, "run", "control.sock")
        conf = os.path.join(work, "asncounterd.conf")
        with open(conf, "w") as f:
            f.write("save-interval = 3600\nclient-timeout = 120\n")
        with open(os.path.join(work, "daemon.log"), "w") as log:
            daemon = subprocess.Popen([binary, "--config", conf, "--db", db, "--input", "fifo:" + fifo,
                                       "--socket", sock, "--state-dir", os.path.join(work, "state"),
                                       "--cache-dir", os.path.join(work, "cache")],
                                      stdout=subprocess.DEVNULL, stderr=log)
        for _ in range(300):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        with open(fifo, "w") as f:
            f.write("".join(addresses))
        for _ in range(300):
            if call(sock, {"jsonrpc": "2.0", "id": 1, "method": "stats"})["result"]["totals"]["hits"] == prefixes:
                break
            time.sleep(0.1)
        before = resident_mib(daemon.pid)
        held = []
        for i in range(clients):
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            s.sendall(b'{"jsonrpc":"2.0","id":%d,"method":"prefixes","params":{"limit":0}}\n' % i)
            held.append(s)
        call(sock, {"jsonrpc": "2.0", "id": 99, "method": "top", "params": {"limit": 1}})
        with_unread = resident_mib(daemon.pid)
        whole = 0
        for s in held:
            rows = json.loads(read_line(s))["result"]["rows"]
            whole += len(rows) == min(prefixes, 100000)
            s.close()
        print(f"{clients} unread answers over {prefixes} prefixes: resident {before} MiB before, "
              f"{with_unread} MiB with them (+{with_unread - before} MiB); {whole}/{clients} read whole later")
    finally:
        if daemon:
            daemon.terminate()
            daemon.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
