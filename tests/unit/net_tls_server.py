#!/usr/bin/env python3
"""A minimal HTTPS server for lib/net's TLS tests.

Serves --root on 127.0.0.1 (ephemeral port) with the given certificate,
writes the port to --port-file, and stops when its parent goes away or
after --max-lifetime seconds. ALPN offers http/1.1 only (Python has no
HTTP/2 server), so the client's HTTP/2 preference must fall back cleanly.
"""
import argparse
import functools
import http.server
import os
import ssl
import threading
import time


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # refused handshakes are what some tests expect


def watchdog(server, lifetime):
    parent, deadline = os.getppid(), time.monotonic() + lifetime
    while os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.2)
    server.shutdown()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--max-lifetime", type=float, default=120)
    args = ap.parse_args()

    handler = functools.partial(QuietHandler, directory=args.root)
    server = Server(("127.0.0.1", 0), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["http/1.1"])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)

    tmp = f"{args.port_file}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{server.server_port}\n")
    os.replace(tmp, args.port_file)
    threading.Thread(target=watchdog, args=(server, args.max_lifetime), daemon=True).start()
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
