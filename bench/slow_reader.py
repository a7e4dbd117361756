#!/usr/bin/env python3
"""Read a large result through a proxy at a fixed, slow rate while sampling the proxy's RSS.

Standard library only. Used by bench/slow_reader.sh to check backpressure: a client that reads slowly must not
make the proxy buffer the result. Sends one simple Query (a SELECT of --bytes of rows, or the same rows through
COPY ... TO STDOUT), reads the socket at --rate bytes per second until ReadyForQuery, and prints one line:
"<mode> bytes=<n> seconds=<s> rss_base_kb=<k> rss_max_kb=<k>". It always stops by itself (--timeout).
"""
import argparse
import hashlib
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idle_clients import error_text, password_message, startup_message  # noqa: E402

ROW = 1000  # bytes of payload per row


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read_exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise RuntimeError("connection closed")
        data += chunk
    return data


def login(args) -> socket.socket:
    sock = socket.create_connection((args.host, args.port), timeout=30)
    sock.sendall(startup_message(args.user, args.database))
    while True:
        header = read_exactly(sock, 5)
        (length,) = struct.unpack("!i", header[1:])
        body = read_exactly(sock, length - 4)
        kind = header[:1]
        if kind == b"R":
            (code,) = struct.unpack("!i", body[:4])
            if code == 5:
                inner = hashlib.md5((args.password + args.user).encode()).hexdigest()
                outer = hashlib.md5(inner.encode() + body[4:8]).hexdigest()
                sock.sendall(password_message(b"md5" + outer.encode()))
            elif code == 3:
                sock.sendall(password_message(args.password.encode()))
            elif code != 0:
                raise RuntimeError(f"unsupported authentication request {code}")
        elif kind == b"E":
            raise RuntimeError(error_text(body))
        elif kind == b"Z":
            return sock


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--mode", choices=["select", "copy"], default="select")
    parser.add_argument("--bytes", type=int, default=1_000_000_000)
    parser.add_argument("--rate", type=int, default=1_000_000, help="bytes per second")
    parser.add_argument("--proxy-pid", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=0, help="seconds; 0 = 2 x bytes/rate + 120")
    args = parser.parse_args()
    deadline = time.monotonic() + (args.timeout or 2 * args.bytes / args.rate + 120)

    sock = login(args)
    rows = max(1, args.bytes // ROW)
    select = f"SELECT repeat('x', {ROW}) FROM generate_series(1, {rows})"
    query = select if args.mode == "select" else f"COPY ({select}) TO STDOUT"
    body = query.encode() + b"\0"
    sock.sendall(b"Q" + struct.pack("!i", len(body) + 4) + body)
    sock.settimeout(5)

    base = rss_kb(args.proxy_pid)
    peak = base
    received = 0
    pending = b""  # bytes of the current message header not yet complete
    left_in_body = 0
    done = False
    start = time.monotonic()
    next_sample = start
    tick = 0.05
    while not done:
        if time.monotonic() > deadline:
            print(f"{args.mode} TIMEOUT after {received} bytes", flush=True)
            return 1
        budget = int(args.rate * tick)
        slice_start = time.monotonic()
        while budget > 0 and not done:
            try:
                chunk = sock.recv(min(budget, 65536))
            except socket.timeout:
                break
            if not chunk:
                print(f"{args.mode} connection closed after {received} bytes", flush=True)
                return 1
            received += len(chunk)
            budget -= len(chunk)
            view = memoryview(chunk)
            while len(view) > 0:
                if left_in_body > 0:
                    step = min(left_in_body, len(view))
                    left_in_body -= step
                    view = view[step:]
                    continue
                need = 5 - len(pending)
                pending += bytes(view[:need])
                view = view[need:]
                if len(pending) == 5:
                    kind = pending[:1]
                    (length,) = struct.unpack("!i", pending[1:])
                    left_in_body = length - 4
                    pending = b""
                    if kind == b"E":
                        print(f"{args.mode} server error", flush=True)
                    if kind == b"Z":
                        done = True
        now = time.monotonic()
        if now >= next_sample:
            peak = max(peak, rss_kb(args.proxy_pid))
            next_sample = now + 1
        time.sleep(max(0.0, tick - (time.monotonic() - slice_start)))
    peak = max(peak, rss_kb(args.proxy_pid))
    sock.sendall(b"X" + struct.pack("!i", 4))
    sock.close()
    print(f"{args.mode} bytes={received} seconds={time.monotonic() - start:.0f} rss_base_kb={base} rss_max_kb={peak}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
