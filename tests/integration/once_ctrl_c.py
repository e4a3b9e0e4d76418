#!/usr/bin/env python3
"""Ctrl-C in a terminal: runs `tail -F LOG | asncounterd --once --db TABLE`
in a pseudo-terminal, as a user would, waits (with SIGUSR1 interim reports)
until the daemon has counted LINES lines, types Ctrl-C, and prints what the
terminal showed after it as "final report:". Exit 0 when that report shows
"total: LINES"; the caller checks the rows.

Usage: once_ctrl_c.py ASNCOUNTERD TABLE LOG LINES
"""
import os
import pty
import select
import signal
import sys
import time

daemon, table, log, lines = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
daemon = os.path.realpath(daemon)
# The shell, tail and asncounterd are one process group, the terminal's
# foreground: Ctrl-C reaches all three, as in an interactive shell.
pid, master = pty.fork()
if pid == 0:
    os.execvp("sh", ["sh", "-c", 'tail -n +1 -F "$2" 2>/dev/null | "$0" --once --db "$1" --input-format field:1',
                     daemon, table, log])

output = b""


def read_some(timeout):
    """Appends what the terminal shows within `timeout` s; False at its end."""
    global output
    ready, _, _ = select.select([master], [], [], timeout)
    if not ready:
        return True
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: every process holding the terminal is gone
        return False
    if not data:
        return False
    output += data
    return True


def find_daemon():
    """The asncounterd the shell started (a child of `pid`), or None."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid == pid and os.path.realpath(f"/proc/{entry}/exe") == daemon:
                return int(entry)
        except (OSError, ValueError, IndexError):
            continue
    return None


def answers_signals(pid):
    """True once `pid` blocks the signals --once answers (before, they kill it)."""
    wanted = sum(1 << (s - 1) for s in (signal.SIGHUP, signal.SIGINT, signal.SIGUSR1, signal.SIGTERM))
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigBlk:"):
                    return int(line.split()[1], 16) & wanted == wanted
    except OSError:
        pass
    return False


def text(start=0):
    """What the terminal showed from byte `start` on, with plain newlines."""
    return output[start:].decode(errors="replace").replace("\r\n", "\n")


# Bounded waits: they only keep a broken binary from hanging the test.
dpid = None
for _ in range(500):
    dpid = find_daemon()
    if dpid and answers_signals(dpid):
        break
    dpid = None
    read_some(0.01)
if not dpid:
    sys.exit("asncounterd did not start:\n" + text())

counted = False
for _ in range(500):
    os.kill(dpid, signal.SIGUSR1)
    start = len(output)
    for _ in range(50):
        if text(start).count("total: ") >= 2:
            break
        if not read_some(0.1):
            sys.exit("the terminal closed before Ctrl-C:\n" + text())
    if f"total: {lines}\n" in text(start):
        counted = True
        break
    time.sleep(0.01)
if not counted:
    sys.exit(f"asncounterd never counted {lines} lines:\n" + text())

before = len(output)
os.write(master, b"\x03")
deadline = time.monotonic() + 60
while time.monotonic() < deadline and read_some(0.5):
    pass
os.waitpid(pid, 0)
after = text(before)
# The terminal echoes ^C; the report follows.
at = after.find("count\t")
print("final report:\n" + (after[at:] if at >= 0 else after), end="")
sys.exit(0 if f"total: {lines}\n" in after else 1)
