"""`sync_trials` fetches what other apps cite through the providers named in settings, and
stops, naming the provider, when one cannot be used: a sync of fewer trials must not pass."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from trials.cited import cited_nct_ids
from trials.models import SyncRun

from .test_sync_command import registry  # noqa: F401

CITED = "NCT00465816"


def cites_one():
    return [CITED.lower() + " "]


def cites_another():
    return ["NCT03418623", CITED]


NOT_A_FUNCTION = ["NCT00000000"]


def test_every_provider_is_asked_and_numbers_are_normalised(settings):
    settings.TRIALS_CITED_ID_PROVIDERS = [
        "trials.tests.test_cited.cites_one",
        "trials.tests.test_cited.cites_another",
    ]
    assert cited_nct_ids() == {CITED, "NCT03418623"}


@pytest.mark.django_db
def test_sync_fetches_the_cited_trials(registry, settings, capsys):  # noqa: F811
    settings.TRIALS_CITED_ID_PROVIDERS = []
    with translation.override("en"):
        call_command("sync_trials", "--full")
    alone = capsys.readouterr().out
    before = len(registry.requests)
    settings.TRIALS_CITED_ID_PROVIDERS = ["trials.tests.test_cited.cites_one"]
    with translation.override("en"):
        call_command("sync_trials", "--full")
    cited = capsys.readouterr().out
    assert not any(f"filter.ids={CITED}" in request for request in registry.requests[:before])
    assert any(f"filter.ids={CITED}" in request for request in registry.requests[before:])
    seen_alone = int(alone.rsplit("Seen ", 1)[1].split(",")[0])
    assert f"Seen {seen_alone + 1}," in cited


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("providers", "named"),
    [
        (["trials.tests.test_cited.no_such_provider"], "no_such_provider"),
        (["no_such_app.queries.cited_nct_ids"], "no_such_app.queries.cited_nct_ids"),
        (["trials.tests.test_cited.NOT_A_FUNCTION"], "NOT_A_FUNCTION"),
    ],
)
def test_a_broken_provider_stops_the_sync_before_it_starts(settings, providers, named):
    settings.TRIALS_CITED_ID_PROVIDERS = ["trials.tests.test_cited.cites_one", *providers]
    with translation.override("en"), pytest.raises(CommandError, match=named):
        call_command("sync_trials")
    assert not SyncRun.objects.exists()


@pytest.mark.django_db
def test_a_missing_setting_stops_the_sync(settings):
    del settings.TRIALS_CITED_ID_PROVIDERS
    with translation.override("en"), pytest.raises(CommandError, match="TRIALS_CITED_ID_PROVIDERS"):
        call_command("sync_trials")
    assert not SyncRun.objects.exists()
