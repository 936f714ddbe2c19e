#!/usr/bin/env python3
"""Forward auth's cost (SPEC §10): every request of the application behind the proxy pays
one `GET /auth/verify`. Throughput with a valid session, as a ratio to the bare-axum
ceiling measured in the same run; and, with several instances on one database, how long
after a logout on one instance every other instance refuses the session.

    python3 bench/verify.py --seconds 10
    python3 bench/verify.py --seconds 10 --instances 3
    python3 bench/verify.py --seconds 10 --instances 3 --postgres postgres://postgres@127.0.0.1:5432/postgres
"""

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import (  # noqa: E402
    PASSWORD, RELEASE, ROOT, Browser, Doorman, database, ensure_tools, free_port, pct, run,
    wait_ready, wrk,
)


def verify_status(port, cookie):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/auth/verify", headers={"Cookie": cookie})
    status = connection.getresponse().status
    connection.close()
    return status


def revocation_delays(instances, cookie, login_port, rounds):
    """Logs a fresh session out on the first instance while the others keep answering
    for it, and returns, per round, how long until the last of them refused it."""
    delays = []
    for _ in range(rounds):
        browser = Browser(instances[0].base)
        email = cookie["email"]
        assert browser.post("/login", {"email": email, "password": PASSWORD}) == 303
        session = next(c for c in browser.jar if c.name.endswith("doorman_session"))
        header = f"{session.name}={session.value}"
        others = [instance.port for instance in instances[1:]]
        for port in others:
            assert verify_status(port, header) == 200
        logged_out = time.monotonic()
        assert browser.post("/logout", {}) == 303
        pending = set(others)
        while pending:
            for port in list(pending):
                if verify_status(port, header) == 401:
                    pending.discard(port)
            if time.monotonic() - logged_out > 10:
                raise SystemExit("an instance kept a logged-out session for 10 s")
        delays.append((time.monotonic() - logged_out) * 1000)
    return delays


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL admin URL; SQLite when absent")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--instances", type=int, default=1)
    args = parser.parse_args()
    ensure_tools()
    run(["cargo", "build", "--release", "--quiet", "--bin", "doorman", "--example", "hello_axum"],
        cwd=ROOT)
    workdir = tempfile.mkdtemp(prefix="doorman-verify-")
    database_url, pg_name = database(args.postgres, workdir)
    hello_port = free_port()
    hello = subprocess.Popen([os.path.join(RELEASE, "examples", "hello_axum"), f"127.0.0.1:{hello_port}"])
    instances = [Doorman(database_url, free_port()) for _ in range(args.instances)]
    delays = []
    try:
        wait_ready(f"http://127.0.0.1:{hello_port}/")
        ceiling = wrk(f"http://127.0.0.1:{hello_port}/", args.seconds, 64)
        for instance in instances:
            instance.start()
        app = instances[0]
        browser = Browser(app.base)
        email = "bench-verify@example.com"
        assert browser.post("/signup", {"email": email, "password": PASSWORD}) == 303
        subprocess.run([os.path.join(RELEASE, "doorman"), "users", "confirm", email],
                       env=app.env, check=True, stdout=subprocess.DEVNULL)
        assert browser.post("/login", {"email": email, "password": PASSWORD}) == 303
        session = next(c for c in browser.jar if c.name.endswith("doorman_session"))
        verify = wrk(app.base + "/auth/verify", args.seconds, 64,
                     script="cookie.lua", env={"COOKIE": f"{session.name}={session.value}"})
        assert verify["failed"] == 0, verify
        anonymous = wrk(app.base + "/auth/verify", args.seconds, 64)
        if len(instances) > 1:
            delays = revocation_delays(instances, {"email": email}, app.port, 20)
    finally:
        for process in [instance.process for instance in instances] + [hello]:
            if process and process.poll() is None:
                process.kill()
        if pg_name:
            subprocess.run(["psql", args.postgres, "-qc", f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"])
        shutil.rmtree(workdir, ignore_errors=True)

    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"| {backend} | {ceiling['rps']:,.0f} req/s | {verify['rps']:,.0f} req/s "
          f"({verify['rps'] / ceiling['rps']:.0%}), p50 {verify['p50_ms']:.2f} ms, p99 {verify['p99_ms']:.2f} ms | "
          f"{anonymous['rps']:,.0f} req/s ({anonymous['rps'] / ceiling['rps']:.0%}) |")
    if delays:
        print(f"logout on one of {len(instances)} instances, refused by all the others after: "
              f"p50 {pct(delays, 50):.0f} ms, max {max(delays):.0f} ms ({len(delays)} rounds)")


if __name__ == "__main__":
    main()
