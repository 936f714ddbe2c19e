#!/usr/bin/env python3
"""The console's account list with a million accounts (SPEC §15: a page of the list or a
search under 50 ms, on SQLite and on PostgreSQL), through the admin API, one request at a
time, p50 and p95 of each query:

- the first page (newest first);
- a prefix matching about 3,900 accounts (found by the address index, then sorted);
- a prefix matching about 62,000 (walked newest first, keeping the matches);
- a prefix matching none;
- `@domain` (1,000 accounts at it);
- `status=disabled` (1,000 of them) and `status=unconfirmed` (a tenth);
- the 10,000th page, by cursor.

    python3 bench/console.py [--accounts 1000000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Accounts are inserted by SQL in one statement (the addresses' local parts are a
multiplicative hash of the row number in hex, so prefixes spread like real ones), after the
migrations made the indexes, so the indexes are built as they would have grown.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import clean_up, database, Doorman, ensure_tools, free_port, pct, ROOT, run  # noqa: E402


def seed(database_url, postgres_url, accounts):
    """`accounts` accounts: a tenth unconfirmed, one in a thousand disabled, spread over
    1,000 domains."""
    local = "printf('%08x', (i * 2654435761) % 4294967296)" if not postgres_url else \
        "lpad(to_hex(((i::bigint * 2654435761) % 4294967296)::bigint), 8, '0')"
    domain = "'d' || (i % 1000) || '.example'"
    confirmed = "CASE WHEN i % 10 = 0 THEN NULL ELSE {now} END"
    disabled = "CASE WHEN i % 1000 = 7 THEN {now} ELSE NULL END"
    if postgres_url:
        now = "now()"
        source = f"generate_series(1, {accounts}) AS numbers(i)"
        prefix = ""
    else:
        now = "strftime('%Y-%m-%dT%H:%M:%f+00:00','now')"
        source = "numbers"
        prefix = (f"WITH RECURSIVE numbers(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM numbers "
                  f"WHERE i < {accounts}) ")
    address = f"{local} || '.' || i || '@' || {domain}"
    statement = (
        f"{prefix}INSERT INTO users (email, email_normalized, email_domain, password_hash, "
        f"created_at, confirmed_at, disabled_at) "
        f"SELECT {address}, {address}, {domain}, '', {now}, "
        f"{confirmed.format(now=now)}, {disabled.format(now=now)} FROM {source}"
    )
    started = time.monotonic()
    if postgres_url:
        run(["psql", database_url, "-qc", statement], stdout=subprocess.DEVNULL)
        run(["psql", database_url, "-qc", "ANALYZE users"], stdout=subprocess.DEVNULL)
    else:
        path = database_url.split("://", 1)[1].split("?")[0]
        run(["sqlite3", path, statement], stdout=subprocess.DEVNULL)
        run(["sqlite3", path, "ANALYZE"], stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def timed(port, key, path, rounds):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples, body = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        connection.request("GET", "/api/v1/admin" + path, headers={"Authorization": f"Bearer {key}"})
        response = connection.getresponse()
        body = response.read()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (path, response.status, body[:200])
    connection.close()
    return samples, json.loads(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL admin URL; SQLite when absent")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    ensure_tools()
    run(["cargo", "build", "--release", "--quiet", "--bin", "doorman"], cwd=ROOT)
    workdir = tempfile.mkdtemp(prefix="doorman-console-")
    database_url, pg_name = database(args.postgres, workdir)
    app = Doorman(database_url, free_port())
    rows = []
    try:
        subprocess.run([app.binary, "migrate"], env=app.env, check=True, stdout=subprocess.DEVNULL)
        seconds = seed(database_url, args.postgres, args.accounts)
        print(f"seeded {args.accounts:,} accounts in {seconds:.0f} s", file=sys.stderr)
        key = subprocess.run([app.binary, "admin-keys", "create", "bench"], env=app.env,
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        app.start()
        _, first = timed(app.port, key, "/users?limit=1", 1)
        newest = first["users"][0]["id"]
        deep_cursor = newest - 9_999 * 50 + 1
        queries = [
            ("first page", "/users"),
            ("prefix `ab` (~3,900 matches)", "/users?q=ab"),
            ("prefix `a` (~62,000 matches)", "/users?q=a"),
            ("prefix `zz` (none)", "/users?q=zz"),
            ("`@d42.example` (1,000)", "/users?q=%40d42.example"),
            ("`status=disabled` (1,000)", "/users?status=disabled"),
            ("`status=unconfirmed` (100,000)", "/users?status=unconfirmed"),
            ("10,000th page by cursor", f"/users?cursor={deep_cursor}"),
        ]
        for label, path in queries:
            timed(app.port, key, path, 3)  # warm
            samples, body = timed(app.port, key, path, args.rounds)
            rows.append((label, len(body["users"]), pct(samples, 50), pct(samples, 95)))
    finally:
        clean_up((app.process,), args.postgres, pg_name, workdir)

    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"| {backend}, {args.accounts:,} accounts | accounts answered | p50 | p95 |")
    print("|---|---|---|---|")
    for label, count, p50, p95 in rows:
        print(f"| {label} | {count} | {p50:.1f} ms | {p95:.1f} ms |")


if __name__ == "__main__":
    main()
