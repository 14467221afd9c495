"""Render benchmark: the demo page under N concurrent clients against a real server.

Starts a server with DJANGO_DEBUG=false (the production settings: page cache on, no query
logging) on a throwaway SQLite database holding the demo: gunicorn with threaded workers
(`--workers`, `--threads`; the production server of deploy/living-handbook-web.service, the
default), or Django's `runserver --noreload --insecure` (`--server runserver`, one process, a
thread per connection).
It then runs N client threads in this process, each requesting the page back to back (a closed
loop, no think time) until the total is reached, after a warm-up. Prints latency percentiles
(time to the last byte, measured by the client) and throughput. `--no-page-cache` measures
full renders (PAGE_CACHE_SECONDS=0).

    .venv/bin/python bench/render_load.py                   # 20 clients, 2,000 requests
    .venv/bin/python bench/render_load.py --no-page-cache   # every request renders the page
    .venv/bin/python bench/render_load.py --path /en/experimental-treatment/mesenchymal-stem-cells/
    .venv/bin/python bench/render_load.py --think 1      # readers who pause ~1 s between pages
    .venv/bin/python bench/render_load.py --server runserver  # Django's development server

Only 127.0.0.1 is contacted; the run is bounded by --requests and stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
DEMO_PATH = "/zh-hans/experimental-treatment/jian-chong-zhi-gan-xi-bao/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(database: Path, cache_seconds: int) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "MEMBERSHIP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PAGE_CACHE_SECONDS": str(cache_seconds),
            "DJANGO_LOG_LEVEL": "ERROR",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def server_command(args, port: int) -> list[str]:
    if args.server == "gunicorn":
        return [
            str(PYTHON),
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            "--worker-class=gthread",
            f"--threads={args.threads}",
            "--keep-alive=30",
            "--log-level=error",
        ]
    return [str(PYTHON), "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"]


def prepare(database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    from cryptography.fernet import Fernet

    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_DEBUG="true",
        MEMBERSHIP_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    for command in (["migrate", "--no-input", "-v", "0"], ["load_demo", "-v", "0"]):
        subprocess.run(  # noqa: S603
            [str(PYTHON), "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def _get(port: int, path: str, connection: http.client.HTTPConnection | None = None):
    """One GET; on a kept-alive `connection` when given (as a browser does), else a new one."""
    own = connection is None
    if own:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        timing = response.getheader("Server-Timing", "")
        return response.status, time.perf_counter() - started, timing
    except (OSError, http.client.HTTPException):
        connection.close()
        raise
    finally:
        if own:
            connection.close()


def _wait_until_up(port: int, path: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        try:
            status, _elapsed, _timing = _get(port, path)
            if status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer within 60 s")


def run_load(port: int, path: str, clients: int, total: int, think: float):
    """`clients` threads, each on its own kept-alive connection, until `total` requests are
    done. Returns client latencies, server render times (Server-Timing), errors, wall time."""
    latencies: list[float] = []
    renders: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [total]

    def client():
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if remaining[0] <= 0:
                    connection.close()
                    return
                remaining[0] -= 1
            try:
                status, elapsed, timing = _get(port, path, connection)
            except (OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, elapsed, timing = 0, 0.0, ""
            match = re.search(r"dur=([0-9.]+)", timing)
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                    if match:
                        renders.append(float(match.group(1)) / 1000)
                else:
                    errors += 1
            if think:
                time.sleep(random.uniform(0, 2 * think))  # noqa: S311

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, renders, errors, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--path", default=DEMO_PATH)
    parser.add_argument("--no-page-cache", action="store_true")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a client waits between requests (0: back to back)",
    )
    parser.add_argument("--reuse-database", action="store_true", help="skip migrate/load_demo")
    parser.add_argument("--server", choices=("runserver", "gunicorn"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    args = parser.parse_args(argv)

    database = ROOT / "var" / "bench" / "render.sqlite3"
    if not (args.reuse_database and database.exists()):
        print("Preparing a throwaway database with the demo (migrate, load_demo)…", flush=True)
        prepare(database)
    port = _free_port()
    cache_seconds = 0 if args.no_page_cache else 60
    load_before = os.getloadavg()
    server = subprocess.Popen(  # noqa: S603
        server_command(args, port),
        cwd=ROOT,
        env=_environment(database, cache_seconds),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, args.path, server)
        for _ in range(args.warmup):
            _get(port, args.path)
        latencies, renders, errors, wall = run_load(
            port, args.path, args.clients, args.requests, args.think
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    load_after = os.getloadavg()
    if not latencies:
        print("no successful request", file=sys.stderr)
        return 1
    ms = [value * 1000 for value in latencies]
    server_name = (
        f"gunicorn {args.workers}×{args.threads} threads"
        if args.server == "gunicorn"
        else "runserver"
    )
    print(
        f"{args.path} · {server_name} · {args.clients} clients · think {args.think:g} s · "
        f"{len(ms)} requests · page cache {'off' if args.no_page_cache else 'on'} · "
        f"errors {errors} · {len(ms) / wall:.0f} requests/s"
    )
    print(
        "load average before {:.2f} {:.2f} {:.2f} · after {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )
    print(
        f"response (client): p50 {statistics.median(ms):.1f} ms · p95 {percentile(ms, 0.95):.1f} ms"
        f" · p99 {percentile(ms, 0.99):.1f} ms · max {max(ms):.1f} ms"
    )
    if renders:
        rs = [value * 1000 for value in renders]
        print(
            f"render (server): p50 {statistics.median(rs):.1f} ms · p95 {percentile(rs, 0.95):.1f} ms"
            f" · p99 {percentile(rs, 0.99):.1f} ms · max {max(rs):.1f} ms"
        )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
