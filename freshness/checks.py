"""Is a claim about a trial still true? Pure functions over stored records, `today` passed in.

A verdict compares what the page claims (already in the registry's vocabulary, see
`extraction.py`) with the newest stored record, and uses the record's history to tell a claim
that *was* true (`outdated`) from one that never matched (`contradicts_registry`):

- `current`: the claim matches the newest record (an old trial can be current);
- `outdated`: it matched an earlier version, or it announced a plan (a date "expected") whose
  day has passed without the registry reporting it done, or results have appeared since;
- `contradicts_registry`: no stored version ever said it;
- `cannot_verify`: no record is stored, the registry itself calls the status unknown, or the
  record does not carry the fact at all.

Two facts about the trial rather than the claim are raised with every verdict: results
overdue (the FDAAA TrialsTracker rule) and a record not updated for two years while the trial
is unfinished. Evidence is plain data (field, registry value, version date, publication) so
it can be shown beside the sentence and printed as JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from trials.dates import DateParseError, PartialDate
from trials.records import TrialRecord

CURRENT = "current"
OUTDATED = "outdated"
CONTRADICTS = "contradicts_registry"
CANNOT_VERIFY = "cannot_verify"

ONGOING = frozenset(
    {"RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION"}
)
FINISHED = frozenset({"COMPLETED", "TERMINATED", "WITHDRAWN"})
STALE_AFTER_DAYS = 2 * 365
RESULTS_GRACE = dt.timedelta(days=365 + 30)


@dataclass(frozen=True)
class RecordVersion:
    """One stored version of a trial record and the day the registry showed it."""

    record: TrialRecord
    snapshot_date: str
    version_id: int | None = None
    last_seen_date: str = ""


@dataclass(frozen=True)
class ResultPublication:
    pmid: str
    title: str = ""
    journal: str = ""
    year: int | None = None

    def as_dict(self) -> dict:
        return {"pmid": self.pmid, "title": self.title, "journal": self.journal, "year": self.year}


@dataclass(frozen=True)
class TrialFacts:
    """Everything stored about one trial: versions oldest first, and its result papers."""

    nct_id: str
    versions: tuple[RecordVersion, ...]
    publications: tuple[ResultPublication, ...] = ()
    checked_on: str = ""

    @property
    def latest(self) -> RecordVersion:
        return self.versions[-1]

    @property
    def record(self) -> TrialRecord:
        return self.latest.record

    @property
    def content_hash(self) -> str:
        return self.record.content_hash()


@dataclass(frozen=True)
class Check:
    verdict: str
    reason_zh: str
    reason_en: str
    evidence: list[dict] = field(default_factory=list)
    results_overdue: bool = False
    record_stale: bool = False


def check(kind: str, claimed: dict, facts: TrialFacts | None, *, today: dt.date) -> Check:
    """The verdict on one claim, with the evidence and the trial-level flags."""
    if facts is None or not facts.versions:
        return Check(
            CANNOT_VERIFY,
            "注册库中没有这项试验的存档记录，无法核对。",
            "No registry record of this trial is stored, so the claim cannot be checked.",
            [{"field": "record", "registry_value": None, "note": "no stored record"}],
        )
    verdict = _CHECKS[kind](claimed, facts, today)
    overdue, due = results_overdue(facts, today=today)
    stale = record_stale(facts, today=today)
    evidence = list(verdict.evidence)
    if overdue:
        evidence.append(
            {
                "field": "results_due",
                "registry_value": due.isoformat(),
                "version_date": facts.latest.snapshot_date,
                "note": "FDAAA TrialsTracker rule: (primary) completion + 1 year + 30 days",
            }
        )
    if stale:
        evidence.append(
            {
                "field": "last_update_posted",
                "registry_value": facts.record.last_update_posted,
                "version_date": facts.latest.snapshot_date,
                "note": "record not updated for over 2 years while the trial is unfinished",
            }
        )
    return Check(
        verdict.verdict,
        verdict.reason_zh,
        verdict.reason_en,
        evidence,
        results_overdue=overdue,
        record_stale=stale,
    )


def results_overdue(facts: TrialFacts, *, today: dt.date) -> tuple[bool, dt.date | None]:
    """FDAAA TrialsTracker: results due one year and 30 days after (primary) completion.

    A month-only date counts from its last day, so a trial is never called overdue early. A
    trial withdrawn before enrolling anyone has nothing to report.
    """
    record = facts.record
    if record.overall_status == "WITHDRAWN":
        return False, None
    completion = partial_date(record.primary_completion_date) or partial_date(
        record.completion_date
    )
    if completion is None:
        return False, None
    due = completion.latest() + RESULTS_GRACE
    if today <= due:
        return False, due
    if record.results_posted or facts.publications:
        return False, due
    return True, due


def record_stale(facts: TrialFacts, *, today: dt.date) -> bool:
    """Unfinished by the registry's own account, and not updated for over two years."""
    record = facts.record
    if record.overall_status in FINISHED:
        return False
    updated = partial_date(record.last_update_posted) or partial_date(record.verification_date)
    if updated is None:
        return False
    return (today - updated.latest()).days > STALE_AFTER_DAYS


@dataclass(frozen=True)
class _Verdict:
    verdict: str
    reason_zh: str
    reason_en: str
    evidence: list[dict]


def _evidence(version: RecordVersion, field_name: str, value, **extra) -> dict:
    return {
        "field": field_name,
        "registry_value": value,
        "version_id": version.version_id,
        "version_date": version.snapshot_date,
        "last_seen_date": version.last_seen_date or version.snapshot_date,
        **extra,
    }


def _first_matching(
    facts: TrialFacts, matches: Callable[[TrialRecord], bool]
) -> RecordVersion | None:
    """The newest earlier version (not the latest) for which `matches` holds."""
    for version in reversed(facts.versions[:-1]):
        if matches(version.record):
            return version
    return None


def _compare(
    facts: TrialFacts,
    *,
    field_name: str,
    value_of: Callable[[TrialRecord], object],
    matches: Callable[[TrialRecord], bool],
    describe_zh: str,
    describe_en: str,
) -> _Verdict:
    """current / outdated (an earlier version said it) / contradicts (none did)."""
    latest = facts.latest
    current_value = value_of(latest.record)
    evidence = [_evidence(latest, field_name, current_value)]
    if matches(latest.record):
        return _Verdict(
            CURRENT,
            f"与注册库一致（{describe_zh}）。",
            f"Matches the registry ({describe_en}).",
            evidence,
        )
    earlier = _first_matching(facts, matches)
    if earlier is not None:
        evidence.append(_evidence(earlier, field_name, value_of(earlier.record)))
        return _Verdict(
            OUTDATED,
            f"{earlier.snapshot_date} 的注册记录与此相符，但最新记录已改变（{describe_zh}）。",
            f"The record of {earlier.snapshot_date} said so, but the latest record "
            f"has changed ({describe_en}).",
            evidence,
        )
    return _Verdict(
        CONTRADICTS,
        f"与注册库不符（{describe_zh}）。",
        f"Does not match the registry ({describe_en}).",
        evidence,
    )


def _status(claimed: dict, facts: TrialFacts, today: dt.date) -> _Verdict:
    record = facts.record
    if claimed.get("status"):
        wanted = {claimed["status"]}
    else:
        wanted = set(ONGOING) if claimed.get("status_group") == "ONGOING" else set()
    if record.overall_status == "UNKNOWN":
        return _Verdict(
            CANNOT_VERIFY,
            f"注册库中的状态为“状态不明”（最后核实于{_fmt(record.verification_date, 'zh')}，"
            f"最后已知状态：{status_words(record.last_known_status, 'zh')}）。",
            f"The registry itself gives the status as unknown (last verified "
            f"{_fmt(record.verification_date, 'en')}; last known status: "
            f"{record.last_known_status or 'not given'}).",
            [
                _evidence(facts.latest, "overall_status", record.overall_status),
                _evidence(facts.latest, "last_known_status", record.last_known_status),
                _evidence(facts.latest, "verification_date", record.verification_date),
            ],
        )
    return _compare(
        facts,
        field_name="overall_status",
        value_of=lambda r: r.overall_status,
        matches=lambda r: r.overall_status in wanted,
        describe_zh=f"注册库状态：{status_words(record.overall_status, 'zh')}",
        describe_en=f"registry status: {status_words(record.overall_status, 'en')}",
    )


def _same_date(claimed: str, registry: str) -> bool:
    """Equal at the coarser of the two precisions: "2018-11" matches "2018-11-01"."""
    if not claimed or not registry:
        return False
    size = min(len(claimed), len(registry))
    return claimed[:size] == registry[:size]


def _date_check(field_name: str, label_zh: str, label_en: str):
    def run(claimed: dict, facts: TrialFacts, today: dt.date) -> _Verdict:
        record = facts.record
        value = getattr(record, field_name)
        value_type = getattr(record, f"{field_name}_type")
        claimed_date = claimed.get("date") or ""
        evidence = [
            _evidence(facts.latest, field_name, value),
            _evidence(facts.latest, f"{field_name}_type", value_type),
        ]
        if not value:
            return _Verdict(
                CANNOT_VERIFY,
                f"注册库没有提供{label_zh}。",
                f"The registry gives no {label_en}.",
                evidence,
            )
        registry_date = partial_date(value)
        describe_zh = f"注册库{label_zh}：{_fmt(value, 'zh')}（{_type_zh(value_type)}）"
        describe_en = f"registry {label_en}: {_fmt(value, 'en')} ({_type_en(value_type)})"
        if _same_date(claimed_date, value):
            planned = claimed.get("date_type") == "ESTIMATED" or value_type == "ESTIMATED"
            if value_type == "ACTUAL" and claimed.get("date_type") == "ESTIMATED":
                return _Verdict(
                    OUTDATED,
                    f"文中写的是预计日期，注册库现已记录为实际日期（{describe_zh}）。",
                    f"The text gives a planned date; the registry now records it as the "
                    f"actual date ({describe_en}).",
                    evidence,
                )
            if (
                planned
                and value_type != "ACTUAL"
                and registry_date
                and registry_date.is_past(today)
            ):
                return _Verdict(
                    OUTDATED,
                    f"计划日期已过，注册库未更新实际日期（{describe_zh}）。",
                    f"The planned date has passed and the registry gives no actual date "
                    f"({describe_en}).",
                    evidence,
                )
            return _Verdict(
                CURRENT,
                f"与注册库一致（{describe_zh}）。",
                f"Matches the registry ({describe_en}).",
                evidence,
            )
        earlier = _first_matching(facts, lambda r: _same_date(claimed_date, getattr(r, field_name)))
        if earlier is not None:
            evidence.append(_evidence(earlier, field_name, getattr(earlier.record, field_name)))
            return _Verdict(
                OUTDATED,
                f"{earlier.snapshot_date} 的注册记录与此相符，但日期已改变（{describe_zh}）。",
                f"The record of {earlier.snapshot_date} gave this date; it has changed since "
                f"({describe_en}).",
                evidence,
            )
        return _Verdict(
            CONTRADICTS,
            f"与注册库不符（{describe_zh}）。",
            f"Does not match the registry ({describe_en}).",
            evidence,
        )

    return run


def _results(claimed: dict, facts: TrialFacts, today: dt.date) -> _Verdict:
    record = facts.record
    evidence = [
        _evidence(facts.latest, "results_posted", record.results_posted),
        *(
            {"field": "publication", "registry_value": None, "publication": pub.as_dict()}
            for pub in facts.publications
        ),
    ]
    has_results = record.results_posted or bool(facts.publications)
    if claimed.get("results_posted") is True:
        if has_results:
            return _Verdict(
                CURRENT, "结果已公布，与记录一致。", "Results are available, as stated.", evidence
            )
        return _Verdict(
            CONTRADICTS,
            "注册库未发布结果，也没有关联的结果论文。",
            "The registry has no results and no result publication is linked.",
            evidence,
        )
    if not has_results:
        return _Verdict(
            CURRENT,
            "注册库仍未发布结果，也没有关联的结果论文。",
            "The registry still has no results and no result publication is linked.",
            evidence,
        )
    where_zh = "注册库已发布结果" if record.results_posted else "已有发表的结果论文"
    where_en = (
        "the registry now has results"
        if record.results_posted
        else "a result publication is linked"
    )
    return _Verdict(
        OUTDATED,
        f"文中说没有结果，但{where_zh}。",
        f"The text says there are no results, but {where_en}.",
        evidence,
    )


def _enrollment(claimed: dict, facts: TrialFacts, today: dt.date) -> _Verdict:
    count = claimed.get("count")
    record = facts.record
    if record.enrollment is None:
        return _Verdict(
            CANNOT_VERIFY,
            "注册库没有提供受试者人数。",
            "The registry gives no enrolment figure.",
            [_evidence(facts.latest, "enrollment", None)],
        )
    return _compare(
        facts,
        field_name="enrollment",
        value_of=lambda r: r.enrollment,
        matches=lambda r: r.enrollment == count,
        describe_zh=f"注册库人数：{record.enrollment}（{_type_zh(record.enrollment_type)}）",
        describe_en=f"registry enrolment: {record.enrollment} ({_type_en(record.enrollment_type)})",
    )


def _phase(claimed: dict, facts: TrialFacts, today: dt.date) -> _Verdict:
    wanted = sorted(claimed.get("phases") or [])
    record = facts.record
    return _compare(
        facts,
        field_name="phases",
        value_of=lambda r: list(r.phases),
        matches=lambda r: sorted(r.phases) == wanted,
        describe_zh=f"注册库分期：{phase_words(record.phases, 'zh')}",
        describe_en=f"registry phase: {phase_words(record.phases, 'en')}",
    )


def _location(claimed: dict, facts: TrialFacts, today: dt.date) -> _Verdict:
    countries = set(claimed.get("countries") or [])
    sites = claimed.get("site_count")
    record = facts.record
    if not record.locations:
        return _Verdict(
            CANNOT_VERIFY,
            "注册库没有列出研究地点。",
            "The registry lists no study sites.",
            [_evidence(facts.latest, "locations", [])],
        )

    def matches(r: TrialRecord) -> bool:
        there = {location.country for location in r.locations}
        if countries and not countries <= there:
            return False
        return sites is None or len(r.locations) == sites

    from trials.labels import country_name

    there = sorted({location.country for location in record.locations})
    there_zh = [country_name(country, "zh-hans") for country in there]
    return _compare(
        facts,
        field_name="locations",
        value_of=lambda r: {
            "countries": sorted({location.country for location in r.locations}),
            "site_count": len(r.locations),
        },
        matches=matches,
        describe_zh=f"注册库：{'、'.join(there_zh)}，{len(record.locations)}个地点",
        describe_en=f"registry: {', '.join(there)}, {len(record.locations)} site(s)",
    )


ALLOCATION_WORDS = {
    "RANDOMIZED": ("随机", "randomised"),
    "NON_RANDOMIZED": ("非随机", "non-randomised"),
    "NA": ("单组（不分组）", "single-group"),
}
MASKING_WORDS = {
    "NONE": ("开放标签", "open-label"),
    "SINGLE": ("单盲", "single-blind"),
    "DOUBLE": ("双盲", "double-blind"),
    "TRIPLE": ("三盲", "triple-blind"),
    "QUADRUPLE": ("四盲", "quadruple-blind"),
}


def design_words(record: TrialRecord, language: str) -> str:
    """ "随机、四盲" / "randomised, quadruple-blind"; empty when the record gives neither."""
    index = 0 if language == "zh" else 1
    parts = [
        table[value][index]
        for table, value in ((ALLOCATION_WORDS, record.allocation), (MASKING_WORDS, record.masking))
        if value in table
    ]
    return ("、" if language == "zh" else ", ").join(parts) or (
        "未提供" if language == "zh" else "not given"
    )


_MASKED_AT_LEAST_DOUBLE = {"DOUBLE", "TRIPLE", "QUADRUPLE"}


def _design(claimed: dict, facts: TrialFacts, today: dt.date) -> _Verdict:
    """Blinding as readers use the word: "double-blind" covers triple and quadruple masking."""
    allocation = claimed.get("allocation")
    masking = claimed.get("masking")
    record = facts.record

    def matches(r: TrialRecord) -> bool:
        if allocation and r.allocation != allocation:
            return False
        if masking == "DOUBLE":
            return r.masking in _MASKED_AT_LEAST_DOUBLE
        return not masking or r.masking == masking

    if (allocation and not record.allocation) and (masking and not record.masking):
        return _Verdict(
            CANNOT_VERIFY,
            "注册库没有提供试验设计。",
            "The registry gives no design.",
            [_evidence(facts.latest, "allocation", ""), _evidence(facts.latest, "masking", "")],
        )
    return _compare(
        facts,
        field_name="design",
        value_of=lambda r: {"allocation": r.allocation, "masking": r.masking},
        matches=matches,
        describe_zh=f"注册库：{design_words(record, 'zh')}",
        describe_en=f"registry: {design_words(record, 'en')}",
    )


_SOURCE_WORDS = {
    "umbilical cord": ("umbilical", "wharton", "cord blood", "cord-derived", "cord derived"),
    "bone marrow": ("bone marrow", "bone-marrow", "marrow"),
    "adipose": ("adipose", "fat ", "fat-derived", "lipo", "stromal vascular fraction"),
    "placenta": ("placenta",),
}
_ORIGIN_WORDS = {
    "ALLOGENEIC": ("allogeneic", "allogenic", "donor"),
    "AUTOLOGOUS": ("autologous", "patient's own", "patients' own"),
}


def _intervention_text(record: TrialRecord) -> str:
    parts = [record.brief_title, record.official_title, record.brief_summary]
    for item in record.interventions:
        parts += [item.name, item.description]
    return " ".join(parts).lower()


def _intervention(claimed: dict, facts: TrialFacts, today: dt.date) -> _Verdict:
    """Cell source, origin and names are looked for in the record's own words.

    Silence is not contradiction: a record that never names the cell source leaves the claim
    `cannot_verify`; only a record that names the other origin contradicts it.
    """
    record = facts.record
    text = _intervention_text(record)
    names = [item.name for item in record.interventions]
    evidence = [_evidence(facts.latest, "interventions", names)]
    missing: list[str] = []
    for key, words in (("origin", _ORIGIN_WORDS), ("source", _SOURCE_WORDS)):
        value = claimed.get(key)
        if not value:
            continue
        if any(word in text for word in words.get(value, (value.lower(),))):
            continue
        others = [other for other in words if other != value]
        if key == "origin" and any(word in text for other in others for word in words[other]):
            return _Verdict(
                CONTRADICTS,
                f"注册库描述的细胞来源与此不符（干预措施：{'；'.join(names)}）。",
                f"The registry describes a different cell origin (interventions: {'; '.join(names)}).",
                evidence,
            )
        missing.append(value)
    if claimed.get("name") and claimed["name"].lower() not in text:
        missing.append(claimed["name"])
    if missing:
        return _Verdict(
            CANNOT_VERIFY,
            f"注册记录中找不到这一说法（{'、'.join(missing)}）。",
            f"The registry record does not mention this ({', '.join(missing)}).",
            evidence,
        )
    return _Verdict(
        CURRENT,
        "与注册库的干预措施描述一致。",
        "Matches the registry's description of the intervention.",
        evidence,
    )


def _sponsor(claimed: dict, facts: TrialFacts, today: dt.date) -> _Verdict:
    record = facts.record
    name = (claimed.get("name") or "").strip()
    sponsors = [record.lead_sponsor, *record.collaborators]
    evidence = [_evidence(facts.latest, "lead_sponsor", record.lead_sponsor)]
    if not name.isascii():
        return _Verdict(
            CANNOT_VERIFY,
            f"注册库只有英文申办方名称（{record.lead_sponsor}），请人工核对。",
            f"The registry names the sponsor only in English ({record.lead_sponsor}); check by hand.",
            evidence,
        )
    lowered = name.lower().removeprefix("the ")
    if any(lowered in s.lower() or (s and s.lower() in lowered) for s in sponsors):
        return _Verdict(
            CURRENT, "与注册库的申办方一致。", "Matches the registry's sponsor.", evidence
        )
    return _Verdict(
        CONTRADICTS,
        f"注册库的申办方为 {record.lead_sponsor}。",
        f"The registry's sponsor is {record.lead_sponsor}.",
        evidence,
    )


_CHECKS: dict[str, Callable[[dict, TrialFacts, dt.date], _Verdict]] = {
    "status": _status,
    "start_date": _date_check("start_date", "开始日期", "start date"),
    "completion_date": _date_check("completion_date", "完成日期", "completion date"),
    "results": _results,
    "enrollment": _enrollment,
    "phase": _phase,
    "location": _location,
    "design": _design,
    "intervention": _intervention,
    "sponsor": _sponsor,
}


def partial_date(value: str | None) -> PartialDate | None:
    """An ISO partial date from a record, or None when it is empty or malformed."""
    try:
        return PartialDate.from_iso(value)
    except DateParseError:
        return None


def _fmt(value: str | None, language: str) -> str:
    date = partial_date(value)
    if date is None:
        return "未提供" if language == "zh" else "not given"
    return date.format("zh-hans" if language == "zh" else "en")


def status_words(status: str, language: str) -> str:
    """The registry status in the reader's words, whatever language is active."""
    from django.utils import translation

    from trials.labels import status_label

    if not status:
        return "未提供" if language == "zh" else "not given"
    with translation.override("zh-hans" if language == "zh" else "en"):
        return status_label(status)


def phase_words(phases: list[str], language: str) -> str:
    from django.utils import translation

    from trials.labels import phase_label

    if not phases:
        return "未提供" if language == "zh" else "not given"
    with translation.override("zh-hans" if language == "zh" else "en"):
        return phase_label(list(phases))


def _type_zh(value: str) -> str:
    return {"ESTIMATED": "预计", "ACTUAL": "实际"}.get(value, "未注明")


def _type_en(value: str) -> str:
    return {"ESTIMATED": "estimated", "ACTUAL": "actual"}.get(value, "type not given")
