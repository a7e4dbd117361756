#!/usr/bin/env python3
"""Open N idle PostgreSQL client connections (startup + trust/cleartext/md5 auth done by hand), hold them, then close them.

Standard library only. Used by bench/run.sh to measure a proxy's memory per idle client:
the script writes "READY <ok> <failed>" to --status-file once every connection has been tried,
then holds the open ones until SIGTERM/SIGINT or --hold-max seconds (it always stops by itself),
sends Terminate on each and closes them. Exit status 0 when at least one connection succeeded.
"""
import argparse
import asyncio
import hashlib
import os
import resource
import signal
import struct
import sys
import time


def startup_message(user: str, database: str) -> bytes:
    params = b"".join(k.encode() + b"\0" + v.encode() + b"\0"
                      for k, v in (("user", user), ("database", database),
                                   ("application_name", "bench-idle")))
    body = struct.pack("!i", 196608) + params + b"\0"
    return struct.pack("!i", len(body) + 4) + body


def password_message(secret: bytes) -> bytes:
    return b"p" + struct.pack("!i", len(secret) + 5) + secret + b"\0"


async def read_message(reader: asyncio.StreamReader):
    header = await reader.readexactly(5)
    kind = header[:1]
    (length,) = struct.unpack("!i", header[1:])
    return kind, await reader.readexactly(length - 4)


def error_text(body: bytes) -> str:
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[part[:1]] = part[1:].decode(errors="replace")
    return fields.get(b"M", "error")


async def connect_one(args):
    """Returns (reader, writer) after ReadyForQuery, or raises."""
    reader, writer = await asyncio.open_connection(args.host, args.port)
    try:
        writer.write(startup_message(args.user, args.database))
        await writer.drain()
        while True:
            kind, body = await read_message(reader)
            if kind == b"R":
                (code,) = struct.unpack("!i", body[:4])
                if code == 0:
                    continue
                if code == 3:
                    writer.write(password_message(args.password.encode()))
                elif code == 5:
                    salt = body[4:8]
                    inner = hashlib.md5((args.password + args.user).encode()).hexdigest()
                    outer = hashlib.md5(inner.encode() + salt).hexdigest()
                    writer.write(password_message(b"md5" + outer.encode()))
                else:
                    raise RuntimeError(f"unsupported authentication request {code}")
                await writer.drain()
            elif kind == b"E":
                raise RuntimeError(error_text(body))
            elif kind == b"Z":
                return reader, writer
            # S (ParameterStatus), K (BackendKeyData), N (Notice): ignore
    except BaseException:
        writer.close()
        raise


async def main(args) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    conns = []
    errors = {}
    sem = asyncio.Semaphore(args.concurrency)
    deadline = time.monotonic() + args.connect_phase_max

    async def attempt():
        async with sem:
            if stop.is_set() or time.monotonic() > deadline:
                errors["skipped (stopped or connect phase over)"] = errors.get("skipped (stopped or connect phase over)", 0) + 1
                return
            try:
                conns.append(await asyncio.wait_for(connect_one(args), args.connect_timeout))
            except Exception as e:  # noqa: BLE001 - every failure is counted, not fatal
                key = f"{type(e).__name__}: {e}"[:200]
                errors[key] = errors.get(key, 0) + 1

    started = time.monotonic()
    await asyncio.gather(*(attempt() for _ in range(args.count)))
    failed = sum(errors.values())
    elapsed = time.monotonic() - started
    line = f"READY {len(conns)} {failed} {elapsed:.1f}"
    if args.status_file:
        tmp = args.status_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(line + "\n")
            for msg, n in sorted(errors.items(), key=lambda kv: -kv[1]):
                f.write(f"ERROR {n} {msg}\n")
        os.replace(tmp, args.status_file)
    print(line, flush=True)
    for msg, n in sorted(errors.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {n} failed: {msg}", file=sys.stderr, flush=True)

    try:
        await asyncio.wait_for(stop.wait(), args.hold_max)
    except asyncio.TimeoutError:
        pass

    terminate = b"X" + struct.pack("!i", 4)
    for _, writer in conns:
        try:
            writer.write(terminate)
            writer.close()
        except Exception:  # noqa: BLE001
            pass
    await asyncio.gather(*(w.wait_closed() for _, w in conns), return_exceptions=True)
    return 0 if conns else 1


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", default="bench")
    p.add_argument("--password", default="bench")
    p.add_argument("--database", default="bench")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=100, help="handshakes in flight at once")
    p.add_argument("--connect-timeout", type=float, default=15.0, help="seconds per connection")
    p.add_argument("--connect-phase-max", type=float, default=240.0, help="seconds for all connections")
    p.add_argument("--hold-max", type=float, default=120.0, help="hold at most this long, then close and exit")
    p.add_argument("--status-file")
    args = p.parse_args()
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        p.error("only loopback targets are allowed")
    return args


if __name__ == "__main__":
    a = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.count + 64
    if soft != resource.RLIM_INFINITY and soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    sys.exit(asyncio.run(main(a)))
