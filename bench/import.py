#!/usr/bin/env python3
"""`doorman users import` of 100,000 accounts (SPEC §16: under a minute), and what the first
login of an imported account costs: Django's PBKDF2-SHA256 at 600,000 rounds and bcrypt at
cost 12, each against the second login (the hash is argon2id by then).

    python3 bench/import.py [--lines 100000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

The file mixes the formats of tests/fixtures/imported-accounts.jsonl (each line's hash is
checked for its format, not computed); five accounts of each kind are added whose passwords
are known, made with Python's hashlib the way Django makes them (PBKDF2) and taken from the
fixture (bcrypt-12, made by the bcrypt library). Times are wall clock of the release
binary; the logins are one at a time, through the login form.
"""

import argparse
import base64
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Browser, clean_up, database, Doorman, ensure_tools, free_port, ROOT, run  # noqa: E402

FIXTURE = os.path.join(ROOT, "tests", "fixtures", "imported-accounts.jsonl")
ACCOUNTS_EACH = 5


def django_pbkdf2(password, rounds=600_000):
    salt = base64.b64encode(os.urandom(12)).decode().rstrip("=").replace("+", "x").replace("/", "y")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), rounds)
    return f"pbkdf2_sha256${rounds}${salt}${base64.b64encode(digest).decode()}"


def write_file(path, lines):
    fixture = [json.loads(line) for line in open(FIXTURE)]
    hashes = [account["password_hash"] for account in fixture]
    bcrypt = next(a for a in fixture if a["made_by"] == "bcrypt-2b")
    known = []
    with open(path, "w") as out:
        for i in range(lines):
            out.write(json.dumps({
                "email": f"bench-{i}@import.example",
                "password_hash": hashes[i % len(hashes)],
                "confirmed": True,
                "created_at": "2021-06-01T12:00:00Z",
            }) + "\n")
        for i in range(ACCOUNTS_EACH):
            password = f"imported password number {i}"
            email = f"pbkdf2-{i}@import.example"
            out.write(json.dumps({"email": email, "password_hash": django_pbkdf2(password),
                                  "confirmed": True}) + "\n")
            known.append(("Django PBKDF2-SHA256, 600,000 rounds", email, password))
            email = f"bcrypt-{i}@import.example"
            out.write(json.dumps({"email": email, "password_hash": bcrypt["password_hash"],
                                  "confirmed": True}) + "\n")
            known.append(("bcrypt, cost 12", email, bcrypt["password"]))
    return known


def timed_login(base, email, password):
    browser = Browser(base)
    browser.csrf()
    started = time.perf_counter()
    status = browser.post("/login", {"email": email, "password": password})
    elapsed = (time.perf_counter() - started) * 1000
    assert status == 303, (email, status)
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL admin URL; SQLite when absent")
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    ensure_tools()
    run(["cargo", "build", "--release", "--quiet", "--bin", "doorman"], cwd=ROOT)
    workdir = tempfile.mkdtemp(prefix="doorman-import-")
    database_url, pg_name = database(args.postgres, workdir)
    app = Doorman(database_url, free_port())
    try:
        subprocess.run([app.binary, "migrate"], env=app.env, check=True, stdout=subprocess.DEVNULL)
        path = os.path.join(workdir, "accounts.jsonl")
        known = write_file(path, args.lines)
        total = args.lines + len(known)
        started = time.monotonic()
        result = subprocess.run([app.binary, "users", "import", path], env=app.env,
                                capture_output=True, text=True)
        seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr[-2000:]
        assert f"{total} imported" in result.stdout, result.stdout
        app.start()
        first, second = {}, {}
        for kind, email, password in known:
            first.setdefault(kind, []).append(timed_login(app.base, email, password))
            second.setdefault(kind, []).append(timed_login(app.base, email, password))
    finally:
        clean_up((app.process,), args.postgres, pg_name, workdir)

    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"| {backend} | value |")
    print("|---|---|")
    print(f"| `users import` of {total:,} lines | {seconds:.1f} s ({total / seconds:,.0f} lines/s) |")
    for kind in first:
        a, b = statistics.median(first[kind]), statistics.median(second[kind])
        print(f"| first login, {kind} (median of {ACCOUNTS_EACH}) | {a:.0f} ms; the next login "
              f"(argon2id) {b:.0f} ms, {a / b:.1f}× |")


if __name__ == "__main__":
    main()
