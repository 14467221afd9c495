import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from trials.models import SyncRun, Trial

from .replay import ReplayServer
from .test_sync_faults import real_studies


@pytest.fixture
def registry(settings):
    with ReplayServer(real_studies(), page_size=5) as server:
        settings.CTGOV_API_BASE = server.base_url
        settings.CTGOV_REQUEST_INTERVAL = 0
        settings.HTTP_TIMEOUT_SECONDS = 2
        settings.CTGOV_BACKOFF_SECONDS = 0.001
        yield server


@pytest.mark.django_db
def test_sync_trials_prints_what_it_did_and_is_incremental(registry, capsys):
    with translation.override("en"):
        call_command("sync_trials", "--ids", "NCT00465816")
        first = capsys.readouterr().out
        call_command("sync_trials")
        second = capsys.readouterr().out
    assert "New NCT00465816" in first
    assert f"Seen {len(real_studies()) + 1}, new {len(real_studies())}," in first
    assert "new 0, changed 0" in second
    assert Trial.objects.count() == len(real_studies())
    last = SyncRun.objects.filter(kind="api").order_by("-started_at").first()
    assert last.parameters["since"] == "2026-08-11"
    assert any("LastUpdatePostDate" in request for request in registry.requests)


@pytest.mark.django_db
def test_sync_trials_fails_loudly_and_resumes(registry, capsys):
    registry.inject(*["studies:500"] * 10)
    with translation.override("en"), pytest.raises(CommandError, match="resume"):
        call_command("sync_trials")
    assert SyncRun.objects.get().state == "failed"
    with translation.override("en"):
        call_command("sync_trials", "--full")
    out = capsys.readouterr().out
    assert "Resuming unfinished sync" in out
    assert SyncRun.objects.get().state == "ready"


@pytest.mark.django_db
def test_bad_since_date_is_a_clear_error(registry):
    with translation.override("en"), pytest.raises(CommandError, match="2026-01-31"):
        call_command("sync_trials", "--since", "last tuesday")
