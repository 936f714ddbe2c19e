#!/usr/bin/env python3
"""Forward auth's cost (SPEC §10): every request of the application behind the proxy pays
one `GET /auth/verify`. Throughput with a valid session, as a ratio to the bare-axum
ceiling measured in the same run.

    python3 bench/verify.py --seconds 10
    python3 bench/verify.py --seconds 10 --postgres postgres://postgres@127.0.0.1:5432/postgres
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import (  # noqa: E402
    PASSWORD, RELEASE, ROOT, Browser, Doorman, database, ensure_tools, free_port, run,
    wait_ready, wrk,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL admin URL; SQLite when absent")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    ensure_tools()
    run(["cargo", "build", "--release", "--quiet", "--bin", "doorman", "--example", "hello_axum"],
        cwd=ROOT)
    workdir = tempfile.mkdtemp(prefix="doorman-verify-")
    database_url, pg_name = database(args.postgres, workdir)
    hello_port = free_port()
    hello = subprocess.Popen([os.path.join(RELEASE, "examples", "hello_axum"), f"127.0.0.1:{hello_port}"])
    app = Doorman(database_url, free_port())
    try:
        wait_ready(f"http://127.0.0.1:{hello_port}/")
        ceiling = wrk(f"http://127.0.0.1:{hello_port}/", args.seconds, 64)
        app.start()
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
    finally:
        for process in (app.process, hello):
            if process and process.poll() is None:
                process.kill()
        if pg_name:
            subprocess.run(["psql", args.postgres, "-qc", f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"])
        shutil.rmtree(workdir, ignore_errors=True)

    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"| {backend} | {ceiling['rps']:,.0f} req/s | {verify['rps']:,.0f} req/s "
          f"({verify['rps'] / ceiling['rps']:.0%}), p50 {verify['p50_ms']:.2f} ms, p99 {verify['p99_ms']:.2f} ms | "
          f"{anonymous['rps']:,.0f} req/s ({anonymous['rps'] / ceiling['rps']:.0%}) |")


if __name__ == "__main__":
    main()
