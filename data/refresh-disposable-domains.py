#!/usr/bin/env python3
"""Refreshes data/disposable-domains.txt, the disposable-mail domains SIGNUP_BLOCK_DISPOSABLE
refuses, from the disposable-email-domains project
(https://github.com/disposable-email-domains/disposable-email-domains) as published on PyPI
(package `disposable-email-domains`, MIT licence, (c) 2016 Dustin Ingram).

    python3 data/refresh-disposable-domains.py            # the newest release on PyPI
    python3 data/refresh-disposable-domains.py WHEEL      # a wheel already downloaded

The package's module holds the list as one Python set literal; it is read with `ast`, never
imported or run. Only lowercase ASCII domain names are kept (the list is matched against the
ASCII form Doorman stores). Review the diff before committing: a domain that is removed
upstream is allowed again.
"""

import ast
import io
import json
import pathlib
import re
import sys
import urllib.parse
import urllib.request
import zipfile

PACKAGE = "disposable-email-domains"
TARGET = pathlib.Path(__file__).resolve().parent / "disposable-domains.txt"
DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def newest_wheel():
    index = f"https://pypi.org/pypi/{PACKAGE}/json"
    with urllib.request.urlopen(index, timeout=30) as answer:
        release = json.load(answer)
    wheel = next(f for f in release["urls"] if f["filename"].endswith(".whl"))
    # Mirrors answer with URLs relative to the index.
    with urllib.request.urlopen(urllib.parse.urljoin(index, wheel["url"]), timeout=60) as answer:
        return release["info"]["version"], answer.read()


def blocklist(wheel_bytes):
    with zipfile.ZipFile(io.BytesIO(wheel_bytes)) as wheel:
        source = wheel.read("disposable_email_domains/__init__.py").decode()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "blocklist" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise SystemExit("no `blocklist` set in the package")


def main():
    if len(sys.argv) > 1:
        path = pathlib.Path(sys.argv[1])
        version, wheel_bytes = path.name.split("-")[1], path.read_bytes()
    else:
        version, wheel_bytes = newest_wheel()
    domains = sorted({d.strip().lower() for d in blocklist(wheel_bytes)})
    kept = [d for d in domains if DOMAIN.match(d)]
    header = (
        f"# Disposable-mail domains, from the disposable-email-domains project as published\n"
        f"# on PyPI ({PACKAGE} {version}, MIT licence, (c) 2016 Dustin Ingram).\n"
        f"# Refresh with data/refresh-disposable-domains.py. One domain a line; its subdomains\n"
        f"# are refused too.\n"
    )
    TARGET.write_text(header + "\n".join(kept) + "\n")
    print(f"{len(kept)} domains ({len(domains) - len(kept)} not plain domain names left out) "
          f"from {PACKAGE} {version} into {TARGET}", file=sys.stderr)


if __name__ == "__main__":
    main()
