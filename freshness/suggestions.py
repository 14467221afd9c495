"""Replacement sentences for flagged claims, in Chinese and English, from stored facts only.

Every value in a suggestion is read from the newest stored record (or a linked publication)
and formatted; the sentence frames are fixed templates. Nothing is inferred that the record
does not say: where the record is silent the suggestion says so ("注册库未提供…"). An editor
reads, may edit, and a medical reviewer approves before anything is published.
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from freshness.checks import TrialFacts, design_words, results_overdue, status_words
from freshness.checks import partial_date as _date
from trials.labels import country_name, phase_label


def suggest(kind: str, facts: TrialFacts | None, *, today: dt.date) -> tuple[str, str]:
    """(zh-Hans, English) wording of what the registry now says about `kind`."""
    if facts is None or not facts.versions:
        return (
            "注册库中暂无这项试验的记录，建议删除或改写这句话，并请医学审核人员确认。",
            "No registry record of this trial is stored; consider removing or rewording this "
            "sentence, and ask a medical reviewer.",
        )
    return _BUILDERS[kind](facts, today)


def _zh(value: str) -> str:
    date = _date(value)
    return date.format("zh-hans") if date else ""


def _en(value: str) -> str:
    date = _date(value)
    return date.format("en") if date else ""


def _checked(facts: TrialFacts) -> tuple[str, str]:
    value = facts.checked_on or facts.latest.snapshot_date
    return _zh(value), _en(value)


def _status(facts: TrialFacts, today: dt.date) -> tuple[str, str]:
    record = facts.record
    if record.overall_status == "UNKNOWN":
        zh = (
            f"该试验在注册库中的状态为“状态不明”（最后核实于{_zh(record.verification_date)}）"
            if record.verification_date
            else "该试验在注册库中的状态为“状态不明”"
        )
        en = (
            f'The registry gives this trial\'s status as "unknown" (last verified '
            f"{_en(record.verification_date)})"
            if record.verification_date
            else 'The registry gives this trial\'s status as "unknown"'
        )
        if record.last_known_status:
            zh += f"，最后已知的状态为“{status_words(record.last_known_status, 'zh')}”"
            en += f'; its last known status was "{status_words(record.last_known_status, "en")}"'
        return zh + "。", en + "."
    checked_zh, checked_en = _checked(facts)
    zh = f"截至{checked_zh}，该试验在注册库中的状态为“{status_words(record.overall_status, 'zh')}”"
    en = (
        f"As of {checked_en}, the registry gives this trial's status as "
        f'"{status_words(record.overall_status, "en")}"'
    )
    if record.why_stopped:
        zh += f"（注册库记载的原因：{record.why_stopped}）"
        en += f" (reason given: {record.why_stopped})"
    return zh + "。", en + "."


def _results_clause(facts: TrialFacts) -> tuple[str, str]:
    record = facts.record
    if record.results_posted:
        when_zh = f"于{_zh(record.results_first_posted)}" if record.results_first_posted else ""
        when_en = f" on {_en(record.results_first_posted)}" if record.results_first_posted else ""
        return f"注册库已{when_zh}发布结果", f"results were posted on the registry{when_en}"
    if facts.publications:
        pub = facts.publications[0]
        year_zh = f"，{pub.year}年" if pub.year else ""
        year_en = f", {pub.year}" if pub.year else ""
        return (
            f"结果已发表（{pub.journal}{year_zh}，PubMed {pub.pmid}）",
            f"results were published ({pub.journal}{year_en}, PubMed {pub.pmid})",
        )
    return "也未发布结果", "and no results have been posted"


def _date_builder(field_name: str, verb_zh: str, done_zh: str, verb_en: str):
    def build(facts: TrialFacts, today: dt.date) -> tuple[str, str]:
        record = facts.record
        value = getattr(record, field_name)
        value_type = getattr(record, f"{field_name}_type")
        date = _date(value)
        label_zh = "开始日期" if field_name == "start_date" else "完成日期"
        label_en = "start date" if field_name == "start_date" else "completion date"
        if date is None:
            return f"注册库未提供该试验的{label_zh}。", f"The registry gives no {label_en}."
        if value_type == "ACTUAL":
            if field_name == "completion_date" and record.overall_status != "COMPLETED":
                return (
                    f"该试验于{_zh(value)}结束（注册库状态：{status_words(record.overall_status, 'zh')}）。",
                    f"The trial ended in {_en(value)} (registry status: "
                    f"{status_words(record.overall_status, 'en')}).",
                )
            return f"该试验已于{_zh(value)}{done_zh}。", f"The trial {verb_en} in {_en(value)}."
        if date.is_past(today):
            zh = f"该试验原计划{_zh(value)}{verb_zh}，注册库未更新实际{label_zh}"
            en = (
                f"The trial was planned to {_base(verb_en)} in {_en(value)}; the registry gives "
                f"no actual {label_en}"
            )
            if field_name == "completion_date":
                clause_zh, clause_en = _results_clause(facts)
                zh += ("，" if clause_zh.startswith("也") else "；") + clause_zh
                en += (", " if clause_en.startswith("and") else "; ") + clause_en
            return zh + "。", en + "."
        return (
            f"该试验预计于{_zh(value)}{verb_zh}。",
            f"The trial is expected to {_base(verb_en)} in {_en(value)}.",
        )

    return build


def _base(verb_en: str) -> str:
    return {"started": "start", "was completed": "be completed"}.get(verb_en, verb_en)


def _results(facts: TrialFacts, today: dt.date) -> tuple[str, str]:
    record = facts.record
    if record.results_posted or facts.publications:
        zh, en = _results_clause(facts)
        return f"{zh}。", f"{en[0].upper()}{en[1:]}."
    checked_zh, checked_en = _checked(facts)
    zh = f"截至{checked_zh}，注册库中尚未发布该试验的结果，也没有找到报告结果的论文"
    en = (
        f"As of {checked_en}, the registry has no results for this trial and no publication "
        "reporting them has been found"
    )
    overdue, due = results_overdue(facts, today=today)
    if overdue and due:
        zh += f"；按通行的报告时限（主要完成日期后1年零30天），结果应在{due.year}年{due.month}月{due.day}日前公布"
        en += (
            f"; by the usual reporting deadline (primary completion + 1 year and 30 days) "
            f"they were due by {due.isoformat()}"
        )
    return zh + "。", en + "."


def _enrollment(facts: TrialFacts, today: dt.date) -> tuple[str, str]:
    record = facts.record
    if record.enrollment is None:
        return "注册库未提供受试者人数。", "The registry gives no enrolment figure."
    if record.enrollment_type == "ACTUAL":
        return (
            f"该试验实际入组{record.enrollment}名受试者。",
            f"The trial enrolled {record.enrollment} participants.",
        )
    return (
        f"该试验计划招募{record.enrollment}名受试者。",
        f"The trial plans to enrol {record.enrollment} participants.",
    )


def _phase(facts: TrialFacts, today: dt.date) -> tuple[str, str]:
    phases = list(facts.record.phases)
    if not phases:
        return "注册库未提供试验分期。", "The registry gives no trial phase."
    with translation.override("zh-hans"):
        zh = phase_label(phases)
    with translation.override("en"):
        en = phase_label(phases)
    if phases == ["NA"]:
        return (
            "注册库中该试验不分期（不适用）。",
            "The registry gives no phase for this trial (not applicable).",
        )
    return f"注册库中该试验为{zh}临床试验。", f"The registry lists this as a {en} trial."


def _location(facts: TrialFacts, today: dt.date) -> tuple[str, str]:
    locations = facts.record.locations
    if not locations:
        return "注册库未列出研究地点。", "The registry lists no study sites."
    countries = sorted({location.country for location in locations if location.country})
    zh_names = "、".join(country_name(c, "zh-hans") for c in countries)
    en_names = ", ".join(countries)
    count = len(locations)
    return (
        f"该试验在{zh_names}的{count}个研究地点进行。",
        f"The trial runs at {count} site{'s' if count != 1 else ''} in {en_names}.",
    )


def _design(facts: TrialFacts, today: dt.date) -> tuple[str, str]:
    record = facts.record
    if not (record.allocation or record.masking):
        return "注册库未提供试验设计。", "The registry gives no design."
    return (
        f"注册库中该试验为{design_words(record, 'zh')}设计。",
        f"The registry describes the trial as {design_words(record, 'en')}.",
    )


def _intervention(facts: TrialFacts, today: dt.date) -> tuple[str, str]:
    names = [item.name for item in facts.record.interventions if item.name]
    if not names:
        return "注册库未列出干预措施。", "The registry lists no intervention."
    return (
        f"注册库中的干预措施为：{'；'.join(names)}。",
        f"The registry lists the intervention as: {'; '.join(names)}.",
    )


def _sponsor(facts: TrialFacts, today: dt.date) -> tuple[str, str]:
    sponsor = facts.record.lead_sponsor
    if not sponsor:
        return "注册库未提供申办方。", "The registry gives no sponsor."
    return f"该试验的主要申办方为{sponsor}。", f"The trial's lead sponsor is {sponsor}."


_BUILDERS = {
    "status": _status,
    "start_date": _date_builder("start_date", "开始", "开始", "started"),
    "completion_date": _date_builder("completion_date", "完成", "完成", "was completed"),
    "results": _results,
    "enrollment": _enrollment,
    "phase": _phase,
    "location": _location,
    "design": _design,
    "intervention": _intervention,
    "sponsor": _sponsor,
}
