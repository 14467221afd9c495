"""`find_trials` and `rebuild_trial_index` as an operator runs them."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from finder.models import TrialIndexEntry
from finder.tests.conftest import MSC_TRIALS


def _json(*args, **kwargs):
    out = io.StringIO()
    call_command("find_trials", *args, "--format", "json", stdout=out, **kwargs)
    return json.loads(out.getvalue())


def test_find_trials_json_from_stdin(registry):
    rows = _json(
        "--text", "-", "--include-finished", "--top", "8", stdin=io.StringIO("硬皮病 干细胞")
    )
    assert 1 <= len(rows) <= 8
    for row in rows:
        assert {"nct_id", "score", "reasons"} <= set(row)
        assert row["nct_id"].startswith("NCT") and isinstance(row["score"], float)
        assert row["reasons"] and all(isinstance(reason, str) for reason in row["reasons"])
    assert MSC_TRIALS <= {row["nct_id"] for row in rows}
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))


def test_find_trials_text_file_age_sex_city(registry, tmp_path):
    case = tmp_path / "case.txt"
    case.write_text("Woman with diffuse systemic sclerosis and digital ulcers.", encoding="utf-8")
    rows = _json(
        "--text", str(case), "--age", "40", "--sex", "F", "--city", "Chengdu", "--include-finished"
    )
    assert rows[0]["nct_id"] == "NCT03211793"  # the open digital-ulcer trial
    nanjing = [row for row in rows if row["nct_id"] == "NCT00962923"]
    assert nanjing and 1100 < nanjing[0]["distance_km"] < 1500
    lists = [row["list"] for row in rows]
    assert lists == sorted(lists, key=lambda name: name != "eligible")


def test_find_trials_condition_filters(registry):
    rows = _json("--condition", "Raynaud", "--include-finished", "--top", "20")
    assert rows
    assert {"NCT00000530", "NCT00498615", "NCT00004786"} <= {row["nct_id"] for row in rows}


def test_find_trials_english_reasons(registry):
    rows = _json("--text", "-", "--language", "en", stdin=io.StringIO("scleroderma"))
    assert any("Open to new participants" in reason for reason in rows[0]["reasons"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--city", "Chengdou"], "成都市"),
        (["--age", "200"], "--age"),
        (["--sex", "X"], "--sex"),
        (["--top", "0"], "--top"),
        (["--text", "/no/such/file.txt"], "/no/such/file.txt"),
    ],
)
def test_find_trials_bad_arguments(registry, args, message):
    with pytest.raises(CommandError) as error:
        call_command("find_trials", *args, stdout=io.StringIO())
    assert message in str(error.value)


def test_rebuild_trial_index_reports_progress(registry):
    TrialIndexEntry.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    with translation.override("zh-hans"):  # the operator's language (LANGUAGE_CODE)
        call_command("rebuild_trial_index", "--batch-size", "50", stdout=out, stderr=err)
    total = registry.count()
    assert TrialIndexEntry.objects.count() == total
    assert err.getvalue().splitlines()[-1].startswith(f"已索引 {total}/{total} 项试验 · 每秒 ")
    assert out.getvalue().startswith(f"已索引 {total} 项试验，用时 ")


def test_rebuild_rejects_bad_batch_size(db):
    with pytest.raises(CommandError):
        call_command("rebuild_trial_index", "--batch-size", "0")
