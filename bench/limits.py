#!/usr/bin/env python3
"""What one shared-limit check costs (SPEC §12): the per-IP POST limit is an atomic upsert
in the database on every POST. Measured as the throughput of POSTs that stop at the CSRF
check (403, no other work), with the limit off and with it on but never reached, in one run.

    python3 bench/limits.py --seconds 10
    python3 bench/limits.py --seconds 10 --postgres postgres://postgres@127.0.0.1:5432/postgres
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, Doorman, database, ensure_tools, free_port, run, wrk  # noqa: E402

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL admin URL; SQLite when absent")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    ensure_tools()
    run(["cargo", "build", "--release", "--quiet", "--bin", "doorman"], cwd=ROOT)
    workdir = tempfile.mkdtemp(prefix="doorman-limits-")
    database_url, pg_name = database(args.postgres, workdir)
    # Nothing here sends email; the SMTP port only has to be valid.
    smtp_port = free_port()
    results = {}
    try:
        for label, per_minute in (("off", "0"), ("on", "1000000000")):
            app = Doorman(database_url, smtp_port, {"RATE_LIMIT_PER_MINUTE": per_minute})
            app.start()
            try:
                results[label] = wrk(app.base + "/login", args.seconds, 16, script="post.lua")
            finally:
                app.stop()
    finally:
        if pg_name:
            subprocess.run(["psql", args.postgres, "-qc", f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"])
        shutil.rmtree(workdir, ignore_errors=True)

    off, on = results["off"], results["on"]
    backend = "PostgreSQL" if args.postgres else "SQLite"
    cost_ms = (1 / on["rps"] - 1 / off["rps"]) * 1000 * 16
    print(f"| {backend} | {off['rps']:,.0f} req/s | {on['rps']:,.0f} req/s | "
          f"{on['rps'] / off['rps']:.0%} | p50 {off['p50_ms']:.2f} → {on['p50_ms']:.2f} ms | "
          f"≈ {cost_ms:.2f} ms per check at 16 connections |")


if __name__ == "__main__":
    main()
