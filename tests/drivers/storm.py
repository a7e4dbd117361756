"""Connects N clients to a proxy at once (trust login, one query each) and reports how each fared.

Usage: storm.py PORT USER DATABASE N. Prints "served S refused R broken B": refused means a clean
ErrorResponse, broken means anything else (a reset, a hang past the deadline, a malformed answer).
Traffic goes to 127.0.0.1 only, and the script stops by itself after 120 seconds at most.
"""
import asyncio
import struct
import sys

PORT, USER, DATABASE, COUNT = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])


def startup() -> bytes:
    params = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in (("user", USER), ("database", DATABASE)))
    body = struct.pack("!i", 196608) + params + b"\0"
    return struct.pack("!i", len(body) + 4) + body


async def read_message(reader):
    header = await reader.readexactly(5)
    (length,) = struct.unpack("!i", header[1:])
    return header[:1], await reader.readexactly(length - 4)


async def until_ready(reader) -> bool:
    """Reads up to ReadyForQuery; False if an ErrorResponse came first."""
    failed = False
    while True:
        kind, _ = await read_message(reader)
        if kind == b"E":
            failed = True
        if kind == b"Z":
            return not failed


async def client() -> str:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    except OSError:
        return "broken"
    try:
        writer.write(startup())
        await writer.drain()
        kind, body = await read_message(reader)
        if kind == b"E":
            return "refused"
        if kind != b"R" or struct.unpack("!i", body[:4])[0] != 0:
            return "broken"
        if not await until_ready(reader):
            return "refused"
        query = b"SELECT 1\0"
        writer.write(b"Q" + struct.pack("!i", len(query) + 4) + query)
        await writer.drain()
        outcome = "served" if await until_ready(reader) else "refused"
        writer.write(b"X\0\0\0\4")
        await writer.drain()
        return outcome
    except (asyncio.IncompleteReadError, ConnectionError):
        return "broken"
    finally:
        writer.close()


async def main() -> None:
    tasks = [asyncio.ensure_future(client()) for _ in range(COUNT)]
    done, pending = await asyncio.wait(tasks, timeout=120)
    for task in pending:
        task.cancel()
    results = [task.result() for task in done]
    served, refused = results.count("served"), results.count("refused")
    broken = COUNT - served - refused
    print(f"served {served} refused {refused} broken {broken}")


if __name__ == "__main__":
    asyncio.run(main())
