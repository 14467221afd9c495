"""Trial finder benchmark: query latency (p50/p95) over N studies, and ranking quality.

    # generated studies (the bulk generator's records), written straight into a SQLite file:
    DJANGO_DEBUG=true .venv/bin/python bench/finder_query.py generated 600000
    # the systemic sclerosis trials alone (the demo's 18 SSc trials, real records)
    DJANGO_DEBUG=true .venv/bin/python bench/finder_query.py ssc
    # the real records: the demo's SSc trials + shared/data's 6,786-record 2023 registry sample
    DJANGO_DEBUG=true .venv/bin/python bench/finder_query.py real
    # ranking quality on the labelled set (bench/finder_labels.json), over the real records
    DJANGO_DEBUG=true .venv/bin/python bench/finder_query.py quality

Each mode uses its own database in var/bench/ (reused when it already holds the studies;
`--fresh` rebuilds it). The real mode imports with `import_trials` (the index follows through
the `trials_stored` signal; its task runs immediately here, TASKS_BACKEND=immediate). The generated mode does NOT go through `import_trials`: the bulk
path now imports about 1,000 studies/s (see the bulk import section of docs/benchmarks.md), i.e.
~10 minutes for 600,000, but it also writes history rows this benchmark does not need and
indexes every batch through `trials_stored`, which would mix the two timings. Instead it parses
each of the generator's templates once with the real API v2 parser, varies the fields the
generator varies, and writes `Trial` and `TrialLocation` rows with `bulk_create`, without
`TrialVersion` history rows (the finder never reads them). Generated studies keep at most
`--max-sites` sites (default 20): the generator's templates include a 437-site study, which
cloned 40,000 times would make the site table ten times larger than the real registry's.
The index is then built with the real `rebuild_index` (what `manage.py rebuild_trial_index`
runs) and timed. Queries go through `finder.ranking.find`, exactly what the web page and
`manage.py find_trials` call, eligibility rules included.

Latency is measured twice: "warm" (a process that has served searches before: the parsed
criteria of the trials it has shown are cached, `finder.eligibility.parse_criteria`) and
"cold" (that cache emptied before every run, so every shortlisted trial's criteria text is
parsed during the query: the first search that shows a trial).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
LABELS = Path(__file__).with_name("finder_labels.json")
SSC_SOURCES = [
    ROOT / "demo" / "data" / "trials" / "seed-trials" / "2018-05-29",
    ROOT / "demo" / "data" / "trials" / "seed-trials" / "2020-07-28",
    ROOT / "demo" / "data" / "trials" / "ssc-trials",
]
REAL_SOURCES = [
    *SSC_SOURCES,
    ROOT.parent / "shared" / "data" / "ctgov" / "legacy-xml" / "bulk-2023-02-03.jsonl.gz",
]


def setup_django(database: Path, fresh: bool) -> None:
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Building the databases ------------------------------------------------------------------


def write_generated(count: int, *, max_sites: int, batch: int = 2000) -> float:
    """Write `count` generated studies as Trial and TrialLocation rows.

    Each of the generator's templates is parsed once with the real API v2 parser; every study
    is then that record with the fields `bench.generate_bulk_zip.clone` varies (NCT number,
    status, start and completion dates, enrolment, conditions) drawn the same way, so the rows
    equal what importing the generator's zip would store, without 600,000 JSON parses.
    """
    import copy

    from django.db import transaction

    from bench.generate_bulk_zip import CONDITIONS, STATUSES, templates
    from trials.models import Trial, TrialLocation
    from trials.sources.api_v2 import parse_study

    nullable = {"enrollment", "healthy_volunteers"}
    rng = random.Random(1)
    parsed = []
    for template in templates():
        record = parse_study(template, source="template", snapshot_date="2026-08-11").record
        fields = record.to_dict()
        sites = fields.pop("locations")[:max_sites]
        values = {
            name: ("" if value is None and name not in nullable else value)
            for name, value in fields.items()
        }
        parsed.append((values, sites))
    started = time.monotonic()
    trials, sites = [], []

    def flush():
        created = Trial.objects.bulk_create(trials)
        locations = []
        for trial, trial_sites in zip(created, sites, strict=True):
            locations.extend(
                TrialLocation(trial=trial, position=position, **site)
                for position, site in enumerate(trial_sites)
            )
        TrialLocation.objects.bulk_create(locations, batch_size=5000)
        trials.clear()
        sites.clear()

    for number in range(count):
        base, base_sites = parsed[number % len(parsed)]
        values = copy.copy(base)
        year = rng.randint(2005, 2027)
        values.update(
            nct_id=f"NCT9{number:07d}",
            overall_status=rng.choice(STATUSES),
            start_date=f"{year}-{rng.randint(1, 12):02d}",
            start_date_type="ACTUAL",
            completion_date=f"{year + rng.randint(1, 5)}-{rng.randint(1, 12):02d}",
            completion_date_type="ESTIMATED",
            enrollment=rng.randint(5, 2000),
            enrollment_type=rng.choice(["ESTIMATED", "ACTUAL"]),
            conditions=rng.sample(CONDITIONS, k=rng.randint(1, 3)),
            record_date="2026-08-11",
        )
        trials.append(Trial(**values))
        sites.append(base_sites)
        if len(trials) >= batch:
            with transaction.atomic():
                flush()
        if number and number % 50000 == 0:
            log(f"{number} studies written ({time.monotonic() - started:.0f} s)")
    with transaction.atomic():
        if trials:
            flush()
    return time.monotonic() - started


def import_real(sources: list[Path]) -> float:
    from django.core.management import call_command

    started = time.monotonic()
    # import_trials prints its summary on stdout, which carries this script's JSON.
    call_command(
        "import_trials", *[str(path) for path in sources], verbosity=0, stdout=io.StringIO()
    )
    return time.monotonic() - started


def build_index() -> float:
    from finder.actions import rebuild_index

    started = time.monotonic()

    def progress(done, total):
        if done % 50000 < 2000 or done == total:
            log(f"indexed {done}/{total} ({time.monotonic() - started:.0f} s)")

    rebuild_index(batch_size=2000, on_batch=progress)
    return time.monotonic() - started


# Queries ---------------------------------------------------------------------------------


def queries():
    from finder.patient import Patient
    from finder.search import SearchRequest

    P = Patient
    return [
        ("zh: 硬皮病 干细胞", SearchRequest(patient=P(text="硬皮病 干细胞"))),
        (
            "zh case, 58 F 成都",
            SearchRequest(
                patient=P(
                    age=58,
                    sex="FEMALE",
                    city="成都",
                    text="我妈妈58岁，硬皮病8年，肺间质病变，在用吗替麦考酚酯",
                )
            ),
        ),
        (
            "en: SSc-ILD nintedanib, 45",
            SearchRequest(
                patient=P(age=45, text="systemic sclerosis interstitial lung disease nintedanib")
            ),
        ),
        (
            "condition Raynaud, 北京, finished too",
            SearchRequest(patient=P(city="北京"), condition="Raynaud", include_finished=True),
        ),
        (
            "zh: 雷诺现象 指端溃疡, 上海 ≤1000 km",
            SearchRequest(patient=P(city="上海", max_distance_km=1000, text="雷诺现象 指端溃疡")),
        ),
        ("en: lupus", SearchRequest(patient=P(text="lupus"))),
        (
            "web form: ILD + PAH, 35 F 广州",
            SearchRequest(
                patient=P(age=35, sex="FEMALE", city="广州", organs=frozenset({"ild", "pah"})),
                ssc_family=True,
                top=20,
            ),
        ),
        (
            "en: breast cancer palbociclib",
            SearchRequest(patient=P(text="breast cancer palbociclib")),
        ),
        (
            "en: atopic dermatitis, finished too",
            SearchRequest(patient=P(text="atopic dermatitis dupilumab"), include_finished=True),
        ),
        ("zh: CAR-T 硬皮病", SearchRequest(patient=P(text="CAR-T 硬皮病"))),
        ("empty, finished too", SearchRequest(include_finished=True)),
        (
            "zh: 肺动脉高压, Seoul",
            SearchRequest(patient=P(text="肺动脉高压", city="Seoul", country="KR")),
        ),
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run_queries(repeat: int, *, cold: bool) -> dict:
    from finder.eligibility import _parse_cached
    from finder.ranking import find

    timings: dict[str, list[float]] = {}
    counts = {}
    for name, request in queries():
        find(request)  # warm: gazetteer, jieba, page cache
        for _ in range(repeat):
            if cold:
                _parse_cached.cache_clear()
            started = time.perf_counter()
            outcome = find(request)
            timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        counts[name] = (len(outcome.results), len(outcome.not_eligible), outcome.considered)
    every = [value for values in timings.values() for value in values]
    report = {
        "queries": len(timings),
        "runs": len(every),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
        "max_ms": round(max(every), 1),
        "per_query": {
            name: {
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
                "results": counts[name][0],
                "not_eligible": counts[name][1],
                "candidates": counts[name][2],
            }
            for name, values in timings.items()
        },
    }
    return report


def run_first_after_warm_up() -> dict:
    """Each query as the first search of a fresh web worker that has run its warm-up.

    The cache is emptied, `finder.warmup.warm_criteria_cache` parses the open trials' criteria
    (what `deploy/gunicorn.conf.py` does when a worker starts), then the query runs once.
    """
    from finder.eligibility import _parse_cached
    from finder.ranking import find
    from finder.warmup import warm_criteria_cache

    timings, warm_up = [], []
    for _name, request in queries():
        find(request)  # gazetteer, jieba and the database's own caches, as in the other modes
        _parse_cached.cache_clear()
        started = time.perf_counter()
        warm_criteria_cache()
        warm_up.append(time.perf_counter() - started)
        started = time.perf_counter()
        find(request)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "warm_up_s": round(statistics.median(warm_up), 1),
    }


# Quality ---------------------------------------------------------------------------------


def _scores(ranked: list[str], relevant: set[str], k: int) -> tuple[float, float]:
    hits = [nct_id in relevant for nct_id in ranked[:k]]
    precision = sum(hits) / min(k, len(relevant))
    first = next((rank for rank, nct_id in enumerate(ranked, 1) if nct_id in relevant), None)
    return precision, (1 / first if first else 0.0)


def run_quality(k: int = 5) -> dict:
    """Precision at k and mean reciprocal rank on the labelled queries.

    Measured twice: on the finder's order (status first: an open trial outranks a finished
    one whatever its text, as the issue asks), and on the same result lists ordered by text
    relevance alone, which isolates the text matching from the status rule.
    """
    from finder.patient import Patient
    from finder.ranking import find
    from finder.search import SearchRequest

    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    rows = []
    for item in labels["queries"]:
        request = SearchRequest(
            patient=Patient(text=item.get("text", "")),
            condition=item.get("condition", ""),
            include_finished=True,
            top=max(k, 20),
        )
        results = find(request).ranked()
        ranked = [result.nct_id for result in results]
        by_text = [
            result.nct_id
            for result in sorted(results, key=lambda r: (-r.features.relevance, r.nct_id))
        ]
        relevant = set(item["relevant"])
        precision, reciprocal = _scores(ranked, relevant, k)
        text_precision, text_reciprocal = _scores(by_text, relevant, k)
        rows.append(
            {
                "id": item["id"],
                "query": item.get("text") or item.get("condition"),
                "relevant": len(relevant),
                f"precision_at_{k}": round(precision, 3),
                "reciprocal_rank": round(reciprocal, 3),
                f"text_only_precision_at_{k}": round(text_precision, 3),
                "text_only_reciprocal_rank": round(text_reciprocal, 3),
                "top": ranked[:k],
            }
        )

    def mean(key):
        return round(statistics.mean(row[key] for row in rows), 3)

    return {
        "queries": len(rows),
        f"mean_precision_at_{k}": mean(f"precision_at_{k}"),
        "mrr": mean("reciprocal_rank"),
        f"text_only_mean_precision_at_{k}": mean(f"text_only_precision_at_{k}"),
        "text_only_mrr": mean("text_only_reciprocal_rank"),
        "rows": rows,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["generated", "ssc", "real", "quality"])
    parser.add_argument("count", type=int, nargs="?", default=20000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument("--max-sites", type=int, default=20)
    args = parser.parse_args(argv)

    if args.mode == "generated":
        database = BENCH_DIR / f"finder-generated-{args.count}.sqlite3"
    elif args.mode == "ssc":
        database = BENCH_DIR / "finder-ssc.sqlite3"
    else:
        database = BENCH_DIR / "finder-real.sqlite3"
    setup_django(database, args.fresh)
    from trials.models import Trial

    report: dict = {"mode": args.mode, "database": str(database.relative_to(ROOT))}
    if not Trial.objects.exists():
        if args.mode == "generated":
            report["write_s"] = round(write_generated(args.count, max_sites=args.max_sites), 1)
        else:
            sources = SSC_SOURCES if args.mode == "ssc" else REAL_SOURCES
            report["import_s"] = round(import_real(sources), 1)
    from finder.models import TrialIndexEntry

    if TrialIndexEntry.objects.count() != Trial.objects.count():
        report["index_s"] = round(build_index(), 1)
    report["studies"] = Trial.objects.count()
    if args.mode == "quality":
        report["quality"] = run_quality()
    else:
        report["load_before"] = os.getloadavg()
        report["latency_warm"] = run_queries(args.repeat, cold=False)
        report["latency_cold"] = run_queries(args.repeat, cold=True)
        report["latency_first_after_warm_up"] = run_first_after_warm_up()
        report["load_after"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
