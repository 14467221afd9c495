"""A plain-language Chinese summary of one trial, written only from its structured registry fields.

Nothing here reads the free-text summary or invents a fact: every sentence is a registry field
put into words (what is tested, who can join, where, how long), plus fixed general explanations
of what a phase or a study design means, which are general knowledge rather than claims about
the trial. The result is marked as automatic, and names its source and checked date, because
the medical content rules say generated wording is a suggestion and every fact shows where it
came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trials.dates import DateParseError, PartialDate
from trials.labels import country_name

AUTOMATIC_NOTE = (
    "此摘要由系统根据注册信息自动生成，仅供参考；是否适合参加，请与医生和研究团队确认。"
)

INTERVENTION_TYPES_ZH = {
    "DRUG": "药物",
    "BIOLOGICAL": "生物制品",
    "DEVICE": "医疗器械",
    "PROCEDURE": "手术或操作",
    "RADIATION": "放射治疗",
    "BEHAVIORAL": "行为干预",
    "GENETIC": "基因治疗",
    "DIETARY_SUPPLEMENT": "膳食补充剂",
    "COMBINATION_PRODUCT": "组合产品",
    "DIAGNOSTIC_TEST": "诊断检查",
    "OTHER": "其他",
}
STATUS_ZH = {
    "NOT_YET_RECRUITING": "尚未开始招募",
    "RECRUITING": "正在招募",
    "ENROLLING_BY_INVITATION": "仅限受邀者入组",
    "ACTIVE_NOT_RECRUITING": "进行中，已停止招募",
    "SUSPENDED": "暂停",
    "TERMINATED": "提前终止",
    "COMPLETED": "已完成",
    "WITHDRAWN": "已撤销（未入组任何受试者）",
    "UNKNOWN": "状态不明",
    "AVAILABLE": "可申请（扩大使用）",
    "NO_LONGER_AVAILABLE": "已不再提供",
    "TEMPORARILY_NOT_AVAILABLE": "暂时不提供",
    "APPROVED_FOR_MARKETING": "已批准上市",
    "WITHHELD": "信息未公开",
}
CONDITIONS_ZH = {
    "systemic sclerosis": "系统性硬化症",
    "scleroderma, systemic": "系统性硬化症",
    "systemic scleroderma": "系统性硬化症",
    "scleroderma": "硬皮病",
    "diffuse cutaneous systemic sclerosis": "弥漫型系统性硬化症",
    "limited cutaneous systemic sclerosis": "局限型系统性硬化症",
    "morphea": "硬斑病",
    "scleroderma, localized": "局限性硬皮病",
    "scleroderma, circumscribed": "局限性硬皮病",
    "raynaud disease": "雷诺现象",
    "raynaud phenomenon": "雷诺现象",
    "raynaud's phenomenon": "雷诺现象",
    "raynaud": "雷诺现象",
    "digital ulcer": "指端溃疡",
    "digital ulcers": "指端溃疡",
    "interstitial lung disease": "间质性肺病",
    "lung diseases, interstitial": "间质性肺病",
    "pulmonary fibrosis": "肺纤维化",
    "pulmonary arterial hypertension": "肺动脉高压",
    "connective tissue diseases": "结缔组织病",
    "autoimmune diseases": "自身免疫病",
}
PHASE_MEANING_ZH = {
    (
        "EARLY_PHASE1",
    ): "早期I期研究：人数很少、剂量很低，主要了解药物在人体内的情况，一般不以治疗效果为目的。",
    ("PHASE1",): "I期研究：通常只有少数人参加，主要看安全性和合适的剂量，还不能说明是否有效。",
    ("PHASE1", "PHASE2"): "I/II期研究：先看安全性和剂量，再在较多患者中初步观察效果。",
    ("PHASE2",): "II期研究：在较多患者中初步观察是否有效，并继续观察安全性和剂量。",
    (
        "PHASE2",
        "PHASE3",
    ): "II/III期研究：先初步观察效果，再在更多患者中与对照比较，确认效果和安全性。",
    (
        "PHASE3",
    ): "III期研究：在大量患者中与现有治疗或安慰剂比较，确认效果和安全性，常是申请上市的主要依据。",
    ("PHASE4",): "IV期研究：药物已经上市，继续观察长期效果和少见的副作用。",
    ("NA",): "这项研究不分期：通常是器械、手术、行为干预或其他非药物研究，不按药物试验的分期划分。",
}
PHASE_NAME_ZH = {
    "EARLY_PHASE1": "早期I期",
    "PHASE1": "I期",
    "PHASE2": "II期",
    "PHASE3": "III期",
    "PHASE4": "IV期",
    "NA": "不分期",
}
STUDY_TYPE_ZH = {
    "OBSERVATIONAL": "这是一项观察性研究：研究者不安排新的治疗，只观察和记录参加者的情况。",
    "EXPANDED_ACCESS": "这是一项扩大使用（同情用药）项目：让无法参加临床试验的患者在试验外使用尚未上市的治疗。",
}
ALLOCATION_ZH = {
    "RANDOMIZED": "参加者会被随机分到不同的组，自己不能选择。",
    "NON_RANDOMIZED": "参加者不是随机分组的。",
}
MASKING_ZH = {
    "NONE": "开放标签：参加者和医生都知道用的是什么。",
    "SINGLE": "单盲：有一方（通常是参加者）不知道分到了哪一组。",
    "DOUBLE": "双盲：参加者和研究医生都不知道分到了哪一组。",
    "TRIPLE": "三盲：参加者、研究医生和评估人员都不知道分到了哪一组。",
    "QUADRUPLE": "四盲：参加者、医护人员、研究者和评估人员都不知道分到了哪一组。",
}
MAX_CITIES = 6


@dataclass(frozen=True)
class Summary:
    paragraphs_zh: list[str] = field(default_factory=list)
    automatic: bool = True


def _join(items: list[str]) -> str:
    return "、".join(items)


def _condition_zh(name: str) -> str:
    """The Chinese name with the registry's words after it; the registry's words alone if unknown.

    Several registry spellings share one Chinese name, so the Chinese name alone is the key
    that de-duplicates ("Systemic Scleroderma" and "Scleroderma, Systemic").
    """
    translated = CONDITIONS_ZH.get(name.strip().lower())
    return translated or name


def _date_zh(value: str) -> str:
    try:
        date = PartialDate.from_iso(value)
    except DateParseError:
        return value
    return date.format("zh-hans") if date else ""


def _is_past(value: str, today: dt.date) -> bool | None:
    try:
        date = PartialDate.from_iso(value)
    except DateParseError:
        return None
    return date.is_past(today) if date else None


def _tested(trial) -> str:
    interventions = [item for item in (trial.interventions or []) if item.get("name")]
    sentences = []
    if trial.study_type in STUDY_TYPE_ZH:
        sentences.append(STUDY_TYPE_ZH[trial.study_type])
    if interventions:
        named = []
        for item in interventions:
            kind = INTERVENTION_TYPES_ZH.get(item.get("type", ""), item.get("type") or "")
            shown = f"{item['name']}（{kind}）" if kind else item["name"]
            if shown not in named:
                named.append(shown)
        verb = "涉及" if trial.study_type == "OBSERVATIONAL" else "测试"
        sentences.append(f"这项研究{verb}的是：{_join(named)}。")
        if any("placebo" in item["name"].lower() for item in interventions):
            sentences.append("部分参加者会使用安慰剂（外观相同但不含有效成分的对照）。")
    elif trial.study_type not in STUDY_TYPE_ZH:
        sentences.append("注册信息中没有列出研究使用的治疗或干预。")
    if trial.allocation in ALLOCATION_ZH and trial.study_type != "OBSERVATIONAL":
        sentences.append(ALLOCATION_ZH[trial.allocation])
    if trial.masking in MASKING_ZH and trial.study_type != "OBSERVATIONAL":
        sentences.append(MASKING_ZH[trial.masking])
    return "".join(sentences)


def _age_zh(value: str) -> str:
    number, _, unit = value.partition(" ")
    unit_zh = {"Years": "岁", "Year": "岁", "Months": "个月", "Month": "个月", "Weeks": "周"}
    unit_zh.update({"Week": "周", "Days": "天", "Day": "天"})
    return f"{number} {unit_zh[unit]}" if unit in unit_zh else value


def _who(trial) -> str:
    minimum = trial.minimum_age if trial.minimum_age.upper() != "N/A" else ""
    maximum = trial.maximum_age if trial.maximum_age.upper() != "N/A" else ""
    if minimum and maximum:
        age = f"年龄 {_age_zh(minimum)}到 {_age_zh(maximum)}"
    elif minimum:
        age = f"年龄 {_age_zh(minimum)}及以上"
    elif maximum:
        age = f"年龄 {_age_zh(maximum)}及以下"
    else:
        age = "注册信息没有写年龄限制"
    sex = {"ALL": "男女均可", "FEMALE": "仅限女性", "MALE": "仅限男性"}.get(trial.sex, "")
    parts = [age] + ([sex] if sex else [])
    sentence = f"招募对象：{'，'.join(parts)}。"
    if trial.conditions:
        conditions = list(dict.fromkeys(_condition_zh(c) for c in trial.conditions))
        sentence += f"研究针对的疾病：{_join(conditions)}。"
    if trial.healthy_volunteers is True:
        sentence += "这项研究也接受健康志愿者。"
    if trial.enrollment is not None:
        if trial.enrollment_type == "ACTUAL":
            sentence += f"实际入组 {trial.enrollment} 人。"
        elif trial.enrollment_type == "ESTIMATED":
            sentence += f"计划招募 {trial.enrollment} 人。"
        else:
            sentence += f"招募人数：{trial.enrollment} 人。"
    sentence += "具体的纳入和排除标准请逐条与医生确认。"
    return sentence


def _where(trial) -> str:
    locations = list(trial.locations.all()) if trial.pk else []
    if not locations:
        return "注册信息中没有列出研究地点。"
    countries = list(dict.fromkeys(loc.country for loc in locations if loc.country))
    countries_zh = [country_name(country, "zh-hans") for country in countries]
    sentence = f"研究地点：共 {len(locations)} 个"
    if countries_zh:
        sentence += f"，分布在{_join(countries_zh)}"
    sentence += "。"
    china = [loc for loc in locations if loc.country in ("China", "People's Republic of China")]
    if china:
        cities = list(dict.fromkeys(loc.city for loc in china if loc.city))
        if cities:
            shown = _join(cities[:MAX_CITIES])
            more = f"等 {len(cities)} 个城市" if len(cities) > MAX_CITIES else ""
            sentence += f"在中国的研究地点位于：{shown}{more}（城市名按注册信息原文）。"
    return sentence


def _when(trial, today: dt.date) -> str:
    sentences = []
    if trial.start_date:
        when = _date_zh(trial.start_date)
        past = _is_past(trial.start_date, today)
        if trial.start_date_type == "ACTUAL":
            sentences.append(f"研究已于{when}开始。")
        elif trial.start_date_type == "ESTIMATED":
            if past:
                sentences.append(
                    f"研究原计划于{when}开始（这个日期已过，注册信息尚未更新为实际日期）。"
                )
            else:
                sentences.append(f"研究计划于{when}开始。")
        else:
            sentences.append(f"开始时间：{when}（注册信息未说明是计划还是实际日期）。")
    for value, kind, label in (
        (trial.primary_completion_date, trial.primary_completion_date_type, "主要结果数据收集"),
        (trial.completion_date, trial.completion_date_type, "全部研究"),
    ):
        if not value:
            continue
        when = _date_zh(value)
        if kind == "ACTUAL":
            sentences.append(f"{label}已于{when}完成。")
        elif kind == "ESTIMATED":
            if _is_past(value, today):
                sentences.append(
                    f"{label}原计划于{when}完成（这个日期已过，注册信息尚未更新为实际日期）。"
                )
            else:
                sentences.append(f"{label}预计于{when}完成。")
        else:
            sentences.append(f"{label}完成时间：{when}（注册信息未说明是计划还是实际日期）。")
    if not sentences:
        sentences.append("注册信息中没有写研究的起止时间。")
    status = STATUS_ZH.get(trial.overall_status)
    if status:
        sentences.append(f"目前状态：{status}。")
    return "".join(sentences)


def _phase(trial) -> str:
    phases = tuple(trial.phases or [])
    if not phases:
        return ""
    meaning = PHASE_MEANING_ZH.get(phases)
    if meaning:
        return meaning
    names = [PHASE_NAME_ZH.get(phase, phase) for phase in phases]
    return f"研究分期：{'/'.join(names)}。"


def _source(trial) -> str:
    checked = ""
    if trial.record_date:
        checked = f"，核对日期 {PartialDate(trial.record_date.year, trial.record_date.month, trial.record_date.day).format('zh-hans')}"
    return f"{AUTOMATIC_NOTE}信息来源：ClinicalTrials.gov {trial.nct_id}{checked}。"


def plain_summary(trial, *, today: dt.date) -> Summary:
    """Paragraphs: what is tested, who can join, where, how long, what the phase means, source."""
    paragraphs = [_tested(trial), _who(trial), _where(trial), _when(trial, today), _phase(trial)]
    paragraphs.append(_source(trial))
    return Summary(paragraphs_zh=[paragraph for paragraph in paragraphs if paragraph])
