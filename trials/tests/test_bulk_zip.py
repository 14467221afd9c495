import datetime as dt
import zipfile

import pytest
from django.core.management import call_command
from django.utils import translation

from bench.generate_bulk_zip import generate
from trials.models import RejectedRecord, SyncRun, Trial, TrialVersion
from trials.progress import Progress


@pytest.mark.django_db
def test_bulk_zip_import_is_streamed_idempotent_and_dated_by_the_archive(tmp_path, capsys):
    archive = generate(30, tmp_path / "ctg-studies.json.zip")
    with zipfile.ZipFile(archive, "a") as handle:
        handle.writestr("NCT99999999.json", "{not json")
    call_command("import_trials", str(archive))
    out = capsys.readouterr()
    assert "NCT99999999.json" in out.err
    run = SyncRun.objects.get()
    assert (run.kind, run.seen, run.new, run.rejected) == ("bulk", 31, 30, 1)
    assert Trial.objects.count() == 30
    assert set(TrialVersion.objects.values_list("snapshot_date", flat=True)) == {
        dt.date(2026, 8, 11)
    }
    assert RejectedRecord.objects.get().source.endswith("NCT99999999.json")

    call_command("import_trials", str(archive))
    assert TrialVersion.objects.count() == 30


def test_progress_lines_with_total_rate_and_eta():
    class Log:
        def __init__(self):
            self.text = ""

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    now = [0.0]
    log = Log()
    progress = Progress(log, total=100, interval=10, clock=lambda: now[0])
    with translation.override("en"):
        for _ in range(50):
            now[0] += 0.5
            progress.advance()
    lines = log.text.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("20/100") and "2/s" in lines[0] and "0:40" in lines[0]
