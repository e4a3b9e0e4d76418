#!/usr/bin/env python3
"""A real HTTP server on 127.0.0.1 for the refresh tests.

Serves DIR like a RouteViews archive mirror. Prints the port it bound on the
first line of stdout, then serves until killed. --mode stall accepts
connections and never answers (the client's timeout must fire).
"""
import argparse
import functools
import http.server
import socket
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--mode", choices=["serve", "stall"], default="serve")
    args = parser.parse_args()

    if args.mode == "stall":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        print(listener.getsockname()[1], flush=True)
        held = []
        while True:
            conn, _ = listener.accept()
            held.append(conn)  # keep it open, say nothing
        return

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=args.directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print(server.server_address[1], flush=True)
    sys.stderr = open("/dev/null", "w")  # no access log noise in test output
    server.serve_forever()


if __name__ == "__main__":
    main()
