#!/usr/bin/env python3
"""Doorman's benchmark: one command, every number as a ratio within one run.

    python3 bench/run.py [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--seconds 10]

Builds the release binary and the bench examples, starts an SMTP sink, the bare-axum
ceiling and Doorman (SQLite, or a fresh PostgreSQL database), drives load with wrk, and
prints a Markdown report (also written to bench/last-run.md). Everything listens on
127.0.0.1 only.
"""

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command, **kwargs):
    print("+", " ".join(command), file=sys.stderr)
    return subprocess.run(command, check=True, **kwargs)


def ensure_tools():
    missing = [tool for tool in ("wrk", "sqlite3") if not shutil.which(tool)]
    if missing:
        run(["apt-get", "install", "-y", "-q", *missing], stdout=subprocess.DEVNULL)


def wait_ready(url, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.002)
    raise RuntimeError(f"{url} never answered 200")


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser: cookies, CSRF token, no redirects."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self):
        _, page = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        cookie = next(c for c in self.jar if c.name.endswith("doorman_csrf"))
        return f"{cookie.name}={cookie.value}", token

    def post(self, path, fields):
        _, token = self.csrf()
        data = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def wrk(url, seconds, connections, threads=2, script=None, env=None):
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    if script:
        command += ["-s", os.path.join(ROOT, "bench", script)]
    command.append(url)
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, env={**os.environ, **(env or {})}
    ).stdout
    total = int(re.search(r"(\d+) requests in", output).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failed = int(failed.group(1)) if failed else 0
    duration = float(re.search(r"requests in ([\d.]+)s", output).group(1))

    def percentile(p):
        match = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", output)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": total / duration,
        "ok_rps": (total - failed) / duration,
        "failed": failed,
        "total": total,
        "p50_ms": percentile(50),
        "p99_ms": percentile(99),
    }


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Sink:
    def __init__(self):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".sink", delete=False)
        self.process = subprocess.Popen(
            [os.path.join(RELEASE, "examples", "smtp_sink"), f"127.0.0.1:{self.port}"],
            stdout=self.log,
        )
        time.sleep(0.3)

    def received(self):
        with open(self.log.name) as log:
            lines = [line.split() for line in log if line.strip()]
        return {recipient: float(ms) for ms, recipient in lines}

    def count(self):
        with open(self.log.name) as log:
            return sum(1 for line in log if line.strip())


class Doorman:
    def __init__(self, database_url, smtp_port, extra=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": database_url,
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "BIND_ADDR": f"127.0.0.1:{self.port}",
            "BASE_URL": self.base,
            "SECRET_KEY": "benchmark secret key that is long enough to use",
            "RATE_LIMIT_PER_MINUTE": "0",
            "ADMIN_BIND_ADDR": "",
            "MAIL_PER_ADDRESS_PER_HOUR": "100000",
            "RUST_LOG": "error",
            **(extra or {}),
        }
        self.process = None
        self.binary = os.environ.get("DOORMAN_BINARY", os.path.join(RELEASE, "doorman"))

    def start(self):
        started = time.monotonic()
        self.process = subprocess.Popen(
            [self.binary, "serve"], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_ready(self.base + "/readyz")
        return (time.monotonic() - started) * 1000

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def database(postgres_url, workdir):
    if not postgres_url:
        return f"sqlite://{workdir}/bench.db?mode=rwc", None
    name = f"doorman_bench_{os.getpid()}"
    run(["psql", postgres_url, "-qc", f"CREATE DATABASE {name}"])
    return postgres_url.rsplit("/", 1)[0] + "/" + name, name


def clean_up(processes, postgres_url, pg_name, workdir):
    """Stops what a bench started and drops what it made."""
    for process in processes:
        if process and process.poll() is None:
            process.kill()
    if pg_name:
        subprocess.run(["psql", postgres_url, "-qc", f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"])
    shutil.rmtree(workdir, ignore_errors=True)


def sql(database_url, statement):
    if database_url.startswith("sqlite"):
        path = database_url.split("://", 1)[1].split("?")[0]
        run(["sqlite3", "-cmd", ".timeout 10000", path, statement], stdout=subprocess.DEVNULL)
    else:
        run(["psql", database_url, "-qc", statement], stdout=subprocess.DEVNULL)


def signup_to_smtp(browser, sink):
    """Sign-up latency to the catcher, one at a time on an idle server."""
    latencies_request, latencies_response = [], []
    for i in range(60):
        email = f"latency-{os.getpid()}-{i}@example.com"
        sent = time.time() * 1000
        status = browser.post("/signup", {"email": email, "password": PASSWORD})
        answered = time.time() * 1000
        assert status == 303, status
        deadline = time.monotonic() + 10
        while email not in sink.received() and time.monotonic() < deadline:
            time.sleep(0.0002)
        received = sink.received()[email]
        latencies_request.append(received - sent)
        latencies_response.append(received - answered)
    return {
        "from_post_p50": pct(latencies_request, 50), "from_post_p99": pct(latencies_request, 99),
        "from_303_p50": pct(latencies_response, 50), "from_303_p99": pct(latencies_response, 99),
    }


def outbox_throughput(database_url, sink, rows=2000):
    """Confirmed accounts and one email each, inserted directly, timed at the catcher.

    Each email goes to its own account's address: the worker skips an email whose
    recipient is not its account's address."""
    before = sink.count()
    tag = f"outbox-{time.monotonic_ns()}-"
    if database_url.startswith("sqlite"):
        now = "strftime('%Y-%m-%dT%H:%M:%f+00:00','now')"
        numbers = f"WITH RECURSIVE numbers(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM numbers WHERE i < {rows}) "
        source = "numbers"
    else:
        now = "now()"
        numbers = ""
        source = f"generate_series(1, {rows}) AS numbers(i)"
    sql(database_url,
        f"{numbers}INSERT INTO users (email, email_normalized, password_hash, created_at, confirmed_at) "
        f"SELECT '{tag}' || i || '@example.com', '{tag}' || i || '@example.com', 'unused', {now}, {now} FROM {source}")
    sql(database_url,
        "INSERT INTO outbox (kind, user_id, recipient, recipient_normalized, created_at, attempts, next_attempt_at) "
        f"SELECT 'already_registered', id, email, email, {now}, 0, {now} FROM users WHERE email LIKE '{tag}%'")
    inserted = time.time() * 1000
    deadline = time.monotonic() + 180
    while sink.count() < before + rows and time.monotonic() < deadline:
        time.sleep(0.01)
    times = sorted(ms for recipient, ms in sink.received().items() if recipient.startswith(tag))
    assert times, "no email of the batch reached the catcher"
    return {
        "emails": len(times),
        "per_s": len(times) / max((times[-1] - times[0]) / 1000, 0.001),
        "all_sent_after_s": (times[-1] - inserted) / 1000,
    }


def outbox_over_one_connection(database_url, sink):
    """The same, with the SMTP pool held to one connection (SMTP_MAX_CONNECTIONS=1)."""
    single = Doorman(database_url, sink.port, {"SMTP_MAX_CONNECTIONS": "1"})
    single.start()
    try:
        return outbox_throughput(database_url, sink)
    finally:
        single.stop()


def mail_only(args, database_url):
    """`--mail-only`: just the delivery measures, for comparing two builds quickly."""
    sink = Sink()
    app = Doorman(database_url, sink.port)
    results = {"cores": os.cpu_count(), "backend": "PostgreSQL" if args.postgres else "SQLite",
               "binary": app.binary}
    try:
        app.start()
        results["signup_to_smtp_ms"] = signup_to_smtp(Browser(app.base), sink)
        time.sleep(1)
        results["outbox"] = outbox_throughput(database_url, sink)
        app.stop()
        results["outbox_one_connection"] = outbox_over_one_connection(database_url, sink)
    finally:
        for process in (app.process, sink.process):
            if process and process.poll() is None:
                process.kill()
    latency = results["signup_to_smtp_ms"]
    print(json.dumps(results, indent=2))
    print(f"| `{os.path.relpath(app.binary, ROOT)}` | p50 {latency['from_303_p50']:.1f} ms, p99 {latency['from_303_p99']:.1f} ms "
          f"| {results['outbox']['per_s']:,.0f} emails/s | {results['outbox_one_connection']['per_s']:,.0f} emails/s |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL admin URL; SQLite when absent")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--mail-only", action="store_true",
                        help="only sign-up → catcher latency and outbox throughput")
    parser.add_argument("--binary", help="the doorman binary to measure (default: target/release/doorman)")
    args = parser.parse_args()
    if args.binary:
        os.environ["DOORMAN_BINARY"] = os.path.abspath(args.binary)
    ensure_tools()
    run(["cargo", "build", "--release", "--quiet", "--bin", "doorman",
         "--example", "hello_axum", "--example", "argon2_ceiling", "--example", "smtp_sink"], cwd=ROOT)
    if args.mail_only:
        workdir = tempfile.mkdtemp(prefix="doorman-bench-")
        database_url, pg_name = database(args.postgres, workdir)
        try:
            mail_only(args, database_url)
        finally:
            if pg_name:
                subprocess.run(["psql", args.postgres, "-qc", f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"])
            shutil.rmtree(workdir, ignore_errors=True)
        return
    cores = os.cpu_count()
    results = {"cores": cores, "backend": "PostgreSQL" if args.postgres else "SQLite"}
    workdir = tempfile.mkdtemp(prefix="doorman-bench-")
    database_url, pg_name = database(args.postgres, workdir)
    sink = Sink()
    hello_port = free_port()
    hello = subprocess.Popen([os.path.join(RELEASE, "examples", "hello_axum"), f"127.0.0.1:{hello_port}"])
    app = Doorman(database_url, sink.port)
    try:
        # Ceilings.
        hash_ms, ceiling = subprocess.run(
            [os.path.join(RELEASE, "examples", "argon2_ceiling"), "20"],
            check=True, capture_output=True, text=True).stdout.split()
        results["argon2_hash_ms"] = float(hash_ms)
        # Measured with every core hashing at once, not derived: cores share caches and
        # memory bandwidth, and argon2 is memory-bound.
        results["argon2_ceiling_per_s"] = float(ceiling)
        wait_ready(f"http://127.0.0.1:{hello_port}/")
        results["hello"] = wrk(f"http://127.0.0.1:{hello_port}/", args.seconds, 64)

        # Start-up to ready, with migrations already applied.
        app.start()
        app.stop()
        startups = []
        for _ in range(5):
            startups.append(app.start())
            app.stop()
        results["startup_ms"] = statistics.median(startups)
        app.start()
        time.sleep(0.5)
        results["idle_rss_mib"] = rss_kib(app.process.pid) / 1024

        browser = Browser(app.base)
        cookie, token = browser.csrf()
        results["signup_page"] = wrk(app.base + "/signup", args.seconds, 64)

        # One pending account, its confirmation link read from the dev mailbox.
        browser.post("/signup", {"email": "bench-confirm@example.com", "password": PASSWORD})
        time.sleep(0.3)
        _, mailbox = browser.get("/dev/mailbox")
        message_id = re.search(r'href="/dev/mailbox/(\d+)/text"', mailbox).group(1)
        _, text = browser.get(f"/dev/mailbox/{message_id}/text")
        confirm_path = re.search(r"http://[^/\s]+(/confirm/\S+)", text).group(1)
        confirm_token = confirm_path.rsplit("/", 1)[1]
        results["confirm_page"] = wrk(app.base + confirm_path, args.seconds, 64)
        # The same page for a link whose signature fails: everything but the database read.
        results["confirm_page_forged"] = wrk(app.base + confirm_path[:-3] + "AAA", args.seconds, 64)
        csrf_env = {"CSRF_COOKIE": cookie, "CSRF_TOKEN": token, "CONFIRM_TOKEN": confirm_token}
        results["confirm_post"] = wrk(app.base + "/confirm", args.seconds, 8, script="confirm.lua", env=csrf_env)

        results["signup_to_smtp_ms"] = signup_to_smtp(browser, sink)

        # Sign-up flood with 200 connections: first alone, for throughput; then again while
        # a light, paced reader fetches the form, for its latency. (A second closed-loop wrk
        # would itself eat the CPU the hashing needs.)
        flood = ["wrk", "-t", "1", "-c", "200", "-d", f"{args.seconds}s", "--latency",
                 "-s", os.path.join(ROOT, "bench", "signup.lua"), app.base + "/signup"]
        flood_output = subprocess.run(
            flood, check=True, capture_output=True, text=True, env={**os.environ, **csrf_env}
        ).stdout
        total = int(re.search(r"(\d+) requests in", flood_output).group(1))
        duration = float(re.search(r"requests in ([\d.]+)s", flood_output).group(1))
        shed = re.search(r"Non-2xx or 3xx responses: (\d+)", flood_output)
        shed = int(shed.group(1)) if shed else 0
        results["signup_flood"] = {"accepted_per_s": (total - shed) / duration, "shed_503": shed}

        background = subprocess.Popen(flood, stdout=subprocess.DEVNULL, env={**os.environ, **csrf_env})
        time.sleep(1)
        # One connection, one request at a time: what a person loading the page sees.
        results["signup_page_during_flood"] = wrk(app.base + "/signup", args.seconds - 2, 1, threads=1)
        background.wait()
        results["peak_rss_mib"] = rss_kib(app.process.pid, "VmHWM") / 1024

        time.sleep(2)
        results["outbox"] = outbox_throughput(database_url, sink)
        app.stop()
        results["outbox_one_connection"] = outbox_over_one_connection(database_url, sink)
    finally:
        for process in (app.process, hello, sink.process):
            if process and process.poll() is None:
                process.kill()
        if pg_name:
            subprocess.run(["psql", args.postgres, "-qc", f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"])
        shutil.rmtree(workdir, ignore_errors=True)

    report = render(results, " ".join(sys.argv))
    print(report)
    with open(os.path.join(ROOT, "bench", "last-run.md"), "w") as out:
        out.write(report)
    with open(os.path.join(ROOT, "bench", "last-run.json"), "w") as out:
        json.dump(results, out, indent=2)


def render(r, command):
    def check(ok):
        return "met" if ok else "**missed**"

    hello = r["hello"]["rps"]
    ceiling = r["argon2_ceiling_per_s"]
    latency = r["signup_to_smtp_ms"]
    during = r["signup_page_during_flood"]
    lines = [
        f"### {r['backend']}, {r['cores']} cores, {time.strftime('%Y-%m-%d')}",
        "",
        f"Command: `python3 bench/run.py{command.split('run.py', 1)[1]}`",
        "",
        "| measure | value | ratio / target | |",
        "| --- | --- | --- | --- |",
        f"| bare axum `GET /` | {hello:,.0f} req/s | ceiling | |",
        f"| `GET /signup` | {r['signup_page']['rps']:,.0f} req/s | {r['signup_page']['rps'] / hello:.0%} of axum (≥ 50 %) | {check(r['signup_page']['rps'] / hello >= 0.5)} |",
        f"| `GET /confirm/{{token}}` | {r['confirm_page']['rps']:,.0f} req/s | {r['confirm_page']['rps'] / hello:.0%} of axum (≥ 50 %) | {check(r['confirm_page']['rps'] / hello >= 0.5)} |",
        f"| … the same page for a forged link (no database read) | {r['confirm_page_forged']['rps']:,.0f} req/s | {r['confirm_page_forged']['rps'] / hello:.0%} of axum | |",
        f"| argon2id (m=19456, t=2, p=1), all cores hashing | {r['argon2_hash_ms']:.1f} ms a hash alone | ceiling {ceiling:.1f} hashes/s on {r['cores']} cores | |",
        f"| sign-ups accepted under a 200-connection flood | {r['signup_flood']['accepted_per_s']:.1f} /s | {r['signup_flood']['accepted_per_s'] / ceiling:.0%} of ceiling (≥ 90 %) | {check(r['signup_flood']['accepted_per_s'] / ceiling >= 0.9)} |",
        f"| … shed with `503` + `Retry-After` | {r['signup_flood']['shed_503']} | bounded queue | |",
        f"| `GET /signup` during the flood (one connection) | p50 {during['p50_ms']:.2f} ms, p99 {during['p99_ms']:.2f} ms | p99 < 10 ms | {check(during['p99_ms'] < 10)} |",
        f"| `POST /confirm` (one argon2 verification each) | {r['confirm_post']['rps']:.1f} req/s | {r['confirm_post']['rps'] / ceiling:.0%} of ceiling | |",
        f"| sign-up → SMTP catcher, from the POST | p50 {latency['from_post_p50']:.1f} ms, p99 {latency['from_post_p99']:.1f} ms | p50 < 50 ms | {check(latency['from_post_p50'] < 50)} |",
        f"| sign-up → SMTP catcher, from the 303 | p50 {latency['from_303_p50']:.1f} ms, p99 {latency['from_303_p99']:.1f} ms | p50 < 5 ms | {check(latency['from_303_p50'] < 5)} |",
        f"| outbox throughput to a local catcher | {r['outbox']['per_s']:,.0f} emails/s | {r['outbox']['emails']} emails, all sent {r['outbox']['all_sent_after_s']:.1f} s after insert | |",
        f"| … over one SMTP connection (`SMTP_MAX_CONNECTIONS=1`) | {r['outbox_one_connection']['per_s']:,.0f} emails/s | | |",
        f"| idle RSS | {r['idle_rss_mib']:.1f} MiB | < 30 MiB | {check(r['idle_rss_mib'] < 30)} |",
        f"| peak RSS (after the flood) | {r['peak_rss_mib']:.1f} MiB | < 300 MiB | {check(r['peak_rss_mib'] < 300)} |",
        f"| start-up to `/readyz` 200 (migrated) | {r['startup_ms']:.0f} ms | < 200 ms | {check(r['startup_ms'] < 200)} |",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
