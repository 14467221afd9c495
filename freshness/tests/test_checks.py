"""Verdicts on claims, from the claim's own words to the registry's records, with `today` fixed.

Hand-written sentences in both languages go through extraction and then the checks, so each
case reads like what an editor would see: this sentence, against these stored versions, on
this day, is current / outdated / contradicts the registry / cannot be verified.
"""

from __future__ import annotations

import datetime as dt

import pytest

from freshness.checks import (
    CANNOT_VERIFY,
    CONTRADICTS,
    CURRENT,
    OUTDATED,
    RecordVersion,
    ResultPublication,
    TrialFacts,
    check,
    record_stale,
    results_overdue,
)
from freshness.extraction import extract_statements
from trials.records import Intervention, Location, TrialRecord

NCT = "NCT01234567"
TODAY = dt.date(2026, 11, 25)


def record(**fields) -> TrialRecord:
    fields.setdefault("overall_status", "RECRUITING")
    fields.setdefault("last_update_posted", "2026-06-01")
    return TrialRecord(nct_id=NCT, **fields)


def facts(*records: TrialRecord, publications=()) -> TrialFacts:
    versions = tuple(
        RecordVersion(record=r, snapshot_date=f"{2018 + i}-05-29", version_id=i + 1)
        for i, r in enumerate(records)
    )
    return TrialFacts(NCT, versions, tuple(publications), versions[-1].snapshot_date)


def verdict(sentence: str, language: str, trial: TrialFacts | None, kind: str, today=TODAY):
    found = [s for s in extract_statements([sentence], language=language) if s.kind == kind]
    assert found, f"no {kind} claim found in {sentence!r}"
    return check(kind, found[0].claimed, trial, today=today)


def site(country: str) -> Location:
    return Location(facility="Hospital", city="City", country=country)


CASES = [
    # status
    ("zh-hans", f"该试验（{NCT}）正在招募。", "status", [record()], TODAY, CURRENT),
    (
        "zh-hans",
        f"该试验（{NCT}）正在招募。",
        "status",
        [record(), record(overall_status="COMPLETED")],
        TODAY,
        OUTDATED,
    ),
    (
        "zh-hans",
        f"该试验（{NCT}）正在招募。",
        "status",
        [record(overall_status="WITHDRAWN")],
        TODAY,
        CONTRADICTS,
    ),
    (
        "zh-hans",
        f"该试验（{NCT}）正在招募。",
        "status",
        [record(overall_status="UNKNOWN", last_known_status="RECRUITING")],
        TODAY,
        CANNOT_VERIFY,
    ),
    (
        "en",
        f"{NCT} is recruiting patients.",
        "status",
        [record(), record(overall_status="ACTIVE_NOT_RECRUITING")],
        TODAY,
        OUTDATED,
    ),
    ("en", f"{NCT} is recruiting patients.", "status", [record()], TODAY, CURRENT),
    # start date: a plan is current until its day passes
    (
        "zh-hans",
        f"{NCT}预计将于2018年11月开始招募。",
        "start_date",
        [record(start_date="2018-11", start_date_type="ESTIMATED")],
        dt.date(2018, 6, 1),
        CURRENT,
    ),
    (
        "zh-hans",
        f"{NCT}预计将于2018年11月开始招募。",
        "start_date",
        [record(start_date="2018-11", start_date_type="ESTIMATED")],
        TODAY,
        OUTDATED,
    ),
    (
        "zh-hans",
        f"{NCT}预计将于2018年11月开始招募。",
        "start_date",
        [
            record(start_date="2018-11", start_date_type="ESTIMATED"),
            record(start_date="2019-02-04", start_date_type="ACTUAL"),
        ],
        TODAY,
        OUTDATED,
    ),
    (
        "zh-hans",
        f"{NCT}预计将于2018年11月开始招募。",
        "start_date",
        [record(start_date="2017-01", start_date_type="ACTUAL")],
        TODAY,
        CONTRADICTS,
    ),
    (
        "en",
        f"{NCT} started in March 2015 and was completed in June 2019.",
        "start_date",
        [record(start_date="2015-03-02", start_date_type="ACTUAL")],
        TODAY,
        CURRENT,
    ),
    # completion date
    (
        "en",
        f"{NCT} is expected to be completed in January 2022.",
        "completion_date",
        [record(completion_date="2022-01-31", completion_date_type="ESTIMATED")],
        dt.date(2021, 5, 1),
        CURRENT,
    ),
    (
        "en",
        f"{NCT} is expected to be completed in January 2022.",
        "completion_date",
        [record(completion_date="2022-01-20", completion_date_type="ACTUAL")],
        TODAY,
        OUTDATED,
    ),
    (
        "en",
        f"{NCT} is expected to be completed in January 2022.",
        "completion_date",
        [record()],
        TODAY,
        CANNOT_VERIFY,
    ),
    (
        "zh-hans",
        f"{NCT}预计将于2022年1月完成。",
        "completion_date",
        [record(completion_date="2019-06", completion_date_type="ESTIMATED")],
        TODAY,
        CONTRADICTS,
    ),
    (
        "en",
        f"{NCT} started in March 2015 and was completed in June 2019.",
        "completion_date",
        [
            record(
                overall_status="COMPLETED",
                completion_date="2019-06-30",
                completion_date_type="ACTUAL",
            )
        ],
        TODAY,
        CURRENT,
    ),
    # results
    ("zh-hans", f"{NCT}目前尚未公布试验结果。", "results", [record()], TODAY, CURRENT),
    (
        "zh-hans",
        f"{NCT}目前尚未公布试验结果。",
        "results",
        [record(), record(results_posted=True, results_first_posted="2024-03-01")],
        TODAY,
        OUTDATED,
    ),
    (
        "en",
        f"No results have been posted for {NCT}.",
        "results",
        [record()],
        TODAY,
        CURRENT,
    ),
    # enrolment
    (
        "zh-hans",
        f"{NCT}招募了20名患者。",
        "enrollment",
        [record(enrollment=20, enrollment_type="ACTUAL")],
        TODAY,
        CURRENT,
    ),
    (
        "zh-hans",
        f"{NCT}招募了20名患者。",
        "enrollment",
        [record(enrollment=20), record(enrollment=40)],
        TODAY,
        OUTDATED,
    ),
    (
        "zh-hans",
        f"{NCT}招募了20名患者。",
        "enrollment",
        [record(enrollment=35)],
        TODAY,
        CONTRADICTS,
    ),
    ("zh-hans", f"{NCT}招募了20名患者。", "enrollment", [record()], TODAY, CANNOT_VERIFY),
    (
        "en",
        f"{NCT} enrolled 20 patients at one site in the Netherlands.",
        "enrollment",
        [record(enrollment=20, enrollment_type="ACTUAL")],
        TODAY,
        CURRENT,
    ),
    # phase
    (
        "zh-hans",
        f"{NCT}是一项开放标签的I/II期试验。",
        "phase",
        [record(phases=["PHASE1", "PHASE2"])],
        TODAY,
        CURRENT,
    ),
    (
        "zh-hans",
        f"{NCT}是一项开放标签的I/II期试验。",
        "phase",
        [record(phases=["PHASE2"])],
        TODAY,
        CONTRADICTS,
    ),
    (
        "en",
        f"{NCT} is a randomised, double-blind, phase 2 trial.",
        "phase",
        [record(phases=["PHASE2"]), record(phases=["PHASE2", "PHASE3"])],
        TODAY,
        OUTDATED,
    ),
    # location
    (
        "zh-hans",
        f"{NCT}在荷兰一地进行。",
        "location",
        [record(locations=[site("Netherlands")])],
        TODAY,
        CURRENT,
    ),
    (
        "zh-hans",
        f"{NCT}在荷兰一地进行。",
        "location",
        [record(locations=[site("Netherlands"), site("Netherlands"), site("Belgium")])],
        TODAY,
        CONTRADICTS,
    ),
    ("zh-hans", f"{NCT}在荷兰一地进行。", "location", [record()], TODAY, CANNOT_VERIFY),
    (
        "en",
        f"{NCT} enrolled 20 patients at one site in the Netherlands.",
        "location",
        [record(locations=[site("Netherlands")]), record(locations=[site("France")])],
        TODAY,
        OUTDATED,
    ),
    # design: "double-blind" covers quadruple masking
    (
        "zh-hans",
        f"{NCT}是一项随机、双盲试验。",
        "design",
        [record(allocation="RANDOMIZED", masking="QUADRUPLE")],
        TODAY,
        CURRENT,
    ),
    (
        "zh-hans",
        f"{NCT}是一项随机、双盲试验。",
        "design",
        [record(allocation="NA", masking="NONE")],
        TODAY,
        CONTRADICTS,
    ),
    (
        "en",
        f"{NCT} is a randomised, double-blind, phase 2 trial.",
        "design",
        [record(allocation="RANDOMIZED", masking="DOUBLE")],
        TODAY,
        CURRENT,
    ),
    # intervention: silence is not contradiction
    (
        "zh-hans",
        f"{NCT}使用同种异体间充质干细胞。",
        "intervention",
        [record(interventions=[Intervention("BIOLOGICAL", "Allogeneic MSC")])],
        TODAY,
        CURRENT,
    ),
    (
        "zh-hans",
        f"{NCT}使用同种异体间充质干细胞。",
        "intervention",
        [record(interventions=[Intervention("BIOLOGICAL", "Autologous MSC")])],
        TODAY,
        CONTRADICTS,
    ),
    (
        "zh-hans",
        f"{NCT}使用从脐带获得的干细胞。",
        "intervention",
        [record(interventions=[Intervention("BIOLOGICAL", "Mesenchymal stem cells")])],
        TODAY,
        CANNOT_VERIFY,
    ),
    (
        "en",
        f"{NCT} uses autologous adipose-derived stem cells.",
        "intervention",
        [
            record(
                interventions=[Intervention("BIOLOGICAL", "autologous stromal vascular fraction")]
            )
        ],
        TODAY,
        CURRENT,
    ),
    # sponsor
    (
        "en",
        f"{NCT} is sponsored by UMC Utrecht.",
        "sponsor",
        [record(lead_sponsor="UMC Utrecht")],
        TODAY,
        CURRENT,
    ),
    (
        "en",
        f"{NCT} is sponsored by UMC Utrecht.",
        "sponsor",
        [record(lead_sponsor="Assistance Publique - Hôpitaux de Paris")],
        TODAY,
        CONTRADICTS,
    ),
    (
        "zh-hans",
        f"{NCT}由四川大学华西医院发起。",
        "sponsor",
        [record(lead_sponsor="West China Hospital")],
        TODAY,
        CANNOT_VERIFY,
    ),
]


@pytest.mark.parametrize(
    ("language", "sentence", "kind", "records", "today", "expected"),
    CASES,
    ids=[f"{c[2]}-{c[5]}-{i}" for i, c in enumerate(CASES)],
)
def test_verdict(language, sentence, kind, records, today, expected):
    result = verdict(sentence, language, facts(*records), kind, today=today)
    assert result.verdict == expected, result.reason_en
    assert result.reason_zh and result.reason_en


def test_every_kind_and_verdict_is_covered_by_the_examples():
    kinds = {c[2] for c in CASES}
    verdicts = {c[5] for c in CASES}
    languages = {c[0] for c in CASES}
    from freshness.extraction import KINDS

    assert kinds == set(KINDS)
    assert verdicts == {CURRENT, OUTDATED, CONTRADICTS, CANNOT_VERIFY}
    assert languages == {"zh-hans", "en"}


def test_no_record_cannot_be_verified():
    result = verdict(f"该试验（{NCT}）正在招募。", "zh-hans", None, "status")
    assert result.verdict == CANNOT_VERIFY
    assert result.evidence[0]["field"] == "record"


def test_outdated_evidence_names_both_versions():
    trial = facts(record(), record(overall_status="COMPLETED"))
    result = verdict(f"该试验（{NCT}）正在招募。", "zh-hans", trial, "status")
    assert [(e["registry_value"], e["version_date"]) for e in result.evidence[:2]] == [
        ("COMPLETED", "2019-05-29"),
        ("RECRUITING", "2018-05-29"),
    ]


def test_a_linked_result_publication_makes_no_results_outdated():
    trial = facts(record(), publications=[ResultPublication("31234567", "Results", "Lancet", 2024)])
    result = verdict(f"{NCT}目前尚未公布试验结果。", "zh-hans", trial, "results")
    assert result.verdict == OUTDATED
    assert result.evidence[-1]["publication"]["pmid"] == "31234567"


def test_claiming_results_that_do_not_exist_contradicts():
    result = check("results", {"results_posted": True}, facts(record()), today=TODAY)
    assert result.verdict == CONTRADICTS


# Trial-level flags


def completed(**fields) -> TrialRecord:
    fields.setdefault("overall_status", "COMPLETED")
    return record(**fields)


def test_results_overdue_one_year_and_thirty_days_after_primary_completion():
    trial = facts(completed(primary_completion_date="2020-01-31", completion_date="2023-01-01"))
    due = dt.date(2020, 1, 31) + dt.timedelta(days=395)
    assert results_overdue(trial, today=due) == (False, due)
    assert results_overdue(trial, today=due + dt.timedelta(days=1)) == (True, due)


def test_results_due_date_falls_back_to_completion_and_month_precision_counts_from_month_end():
    trial = facts(completed(completion_date="2011-12", completion_date_type="ESTIMATED"))
    overdue, due = results_overdue(trial, today=TODAY)
    assert overdue
    assert due == dt.date(2011, 12, 31) + dt.timedelta(days=395)


def test_results_not_overdue_when_posted_or_published_or_not_due():
    posted = facts(completed(primary_completion_date="2015-01-01", results_posted=True))
    published = facts(
        completed(primary_completion_date="2015-01-01"),
        publications=[ResultPublication("1")],
    )
    future = facts(record(primary_completion_date="2030-01"))
    withdrawn = facts(record(overall_status="WITHDRAWN", primary_completion_date="2015-01"))
    undated = facts(completed())
    for trial in (posted, published, future, withdrawn, undated):
        assert results_overdue(trial, today=TODAY)[0] is False


def test_record_stale_when_unfinished_and_not_updated_for_two_years():
    assert record_stale(facts(record(last_update_posted="2016-04-18")), today=TODAY)
    assert not record_stale(facts(record(last_update_posted="2025-04-18")), today=TODAY)
    assert not record_stale(facts(completed(last_update_posted="2016-04-18")), today=TODAY), (
        "a finished trial has nothing left to update"
    )
    assert record_stale(
        facts(record(overall_status="UNKNOWN", last_update_posted="2009-08-20")), today=TODAY
    )


def test_flags_travel_with_every_verdict_and_add_evidence():
    trial = facts(
        record(
            enrollment=20,
            last_update_posted="2016-04-18",
            primary_completion_date="2018-06",
        )
    )
    result = check("enrollment", {"count": 20}, trial, today=TODAY)
    assert result.verdict == CURRENT
    assert result.results_overdue and result.record_stale
    assert {e["field"] for e in result.evidence} >= {"results_due", "last_update_posted"}
