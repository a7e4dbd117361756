"""Drives Bulkhead with asyncpg (default statement cache) and psycopg (prepare_threshold=0) under transaction pooling.

Usage: prepared_statements.py HOST PORT USER PASSWORD DATABASE. Exits non-zero on the first wrong answer or error.
"""
import asyncio
import sys

import asyncpg
import psycopg

HOST, PORT, USER, PASSWORD, DATABASE = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
CLIENTS = 40
ROUNDS = 50


async def asyncpg_client(index: int) -> None:
    conn = await asyncpg.connect(host=HOST, port=PORT, user=USER, password=PASSWORD, database=DATABASE)
    try:
        for step in range(ROUNDS):
            # The same texts from every client: asyncpg names them itself and caches them per connection.
            value = await conn.fetchval("SELECT $1::int + $2::int", index, step)
            assert value == index + step, (index, step, value)
            count = await conn.fetchval("SELECT count(*) FROM app.documents WHERE organization_id = $1", 1)
            assert count == 20, count
            async with conn.transaction():
                rows = await conn.fetch("SELECT id FROM app.documents WHERE organization_id = $1 ORDER BY id LIMIT 3", 2)
                assert [r["id"] for r in rows] == [2001, 2002, 2003], rows
        statement = await conn.prepare("SELECT $1::text || '-' || $2::text")
        for step in range(ROUNDS):
            assert await statement.fetchval(str(index), str(step)) == f"{index}-{step}"
    finally:
        await conn.close()


async def run_asyncpg() -> None:
    await asyncio.gather(*(asyncpg_client(i) for i in range(CLIENTS)))


def run_psycopg() -> None:
    conninfo = f"host={HOST} port={PORT} user={USER} password={PASSWORD} dbname={DATABASE}"
    with psycopg.connect(conninfo, prepare_threshold=0, autocommit=True) as conn:
        for step in range(ROUNDS):
            with conn.cursor() as cur:
                cur.execute("SELECT %s::int * 3", (step,))
                assert cur.fetchone() == (step * 3,)
                cur.execute("SELECT title FROM app.documents WHERE id = %s", (1001,))
                assert cur.fetchone() is not None
        with conn.transaction():
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM app.folders WHERE organization_id = %s", (3,))
                assert cur.fetchone() == (5,)


if __name__ == "__main__":
    asyncio.run(run_asyncpg())
    run_psycopg()
    print("drivers ok")
