"""Load benchmark: the production server under 50 concurrent clients for 60 seconds.

Starts gunicorn as deployed (DJANGO_DEBUG=false with a throwaway secret key, allowed hosts and
encryption key in the environment; `deploy/gunicorn.conf.py`, 2 workers) on 127.0.0.1 with the
demo database, prepared as `bench/render_load.py` does (whose pieces this reuses). Each client
keeps one connection and picks, request after request with no pause, one of four kinds:

- page:   a handbook page (index, section, the demo page in zh-Hans, English, zh-Hant);
- card:   the demo page for one of its trial cards (`#trial-NCT…`: an anchor, so the server
          sends the page; the card must be in it);
- search: site search with one of a few queries (a query string: never from the page cache);
- finder: a POST of a patient's answers to the trial finder, after one GET of its form per
          client, as a browser does; the CSRF token and cookie are sent when the form carries
          them (the finder is CSRF-exempt by design: a search stores nothing and sets no
          cookie, finder/views/results.py).

The same load runs first for --warmup seconds, unmeasured: each gunicorn worker builds its
caches (site search's pages, the finder's parsed criteria) on its first requests, which a
server that has been up for a while has done long ago. A request counts as an error unless it answers 200 with what it should hold. Prints, per kind
and in all: requests, throughput, p50 / p95 / p99 and error rate, and the load average.

    .venv/bin/python bench/load.py                       # 50 clients, 60 s
    .venv/bin/python bench/load.py --clients 10 --duration 10 --reuse-database

Only 127.0.0.1 is contacted; the run stops by itself after --duration seconds.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_load import (  # noqa: E402
    DEMO_PATH,
    PYTHON,
    ROOT,
    _environment,
    _free_port,
    _wait_until_up,
    percentile,
    prepare,
)

HOST = "127.0.0.1"
PAGES = [
    "/zh-hans/",
    "/zh-hans/experimental-treatment/",
    DEMO_PATH,
    "/en/experimental-treatment/mesenchymal-stem-cells/",
    "/zh-hant/experimental-treatment/jian-chong-zhi-gan-xi-bao/",
]
SEARCHES = ["干细胞", "NCT02213705", "硬皮病", "间充质", "肺纤维化"]
FINDER_ANSWERS = [
    {"age": "45", "sex": "FEMALE", "diagnosis": "diffuse", "text": "弥漫性硬皮病，肺间质病变"},
    {"age": "38", "sex": "MALE", "diagnosis": "limited", "city": "成都"},
    {"age": "52", "text": "systemic sclerosis with interstitial lung disease"},
]
WEIGHTS = {"page": 40, "card": 20, "search": 25, "finder": 15}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CARD_ANCHOR = re.compile(r'id="(trial-NCT\d{8})"')
# The server closed a kept-alive connection before reading the next request (gunicorn closes
# idle ones after its keep-alive time): a browser sends the request again on a new connection
# without showing an error, and so does this client, once, counting it as a retry.
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    reasons: Counter = field(default_factory=Counter)


class Client:
    """One simulated reader on one kept-alive connection, with its own CSRF cookie."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookie = ""
        self.token: str | None = None
        self.used = False
        self.retries = 0

    def _reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        self.used = False

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Host": HOST}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        reused = self.used
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except STALE_CONNECTION:
            self._reconnect()
            if not reused:
                raise
            self.retries += 1
            return self.request(method, path, body)
        except (OSError, http.client.HTTPException):
            self._reconnect()
            raise
        self.used = True
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.cookie = value.split(";", 1)[0]
        return response.status, text

    def fetch_token(self) -> None:
        status, text = self.request("GET", "/zh-hans/finder/")
        if status != 200:
            raise RuntimeError(f"the finder's form answered HTTP {status}")
        match = CSRF_INPUT.search(text)
        self.token = match.group(1) if match else ""


def one_request(client: Client, kind: str, anchors: list[str]) -> str:
    """Make one request of `kind`; "" when it answered 200 with what it should hold, else why
    not ("HTTP 500", "content")."""
    if kind == "page":
        status, text = client.request("GET", random.choice(PAGES))  # noqa: S311
        expected = "<html"
    elif kind == "card":
        anchor = random.choice(anchors)  # noqa: S311
        status, text = client.request("GET", DEMO_PATH)
        expected = f'id="{anchor}"'
    elif kind == "search":
        query = urlencode({"q": random.choice(SEARCHES)})  # noqa: S311
        status, text = client.request("GET", f"/zh-hans/search/?{query}")
        expected = "<html"
    else:
        if client.token is None:
            client.fetch_token()
        answers = dict(random.choice(FINDER_ANSWERS))  # noqa: S311
        if client.token:
            answers["csrfmiddlewaretoken"] = client.token
        status, text = client.request("POST", "/zh-hans/finder/results/", urlencode(answers))
        expected = 'id="finder-fit"'
    if status != 200:
        return f"HTTP {status}"
    return "" if expected in text else "content"


def run_load(port: int, clients: int, duration: float, anchors: list[str]):
    tallies = {kind: Tally() for kind in WEIGHTS}
    retries = [0]
    lock = threading.Lock()
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    deadline = time.monotonic() + duration

    def simulate(seed: int) -> None:
        chooser = random.Random(seed)
        client = Client(port)
        while time.monotonic() < deadline:
            kind = chooser.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                failure = one_request(client, kind, anchors)
            except (OSError, http.client.HTTPException, RuntimeError) as exc:
                failure = type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                if not failure:
                    tallies[kind].latencies.append(elapsed)
                else:
                    tallies[kind].errors += 1
                    tallies[kind].reasons[failure] += 1
        client.connection.close()
        with lock:
            retries[0] += client.retries

    threads = [threading.Thread(target=simulate, args=(seed,)) for seed in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tallies, retries[0], time.perf_counter() - started


def report_line(name: str, latencies: list[float], errors: int, wall: float) -> str:
    total = len(latencies) + errors
    if not latencies:
        return f"{name:<7} {total:>6} requests · errors {errors}"
    ms = [value * 1000 for value in latencies]
    return (
        f"{name:<7} {total:>6} requests · {total / wall:6.1f}/s · p50 {statistics.median(ms):7.1f} ms"
        f" · p95 {percentile(ms, 0.95):7.1f} ms · p99 {percentile(ms, 0.99):7.1f} ms"
        f" · errors {errors} ({errors / total:.2%})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument(
        "--warmup",
        type=float,
        default=10.0,
        help="seconds of the same load first, not measured (each worker builds its caches)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--reuse-database", action="store_true", help="skip migrate/load_demo")
    args = parser.parse_args(argv)
    if not (0 < args.duration <= 600 and 0 <= args.warmup <= 120):
        parser.error("--duration must be in (0, 600] and --warmup in [0, 120] seconds")

    database = ROOT / "var" / "bench" / "render.sqlite3"
    if not (args.reuse_database and database.exists()):
        print("Preparing a throwaway database with the demo (migrate, load_demo)…", flush=True)
        prepare(database)
    port = _free_port()
    env = _environment(database, cache_seconds=60)
    env["TASKS_BACKEND"] = "database"
    command = [
        str(PYTHON),
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "-c",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        f"--bind={HOST}:{port}",
        f"--workers={args.workers}",
        "--log-level=error",
    ]
    server = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_up(port, DEMO_PATH, server)
        status, text = Client(port).request("GET", DEMO_PATH)
        anchors = sorted(set(CARD_ANCHOR.findall(text)))
        if status != 200 or not anchors:
            raise SystemExit("the demo page has no trial cards")
        warm_tallies, _retries, _wall = run_load(port, args.clients, args.warmup, anchors)
        warm_errors = sum(tally.errors for tally in warm_tallies.values())
        load_before = os.getloadavg()
        tallies, retries, wall = run_load(port, args.clients, args.duration, anchors)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=20)

    every = [value for tally in tallies.values() for value in tally.latencies]
    errors = sum(tally.errors for tally in tallies.values())
    print(
        f"gunicorn, deploy/gunicorn.conf.py, {args.workers} workers · {args.clients} clients · "
        f"{wall:.1f} s after {args.warmup:g} s of warm-up ({warm_errors} errors) · page cache 60 s"
        f" · {len(anchors)} trial cards"
    )
    for kind, tally in tallies.items():
        print(report_line(kind, tally.latencies, tally.errors, wall))
    print(report_line("all", every, errors, wall))
    reasons = sum((tally.reasons for tally in tallies.values()), Counter())
    if reasons:
        print("errors: " + ", ".join(f"{reason} {n}" for reason, n in reasons.most_common()))
    print(f"requests sent again on a new connection (server closed a kept-alive one): {retries}")
    print(
        "load average before {:.2f} {:.2f} {:.2f} · after {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )
    return 0 if errors == 0 and every else 1


if __name__ == "__main__":
    sys.exit(main())
