"""Incremental sync benchmark: N changed studies from the local replay server.

The database first holds N generated studies; the replay server then serves the same N NCT
numbers with other statuses, dates and enrolment (another generator seed), so every study is
a real change. Measures `sync.run_sync` wall time, pages of 1,000 as the registry serves them.

    DJANGO_DEBUG=true .venv/bin/python bench/sync_replay.py 2000
    scripts/with-postgres.sh .venv/bin/python bench/sync_replay.py 2000  # on PostgreSQL
    BENCH_LISTENERS=0 ... bench/sync_replay.py 2000  # without the trials_stored listeners
    BENCH_CHANGE_SITES=1 ... bench/sync_replay.py 2000  # every study's sites change too

The generator leaves a study's sites as they were (a change of status, dates, enrolment and
conditions); with BENCH_CHANGE_SITES=1 each changed study also has every site's recruitment
status changed, so every trial's site rows are rebuilt: the worst case for the sync.

By default the `trials_stored` listeners (the finder's search index, the freshness re-check) run
inline and are timed with the sync: tasks run immediately here (TASKS_BACKEND=immediate), as
a worker beside the sync would do the same work on the same machine. TASKS_BACKEND=database
measures the sync alone, its listeners only enqueueing their tasks (ADR 0014).
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'sync.sqlite3'}")
os.environ.setdefault("TASKS_BACKEND", "immediate")


def main(count: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.generate_bulk_zip import clone, generate, templates
    from trials import sync
    from trials.models import Trial
    from trials.sources.clinicaltrials_gov import ClinicalTrialsGovClient
    from trials.tests.replay import ReplayServer

    if connection.vendor == "sqlite":  # a fresh file; PostgreSQL: scripts/with-postgres.sh
        db = Path(connection.settings_dict["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    archive = generate(count, ROOT / "var" / "bench" / f"sync-base-{count}.zip", seed=1)
    call_command("import_trials", str(archive), verbosity=0)
    if os.environ.get("BENCH_LISTENERS") == "0":
        from trials.signals import trials_stored

        trials_stored.receivers.clear()

    rng = random.Random(2)
    bases = templates()
    changed = [clone(bases[n % len(bases)], n, rng) for n in range(count)]
    if os.environ.get("BENCH_CHANGE_SITES") == "1":
        for study in changed:
            module = study["protocolSection"].get("contactsLocationsModule")
            if module and module.get("locations"):
                study["protocolSection"]["contactsLocationsModule"] = {
                    **module,
                    "locations": [
                        {**site, "status": "ACTIVE_NOT_RECRUITING"} for site in module["locations"]
                    ],
                }
    with ReplayServer(changed, page_size=1000, data_timestamp="2026-08-12T09:00:05") as server:
        client = ClinicalTrialsGovClient(server.base_url, min_interval=0)
        started = time.perf_counter()
        run, _ = sync.start_or_resume(
            client=client, ids=[], condition="systemic sclerosis", since=None
        )
        run = sync.run_sync(run=run, client=client)
        elapsed = time.perf_counter() - started
    print(
        f"{count} studies into {connection.vendor}: {elapsed:.1f} s wall; {sync.describe(run)}; "
        f"trials stored {Trial.objects.count()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
