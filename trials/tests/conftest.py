from pathlib import Path

import pytest

from core.tests.fake_time import fake_time  # noqa: F401 (fixture)
from trials import actions
from trials.models import SyncRun
from trials.signals import trials_stored
from trials.sources.files import iter_legacy_sources
from trials.sources.legacy_xml import parse_clinical_study

FIXTURES = Path(__file__).parent / "fixtures" / "legacy-xml"
SEED_2018 = FIXTURES / "seed-trials" / "2018-05-29"
SEED_2020 = FIXTURES / "seed-trials" / "2020-07-28"
SEED_IDS = ["NCT00962923", "NCT02213705", "NCT02975960", "NCT03211793"]


def import_paths(*paths):
    """Import files the way `import_trials` does and return the finished run and outcomes."""
    run = actions.start_run(kind=SyncRun.Kind.FILES, parameters={})
    outcomes = []

    def items():
        for source in iter_legacy_sources([str(path) for path in paths]):
            yield actions.SourceItem(
                name=source.name,
                parse=lambda source=source: parse_clinical_study(
                    source.raw, source=source.name, expected_nct_id=source.expected_nct_id
                ),
                raw=source.raw,
                nct_id_hint=source.expected_nct_id or "",
            )

    run = actions.import_documents(run=run, items=items(), on_outcome=outcomes.append)
    return run, outcomes


@pytest.fixture
def seed_trials(db):
    """The four seed trials, 2018 snapshot then 2020 snapshot, as the demo loads them."""
    import_paths(SEED_2018)
    import_paths(SEED_2020)


@pytest.fixture
def heard(monkeypatch):
    """What `trials_stored` listeners hear; other apps' listeners are left out of these tests."""
    monkeypatch.setattr(trials_stored, "receivers", [])
    calls = []

    def receiver(sender, nct_ids, **kwargs):
        calls.append(list(nct_ids))

    trials_stored.connect(receiver, weak=False, dispatch_uid="test-heard")
    return calls
