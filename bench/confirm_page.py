#!/usr/bin/env python3
"""CPU time the confirmation page costs the server (SPEC §3: `GET /confirm/{token}`, the page
every emailed link opens), beside the sign-up form and `/healthz`, for one or two builds.
CPU per request is steadier than requests per second on a shared, noisy machine: it does
not count the time the server waits for a core.

    python3 bench/confirm_page.py [BASELINE_BINARY] [CANDIDATE_BINARY]

Each binary runs on its own SQLite database with one pending account; for each path, three
4-second wrk runs (one thread, 8 connections) alternate between the builds, and the table
shows the server process's user+system CPU time divided by the requests it answered.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import PASSWORD, RELEASE, ROOT, Browser, Doorman, ensure_tools, free_port, run  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def microseconds_per_request(app, path):
    before = cpu_seconds(app.process.pid)
    output = subprocess.run(["wrk", "-t1", "-c8", "-d4s", app.base + path],
                            capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return (cpu_seconds(app.process.pid) - before) * 1e6 / requests


def start(binary, workdir, name):
    app = Doorman(f"sqlite://{workdir}/{name}.db?mode=rwc", free_port())
    app.binary = binary
    app.start()
    browser = Browser(app.base)
    assert browser.post("/signup", {"email": f"{name}@example.com", "password": PASSWORD}) == 303
    listing = urllib.request.urlopen(app.base + "/dev/mailbox").read().decode()
    message = re.search(r'/dev/mailbox/(\d+)', listing).group(1)
    text = urllib.request.urlopen(f"{app.base}/dev/mailbox/{message}/text").read().decode()
    confirm = re.search(r"http://[^/\s]+(/confirm/\S+)", text).group(1)
    return app, confirm


def main():
    ensure_tools()
    binaries = sys.argv[1:] or [os.path.join(RELEASE, "doorman")]
    if not sys.argv[1:]:
        run(["cargo", "build", "--release", "--quiet", "--bin", "doorman"], cwd=ROOT)
    workdir = tempfile.mkdtemp(prefix="doorman-confirm-page-")
    apps = []
    try:
        for index, binary in enumerate(binaries):
            apps.append(start(binary, workdir, f"build{index}"))
        names = " | ".join(f"{os.path.basename(os.path.dirname(b)) or b}/{os.path.basename(b)} µs CPU/request" for b in binaries)
        print(f"| path | {names} |")
        print("|---" * (len(binaries) + 1) + "|")
        for label in ["/confirm/{token}", "/signup", "/healthz"]:
            samples = [[] for _ in apps]
            for _ in range(3):
                for index, (app, confirm) in enumerate(apps):
                    path = confirm if label == "/confirm/{token}" else label
                    samples[index].append(microseconds_per_request(app, path))
            cells = " | ".join(" ".join(f"{value:.1f}" for value in sample) for sample in samples)
            print(f"| `GET {label}` | {cells} |")
    finally:
        for app, _ in apps:
            if app.process.poll() is None:
                app.process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
