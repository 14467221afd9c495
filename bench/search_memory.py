"""Site search memory benchmark: a web worker's resident memory while it serves searches.

    DATABASE_URL=sqlite:////tmp/search-bench/real.sqlite3 \
        DJANGO_DEBUG=true .venv/bin/python bench/search_memory.py
    DATABASE_URL=... .venv/bin/python bench/search_memory.py --source /tmp/old-checkout

Starts a fresh Python process (what a gunicorn worker is after the fork) with Django set up
against `DATABASE_URL`, sends it the site searches below through the real URL, view and
template (Django's test client, no network), and reports its resident memory: after start-up,
after the first search, after all of them, and the peak (VmHWM from /proc), with the time
of each search; then after one trial-finder search too (`finder.ranking.find`, what the
finder's page runs), since a worker serves both pages and each used to load its own jieba
dictionary. `--source DIR` runs the same measurement on another checkout of the project
(the code before a change), with this checkout's interpreter.

The point it shows: whether a worker's memory grows with the number of stored trials.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    ("zh-hans", "干细胞"),
    ("zh-hans", "NCT02213705"),
    ("en", "stem cell"),
    ("en", "systemic scleroderma"),
    ("en", "digital ulcers"),
    ("zh-hans", "硬皮病 肺纤维化"),
    ("en", "breast cancer"),
    ("zh-hans", "zzzzqqq"),
]
ROUNDS = 3


def _memory_kb() -> dict[str, int]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def worker(source: Path) -> None:
    """The measured process: Django set up, then the searches; one JSON line on stdout."""
    sys.path.insert(0, str(source))
    os.chdir(source)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.DEBUG = False  # no list of executed statements kept in memory
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM trials_trial")
        trials = cursor.fetchone()[0]
    started = _memory_kb()["VmRSS"]
    client = Client(HTTP_HOST="localhost")
    timings: dict[str, list[float]] = {}
    after_first = None
    for _ in range(ROUNDS):
        for language, query in QUERIES:
            began = time.perf_counter()
            response = client.get(f"/{language}/search/", {"q": query})
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise SystemExit(f"{query}: HTTP {response.status_code}")
            timings.setdefault(f"{language}:{query}", []).append(elapsed * 1000)
            if after_first is None:
                after_first = _memory_kb()["VmRSS"]
    memory = _memory_kb()
    from finder.patient import Patient
    from finder.ranking import find
    from finder.search import SearchRequest

    find(SearchRequest(patient=Patient(text="硬皮病 干细胞 肺纤维化"), include_finished=True))
    with_finder = _memory_kb()
    print(
        json.dumps(
            {
                "trials": trials,
                "rss_after_startup_mb": round(started / 1024, 1),
                "rss_after_first_search_mb": round(after_first / 1024, 1),
                "rss_after_all_mb": round(memory["VmRSS"] / 1024, 1),
                "peak_rss_mb": round(memory["VmHWM"] / 1024, 1),
                "rss_after_a_finder_search_too_mb": round(with_finder["VmRSS"] / 1024, 1),
                "ms_first": {key: round(values[0], 1) for key, values in timings.items()},
                "ms_later_median": {
                    key: round(sorted(values[1:])[len(values[1:]) // 2], 1)
                    for key, values in timings.items()
                },
            }
        )
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.source.resolve())
        return 0
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL to the database to search")
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "true")}
    result = subprocess.run(  # noqa: S603 (this script, with this interpreter)
        [sys.executable, __file__, "--worker", "--source", str(args.source)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        return result.returncode
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"source {args.source}, {report['trials']:,} stored trials")
    for key in ("rss_after_startup_mb", "rss_after_first_search_mb", "rss_after_all_mb"):
        print(f"  {key.removesuffix('_mb').replace('_', ' ')}: {report[key]} MB")
    print(f"  peak RSS: {report['peak_rss_mb']} MB")
    print(f"  RSS after a trial-finder search too: {report['rss_after_a_finder_search_too_mb']} MB")
    print("  ms per search (first / later median):")
    for key, first in report["ms_first"].items():
        print(f"    {key}: {first} / {report['ms_later_median'][key]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
