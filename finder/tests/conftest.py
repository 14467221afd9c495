"""Real registry records, imported and indexed once per test session."""

from pathlib import Path

import pytest

from finder import actions as finder_actions
from finder.models import TrialIndexEntry
from trials import actions
from trials.models import SyncRun, Trial, TrialVersion
from trials.sources.files import iter_legacy_sources
from trials.sources.legacy_xml import parse_clinical_study

ROOT = Path(__file__).resolve().parents[2]
DEMO_TRIALS = ROOT / "demo" / "data" / "trials"
FIXTURES = Path(__file__).parent / "fixtures"
REAL_SOURCES = [
    DEMO_TRIALS / "seed-trials" / "2018-05-29",
    DEMO_TRIALS / "seed-trials" / "2020-07-28",
    DEMO_TRIALS / "ssc-trials",
    FIXTURES / "bulk-2023-02-03-subset.jsonl.gz",
]
MSC_TRIALS = {"NCT00962923", "NCT02213705", "NCT02975960", "NCT03211793"}


def import_files(paths):
    """Import files the way `import_trials` does (the index follows through `trials_stored`)."""
    for path in paths:
        run = actions.start_run(kind=SyncRun.Kind.FILES, parameters={})

        def items(path=path):
            for source in iter_legacy_sources([str(path)]):
                yield actions.SourceItem(
                    name=source.name,
                    parse=lambda source=source: parse_clinical_study(
                        source.raw, source=source.name, expected_nct_id=source.expected_nct_id
                    ),
                    raw=source.raw,
                    nct_id_hint=source.expected_nct_id or "",
                )

        actions.import_documents(run=run, items=items())


def import_real_records(paths=REAL_SOURCES):
    """Import the real records, then index every stored trial at once."""
    import_files(paths)
    finder_actions.rebuild_index()


@pytest.fixture(scope="package")
def _registry_once(django_db_setup, django_db_blocker):
    """Imported once for the finder's tests and removed after them, so tests of other apps
    that run later start from a database without these trials."""
    with django_db_blocker.unblock():
        imported = not TrialIndexEntry.objects.exists()
        if imported:
            import_real_records()
    yield
    if imported:
        with django_db_blocker.unblock():
            forget_registry()


def forget_registry():
    """Delete what `import_real_records` stored: index entries, trials, versions and runs."""
    TrialIndexEntry.objects.all().delete()
    Trial.objects.update(current_version=None)
    TrialVersion.objects.all().delete()
    Trial.objects.all().delete()
    SyncRun.objects.all().delete()


@pytest.fixture
def registry(_registry_once, db):
    """The real records, indexed (re-imported if a transactional test flushed them)."""
    if not Trial.objects.exists():
        import_real_records()
    return Trial.objects.all()
