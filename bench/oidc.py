#!/usr/bin/env python3
"""The OpenID Connect provider's hot paths (SPEC §13), as ratios to the bare-axum ceiling
measured in the same run, and as requests per second of server CPU (one core's worth):

- `GET /oauth2/authorize` with a live session, first-party client (no consent page):
  a `303` to the redirect URI with a new code, one grant row written;
- `POST /oauth2/token` exchanging those codes (client_secret_basic, PKCE): an ID token and
  an RFC 9068 access token signed RS256, a refresh token;
- `GET /oauth2/userinfo` with a bearer access token.

    python3 bench/oidc.py [--seconds 10] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
"""

import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import (  # noqa: E402
    PASSWORD, RELEASE, ROOT, Browser, Doorman, clean_up, database, ensure_tools, free_port, run,
    wait_ready, wrk,
)

TICKS = os.sysconf("SC_CLK_TCK")
REDIRECT_URI = "http://127.0.0.1:9/callback"
VERIFIER = "bench-pkce-verifier-" + "x" * 40


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measured(app, *args, **kwargs):
    """A wrk run, with the server's CPU seconds for it: requests per CPU-second is the
    throughput one core would give, whatever else the machine was doing."""
    print("+ wrk", args[0], kwargs.get("script", ""), file=sys.stderr, flush=True)
    before = cpu_seconds(app.process.pid)
    result = wrk(*args, **kwargs)
    result["per_core"] = result["total"] / max(cpu_seconds(app.process.pid) - before, 1e-9)
    return result


def register_client(app):
    output = subprocess.run(
        [app.binary, "clients", "add", "--name", "Bench", "--redirect-uri", REDIRECT_URI,
         "--first-party", "--json"],
        env=app.env, check=True, capture_output=True, text=True).stdout
    client = json.loads(output)
    return client["client_id"], client["client_secret"]


def authorize_path(client_id):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    return "/oauth2/authorize?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI,
        "scope": "openid email", "state": "bench-state", "nonce": "bench-nonce",
        "code_challenge": challenge, "code_challenge_method": "S256",
    })


def first_access_token(app, codes, basic):
    with open(codes + ".0") as lines:
        code = lines.readline().strip()
    body = urllib.parse.urlencode({
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": VERIFIER,
    }).encode()
    request = urllib.request.Request(app.base + "/oauth2/token", data=body, headers={
        "Authorization": "Basic " + basic,
        "Content-Type": "application/x-www-form-urlencoded",
    })
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["access_token"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL admin URL; SQLite when absent")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    ensure_tools()
    run(["cargo", "build", "--release", "--quiet", "--bin", "doorman", "--example", "hello_axum"],
        cwd=ROOT)
    workdir = tempfile.mkdtemp(prefix="doorman-oidc-")
    database_url, pg_name = database(args.postgres, workdir)
    hello_port = free_port()
    hello = subprocess.Popen([os.path.join(RELEASE, "examples", "hello_axum"), f"127.0.0.1:{hello_port}"])
    app = Doorman(database_url, free_port())
    codes = os.path.join(workdir, "codes")
    try:
        wait_ready(f"http://127.0.0.1:{hello_port}/")
        app.start()
        client_id, secret = register_client(app)
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        browser = Browser(app.base)
        email = "bench-oidc@example.com"
        assert browser.post("/signup", {"email": email, "password": PASSWORD}) == 303
        subprocess.run([app.binary, "users", "confirm", email],
                       env=app.env, check=True, stdout=subprocess.DEVNULL)
        assert browser.post("/login", {"email": email, "password": PASSWORD}) == 303
        session = next(c for c in browser.jar if c.name.endswith("doorman_session"))

        # The ceiling's CPU is hello_axum's, not Doorman's: measure it on its own process.
        ceiling_cpu_before = cpu_seconds(hello.pid)
        ceiling = wrk(f"http://127.0.0.1:{hello_port}/", args.seconds, 64)
        ceiling["per_core"] = ceiling["total"] / max(cpu_seconds(hello.pid) - ceiling_cpu_before, 1e-9)
        # Codes live 60 s: the exchange runs right after the run that issued them.
        authorize = measured(app, app.base + authorize_path(client_id), args.seconds, 64,
                             script="authorize.lua",
                             env={"COOKIE": f"{session.name}={session.value}", "CODES": codes})
        assert authorize["failed"] == 0, authorize
        access_token = first_access_token(app, codes, basic)
        # Half as long as the authorization run: every exchange needs a code it issued.
        exchange = measured(app, app.base + "/oauth2/token", max(args.seconds // 2, 1), 64,
                            script="token.lua",
                            env={"CODES": codes, "BASIC_AUTH": basic, "VERIFIER": VERIFIER,
                                 "REDIRECT_URI": urllib.parse.quote(REDIRECT_URI, safe="")})
        assert exchange["failed"] <= 64, f"codes ran out or were refused: {exchange}"
        userinfo = measured(app, app.base + "/oauth2/userinfo", args.seconds, 64,
                            script="bearer.lua", env={"ACCESS_TOKEN": access_token})
        assert userinfo["failed"] == 0, userinfo
    finally:
        clean_up((app.process, hello), args.postgres, pg_name, workdir)

    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"| {backend} | request | req/s | of bare axum | p50 | p99 | req per CPU-second |")
    print("|---|---|---|---|---|---|---|")
    for label, result in [("bare axum `GET /`", ceiling),
                          ("`GET /oauth2/authorize` (live session, first-party)", authorize),
                          ("`POST /oauth2/token` (code exchange)", exchange),
                          ("`GET /oauth2/userinfo`", userinfo)]:
        print(f"| {backend} | {label} | {result['ok_rps']:,.0f} | {result['ok_rps'] / ceiling['rps']:.0%} "
              f"| {result['p50_ms']:.2f} ms | {result['p99_ms']:.2f} ms | {result['per_core']:,.0f} |")


if __name__ == "__main__":
    main()
