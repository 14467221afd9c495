"""Finding legacy documents in files, folders and bulk .jsonl.gz archives."""

import gzip
import json
from pathlib import Path

import pytest

from trials.sources.files import SourceDocument, iter_legacy_sources
from trials.sources.legacy_xml import parse_clinical_study

FIXTURES = Path(__file__).parent / "fixtures" / "legacy-xml"
SEED = FIXTURES / "seed-trials"
BULK_SAMPLE = FIXTURES / "bulk-sample.jsonl.gz"
BROKEN = FIXTURES / "broken"
SEED_IDS = ["NCT00962923", "NCT02213705", "NCT02975960", "NCT03211793"]


def test_folder_yields_every_xml_below_it_sorted_by_path():
    documents = list(iter_legacy_sources([str(SEED)]))
    assert [Path(doc.name).relative_to(SEED).as_posix() for doc in documents] == [
        f"{day}/{nct_id}.xml" for day in ("2018-05-29", "2020-07-28") for nct_id in SEED_IDS
    ]
    assert [doc.expected_nct_id for doc in documents] == SEED_IDS * 2
    assert all(doc.problem == "" for doc in documents)
    assert documents[0].raw == (SEED / "2018-05-29" / "NCT00962923.xml").read_bytes()


def test_folder_ignores_other_files_and_recurses(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "NCT00000002.XML").write_bytes(b"<x/>")
    (tmp_path / "a.xml").write_bytes(b"<y/>")
    (tmp_path / "notes.txt").write_text("not a record")
    (tmp_path / "c.xml.bak").write_bytes(b"<z/>")
    documents = list(iter_legacy_sources([str(tmp_path)]))
    assert [(Path(doc.name).relative_to(tmp_path).as_posix(), doc.raw) for doc in documents] == [
        ("a.xml", b"<y/>"),
        ("b/NCT00000002.XML", b"<x/>"),
    ]
    assert [doc.expected_nct_id for doc in documents] == [None, "NCT00000002"]


def test_single_files_keep_the_order_given():
    first = FIXTURES / "aact-fixtures" / "covid_search.xml"
    second = FIXTURES / "aact-fixtures" / "NCT00980226-id-mismatch.xml"
    documents = list(iter_legacy_sources([str(first), str(second)]))
    assert documents == [
        SourceDocument(name=str(first), raw=first.read_bytes(), expected_nct_id=None),
        SourceDocument(name=str(second), raw=second.read_bytes(), expected_nct_id="NCT00980226"),
    ]


def test_bulk_sample_yields_forty_named_documents_that_parse():
    documents = list(iter_legacy_sources([str(BULK_SAMPLE)]))
    assert len(documents) == 40
    assert documents[0].name == f"{BULK_SAMPLE}:NCT0000xxxx/NCT00000102.xml"
    assert documents[-1].name == f"{BULK_SAMPLE}:NCT0000xxxx/NCT00000144.xml"
    expected_ids = [doc.expected_nct_id for doc in documents]
    assert expected_ids[:3] == ["NCT00000102", "NCT00000104", "NCT00000105"]
    assert len(set(expected_ids)) == 40
    with gzip.open(BULK_SAMPLE, "rt", encoding="utf-8") as stream:
        lines = [json.loads(line) for line in stream]
    assert [doc.raw for doc in documents] == [line["xml"].encode("utf-8") for line in lines]
    for doc in documents:
        assert doc.problem == ""
        parsed = parse_clinical_study(doc.raw, source=doc.name, expected_nct_id=doc.expected_nct_id)
        assert parsed.record.nct_id == doc.expected_nct_id
        assert parsed.snapshot_date == "2023-02-03"


def test_bad_bulk_lines_become_problems_not_crashes():
    path = BROKEN / "broken-bulk-invalid-line.jsonl.gz"
    documents = list(iter_legacy_sources([str(path)]))
    assert [(doc.name.removeprefix(f"{path}:"), doc.expected_nct_id) for doc in documents] == [
        ("NCT0000xxxx/NCT00000102.xml", "NCT00000102"),
        ("line 2", None),
        ("line 3", None),
        ("NCT0000xxxx/NCT00000106.xml", "NCT00000106"),
    ]
    assert [doc.problem.split(" (")[0] for doc in documents] == [
        "",
        "line 2: not valid JSON",
        'line 3: no "xml" text in the JSON object',
        "",
    ]
    assert documents[1].raw.startswith(b'{"nct_id": "NCT00000104"')
    assert (
        parse_clinical_study(documents[3].raw, source=documents[3].name).record.nct_id
        == "NCT00000106"
    )


def test_damaged_archive_yields_what_it_can_then_one_problem():
    path = BROKEN / "broken-truncated-archive.jsonl.gz"
    documents = list(iter_legacy_sources([str(path)]))
    readable, last = documents[:-1], documents[-1]
    assert len(readable) == 23 and all(not doc.problem for doc in readable)
    assert readable[-1].expected_nct_id == "NCT00000126"
    assert last.name == f"{path}:line 24"
    assert last.problem.startswith("line 24: the archive cannot be read any further")


def test_plain_jsonl_and_line_without_nct_id(tmp_path):
    xml = (SEED / "2020-07-28" / "NCT00962923.xml").read_text(encoding="utf-8")
    path = tmp_path / "few.jsonl"
    path.write_text(
        json.dumps({"path": "NCT0096xxxx/NCT00962923.xml", "xml": xml})
        + "\n\n"
        + json.dumps({"nct_id": "NCT02213705", "xml": "<clinical_study/>"})
        + "\n"
        + json.dumps(["not", "an", "object"])
        + "\n",
        encoding="utf-8",
    )
    documents = list(iter_legacy_sources([str(path)]))
    assert [(doc.name, doc.expected_nct_id, doc.problem) for doc in documents] == [
        (f"{path}:NCT0096xxxx/NCT00962923.xml", "NCT00962923", ""),
        (f"{path}:line 3", "NCT02213705", ""),
        (f"{path}:line 4", None, 'line 4: no "xml" text in the JSON object'),
    ]


def test_missing_path_is_refused_before_anything_is_read(tmp_path):
    missing = tmp_path / "does-not-exist.xml"
    with pytest.raises(FileNotFoundError, match="does-not-exist.xml") as caught:
        iter_legacy_sources([str(SEED), str(missing)])
    assert caught.value.filename == str(missing)


def test_mixed_paths_are_read_in_the_order_given():
    single = SEED / "2020-07-28" / "NCT03211793.xml"
    documents = list(iter_legacy_sources([str(single), str(BULK_SAMPLE), str(SEED / "2018-05-29")]))
    assert len(documents) == 1 + 40 + 4
    assert documents[0].name == str(single)
    assert documents[1].expected_nct_id == "NCT00000102"
    assert [doc.expected_nct_id for doc in documents[-4:]] == SEED_IDS
