"""Find what a handbook page says about registered trials, claim by claim.

A brochure written in 2019 says "this trial is recruiting and should finish in January 2022";
the registry may say otherwise today. Before anything can be compared, each such claim has to
be found, pinned to the exact words that make it (so an editor sees what to change) and
turned into the registry's own vocabulary (`RECRUITING`, `PHASE1`, ISO partial dates, the
registry's English country names), so the comparison is a plain equality check against a
`trials.records.TrialRecord`.

This module is pure text processing: no models, no database, no network. Rules are small
regular expressions with named groups plus lookup tables, one set per language, so a new
phrasing is a new table row rather than a new special case.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from core.countries import demonyms_en, prose_names
from core.identifiers import find_all
from core.vocabulary import number_words, phase_numerals

KINDS = (
    "status",
    "start_date",
    "completion_date",
    "results",
    "enrollment",
    "phase",
    "location",
    "design",
    "intervention",
    "sponsor",
)


@dataclass(frozen=True)
class Statement:
    """One claim about one trial: where it is in which paragraph, and what it asserts.

    `claimed` uses the registry's normalised vocabulary so it can be compared with a
    TrialRecord without knowing which language the page was written in; a key whose value
    the text does not say is None rather than a guess.
    """

    nct_id: str
    kind: str
    claim_text: str
    start: int
    end: int
    claimed: dict
    language: str
    paragraph: int = 0


def extract_statements(paragraphs: list[str], *, language: str) -> list[Statement]:
    """All claims about trials in a page's paragraphs, in reading order.

    A claim belongs to the trial its sentence cites; failing that, to the trial cited
    elsewhere in the same paragraph (the nearest earlier one, else the first later one); failing
    that, to the last trial cited in an earlier paragraph, because brochures often continue
    a trial's story in the next paragraph ("本试验…"). Claims found before any trial is
    cited are about treatments in general and are dropped.
    """
    rules = _rules_for(language)
    statements: list[Statement] = []
    carried: str | None = None
    for index, text in enumerate(paragraphs):
        cited = [(m.start, m.trial_id.value) for m in find_all(text, registries=("NCT",))]
        found: list[Statement] = []
        for s_start, s_end in _sentences(text, language):
            nct_id = _trial_for(cited, s_start, s_end, carried)
            if nct_id is None:
                continue
            sentence = text[s_start:s_end]
            for rule in rules:
                for match in rule.pattern.finditer(sentence):
                    claimed = rule.build(match, sentence)
                    if claimed is None:
                        continue
                    start, end = match.span(rule.group)
                    found.append(
                        Statement(
                            nct_id=nct_id,
                            kind=rule.kind,
                            claim_text=text[s_start + start : s_start + end],
                            start=s_start + start,
                            end=s_start + end,
                            claimed=claimed,
                            language=language,
                            paragraph=index,
                        )
                    )
        statements.extend(_merge(found, text))
        if cited:
            carried = cited[-1][1]
    return statements


def sentence_span(text: str, position: int, *, language: str) -> tuple[int, int]:
    """The [start, end) of the sentence of `text` that contains `position`."""
    for start, end in _sentences(text, language):
        if start <= position < end:
            return start, end
    return 0, len(text)


def _trial_for(
    cited: list[tuple[int, str]], start: int, end: int, carried: str | None
) -> str | None:
    """The trial a sentence spanning [start, end) of its paragraph is about."""
    inside = [nct for pos, nct in cited if start <= pos < end]
    if inside:
        return inside[0]
    before = [nct for pos, nct in cited if pos < start]
    if before:
        return before[-1]
    if cited:
        return cited[0][1]
    return carried


_ZH_SENTENCE_END = re.compile(r"[。！？!?]+[”」』）)]*")
_EN_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)[.!?]+[\"'’”)]*(?=\s|$)")


def _sentences(text: str, language: str) -> list[tuple[int, int]]:
    """Sentence spans, so a claim is attributed to the trial its own sentence names."""
    ender = _ZH_SENTENCE_END if _is_zh(language) else _EN_SENTENCE_END
    spans, start = [], 0
    for match in ender.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


_MERGEABLE = {"design", "intervention"}
_JOINER = re.compile(r"^[\s、，,/和及与-]*(?:and\s*)?$")


def _merge(found: list[Statement], text: str) -> list[Statement]:
    """Join pieces of one description ("随机、双盲", "autologous fat") into one claim.

    Design and intervention facts are written as runs of adjacent adjectives; the registry
    stores them together, so one run is one claim. Two rules that find the same value in
    overlapping words make one claim spanning both.
    """
    found = sorted(found, key=lambda s: (s.start, -s.end, s.kind))
    merged: list[Statement] = []
    for statement in found:
        target = next(
            (
                m
                for m in reversed(merged)
                if m.kind == statement.kind
                and m.nct_id == statement.nct_id
                and (
                    (m.claimed == statement.claimed and statement.start < m.end)
                    or (
                        statement.kind in _MERGEABLE
                        and _compatible(m.claimed, statement.claimed)
                        and (
                            statement.start <= m.end or _JOINER.match(text[m.end : statement.start])
                        )
                    )
                )
            ),
            None,
        )
        if target is None:
            merged.append(statement)
            continue
        start, end = min(target.start, statement.start), max(target.end, statement.end)
        merged[merged.index(target)] = Statement(
            nct_id=target.nct_id,
            kind=target.kind,
            claim_text=text[start:end],
            start=start,
            end=end,
            claimed={**target.claimed, **statement.claimed},
            language=target.language,
            paragraph=target.paragraph,
        )
    return merged


def _compatible(a: dict, b: dict) -> bool:
    return all(a[key] == b[key] for key in a.keys() & b.keys())


@dataclass(frozen=True)
class _Rule:
    """A pattern for one kind of claim; `build` returns the claimed value or None to skip."""

    kind: str
    pattern: re.Pattern
    build: Callable[[re.Match, str], dict | None]
    group: int | str = 0


def _is_zh(language: str) -> bool:
    return language.lower().startswith("zh")


def _rules_for(language: str) -> list[_Rule]:
    if _is_zh(language):
        return ZH_RULES
    if language.lower().startswith("en"):
        return EN_RULES
    raise ValueError(f"no extraction rules for language {language!r}: use 'zh-hans' or 'en'")


def _iso(year: str, month: int | None = None, day: str | None = None) -> str | None:
    """An ISO partial date at the precision written, or None for an impossible date."""
    try:
        dt.date(int(year), month or 1, int(day) if day else 1)
    except ValueError:
        return None
    if month is None:
        return f"{int(year):04d}"
    if not day:
        return f"{int(year):04d}-{month:02d}"
    return f"{int(year):04d}-{month:02d}-{int(day):02d}"


def _any(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


# Registry country names (ClinicalTrials.gov spelling) by how prose names them, phase numerals
# and number words: all from the shared vocabulary (`core`). "a", "an", "single" and 单 count
# one site ("at a single centre", 单中心) without being numbers.
COUNTRIES_ZH = prose_names("zh-hans")
COUNTRIES_EN = prose_names("en")
DEMONYMS_EN = demonyms_en()
_ONE_OF = {"单": 1, "a": 1, "an": 1, "a single": 1, "single": 1}
SMALL_NUMBERS = {
    **number_words("zh-hans", up_to=10),
    **number_words("en", up_to=10),
    **_ONE_OF,
}
PHASES = phase_numerals()
SOURCES = {
    "脐带血": "umbilical cord",
    "脐带": "umbilical cord",
    "骨髓": "bone marrow",
    "脂肪组织": "adipose",
    "脂肪": "adipose",
    "胎盘": "placenta",
    "umbilical cord": "umbilical cord",
    "umbilical-cord": "umbilical cord",
    "cord": "umbilical cord",
    "bone marrow": "bone marrow",
    "bone-marrow": "bone marrow",
    "adipose tissue": "adipose",
    "adipose": "adipose",
    "fat tissue": "adipose",
    "fat": "adipose",
    "placenta": "placenta",
    "placental": "placenta",
}
MASKING_ZH = {
    "开放标签": "NONE",
    "开放性": "NONE",
    "开放式": "NONE",
    "非盲": "NONE",
    "单盲": "SINGLE",
    "双盲": "DOUBLE",
    "三盲": "TRIPLE",
    "四盲": "QUADRUPLE",
}
MASKING_EN = {
    "open-label": "NONE",
    "open label": "NONE",
    "unblinded": "NONE",
    "single-blind": "SINGLE",
    "single blind": "SINGLE",
    "double-blind": "DOUBLE",
    "double blind": "DOUBLE",
    "triple-blind": "TRIPLE",
    "quadruple-blind": "QUADRUPLE",
}

_ZH_PLAN = re.compile(r"原计划|原定|计划|预计|预期|估计|拟|将|会")
_EN_PLAN = re.compile(
    r"\b(?:will|plan(?:s|ned)?|expect(?:s|ed)?|schedul(?:e|es|ed)|anticipat(?:e|es|ed)|due|aims?|"
    r"intend(?:s|ed)?|hopes?|should|estimated|set to)\b",
    re.I,
)
_EN_ONGOING = re.compile(
    r"\b(?:is|are)\s+(?:currently\s+|now\s+|still\s+)?\w+ing\b|\bcurrently\b", re.I
)
_EN_PAST = re.compile(r"\b(?:was|were|has been|have been|had been)\b", re.I)


def _date_type_zh(mods: str, after: str) -> str | None:
    if _ZH_PLAN.search(mods):
        return "ESTIMATED"
    if "已" in mods or after.startswith("了"):
        return "ACTUAL"
    return None


def _date_type_en(mods: str, verb: str) -> str | None:
    if _EN_PLAN.search(mods):
        return "ESTIMATED"
    if _EN_PAST.search(mods) or verb.lower().endswith(("ed", "began", "begun")):
        return "ACTUAL"
    return None


# Chinese rules.

_ZH_DATE = (
    r"(?P<year>(?:19|20)\d{2})\s*年(?:\s*(?P<month>\d{1,2})\s*月)?(?:\s*(?P<day>\d{1,2})\s*日)?"
)
_ZH_MODS = r"(?P<mods>(?:原计划|原定|计划|预计|预期|估计|将会|将|拟|会|已经|已|于|在)*)"
_ZH_COUNTRY = _any(COUNTRIES_ZH)
_ZH_SITES = (
    r"(?P<sites>一地|一处|(?P<n>\d+|"
    + _any(word for word in SMALL_NUMBERS if not word.isascii())
    + r")\s*(?:个|家|所|处)?\s*"
    r"(?:地点|中心|研究中心|医院|研究点|临床中心|站点))"
)


def _zh_date(match: re.Match, sentence: str) -> dict | None:
    month = match.group("month")
    iso = _iso(match.group("year"), int(month) if month else None, match.group("day"))
    if iso is None:
        return None
    after = sentence[match.end() :]
    return {"date": iso, "date_type": _date_type_zh(match.group("mods"), after)}


def _zh_enrollment(match: re.Match, sentence: str) -> dict:
    before = sentence[: match.start()]
    qualifier = match.groupdict().get("qual") or ""
    mods = match.groupdict().get("mods") or ""
    if (
        _ZH_PLAN.search(mods)
        or qualifier in {"多达", "最多", "至多"}
        or re.search(r"正在|目前|将|计划|预计|拟", before + mods)
    ):
        kind = "ESTIMATED"
    elif match.groupdict().get("le") or qualifier in {"共", "总共", "共计"}:
        kind = "ACTUAL"
    else:
        kind = None
    return {"count": int(match.group("count")), "enrollment_type": kind}


def _sites(match: re.Match) -> int | None:
    if not match.groupdict().get("sites"):
        return None
    n = match.group("n")
    if n is None:
        return 1
    return int(n) if n.isdigit() else SMALL_NUMBERS.get(n.lower())


def _zh_countries(names: str) -> list[str]:
    found = re.findall(_ZH_COUNTRY, names)
    return list(dict.fromkeys(COUNTRIES_ZH[name] for name in found))


def _zh_phase(match: re.Match, _sentence: str) -> dict:
    phases = [PHASES[match.group("a")]]
    if match.group("b"):
        phases.append(PHASES[match.group("b")])
    return {"phases": sorted(set(phases))}


def _zh_intervention(match: re.Match, _sentence: str) -> dict | None:
    origin = match.group("origin") or ""
    if not (match.group("verb") or match.group("verb2") or origin):
        return None
    claimed = {"source": SOURCES[match.group("source")]}
    if origin:
        claimed["origin"] = "ALLOGENEIC" if "异体" in origin else "AUTOLOGOUS"
    return claimed


_ZH_PHASE_TOKEN = _any(PHASES)
_ZH_RESULTS_NOUN = r"(?:试验|研究|实验|临床)?(?:结果|数据)"

ZH_RULES = [
    _Rule(
        "status",
        re.compile(
            r"正在(?:进行)?招募|招募(?:进行)?中|(?<!将)(?<!预计)在[^，。；将]{1,12}?进行招募"
        ),
        lambda m, s: {"status": "RECRUITING"},
    ),
    _Rule(
        "status",
        re.compile(r"尚未(?:开始)?招募|(?:预计|将|计划)[^，。；]{0,20}?开始招募"),
        lambda m, s: {"status": "NOT_YET_RECRUITING"},
    ),
    _Rule(
        "status",
        re.compile(r"正在(?:评估|测试|考察|检验|进行中|开展中)"),
        lambda m, s: {"status_group": "ONGOING"},
    ),
    _Rule(
        "status",
        re.compile(r"(?:已经|已)(?:提前)?终止"),
        lambda m, s: {"status": "TERMINATED"},
    ),
    _Rule(
        "status",
        re.compile(r"(?:试验|研究)(?:已经|已)(?:完成|结束)(?!招募|入组)"),
        lambda m, s: {"status": "COMPLETED"},
    ),
    _Rule(
        "completion_date",
        re.compile(
            _ZH_MODS
            + r"\s*"
            + _ZH_DATE
            + r"\s*(?:前|左右|底)?\s*(?:完成|结束|完结)(?!招募|入组|患者|受试者|首例)"
        ),
        _zh_date,
    ),
    _Rule(
        "start_date",
        re.compile(
            _ZH_MODS
            + r"\s*"
            + _ZH_DATE
            + r"(?P<mid>[^，。；\d]{0,12}?)(?:开始(?:招募|入组)?|启动|开展|首次入组)"
        ),
        _zh_date,
    ),
    _Rule(
        "results",
        re.compile(
            r"(?:目前|迄今|至今|当前)?\s*(?:"
            + _ZH_RESULTS_NOUN
            + r"(?:尚|仍|还)?(?:未|没有)(?:被)?(?:公布|发布|公开)"
            + r"|(?:尚|仍|还)?(?:未|没有)(?:公布|发布|公开)(?:任何)?"
            + _ZH_RESULTS_NOUN
            + r"|(?:无|没有)(?:任何)?"
            + _ZH_RESULTS_NOUN
            + r"(?:公布|发布|公开))"
        ),
        lambda m, s: {"results_posted": False},
    ),
    _Rule(
        "results",
        re.compile(
            _ZH_RESULTS_NOUN
            + r"(?:已经|已)(?:公布|公开)|(?:已经|已)(?:公布|公开)(?:了)?"
            + _ZH_RESULTS_NOUN
        ),
        lambda m, s: {"results_posted": True},
    ),
    _Rule(
        "enrollment",
        re.compile(
            r"(?P<mods>(?:计划|预计|将|拟|正在|目前)*)(?:招募|招收|入组|纳入|募集)(?P<le>了)?的?\s*"
            r"(?P<qual>多达|最多|至多|约|大约|共计|总共|共)?\s*(?P<count>\d+)\s*(?:名|位|例|人)"
            r"(?:患者|志愿者|受试者|参与者|病人)?"
        ),
        _zh_enrollment,
    ),
    _Rule(
        "enrollment",
        re.compile(
            r"在\s*(?P<qual>多达|约)?\s*(?P<count>\d+)\s*(?:名|位|例)[^，。；]{0,30}?"
            r"(?:患者|受试者|志愿者|参与者)中"
        ),
        _zh_enrollment,
    ),
    _Rule(
        "phase",
        re.compile(
            r"(?<![A-Za-z0-9第同])(?P<a>"
            + _ZH_PHASE_TOKEN
            + r")\s*[ab]?\s*(?:[/／、~-]\s*(?P<b>"
            + _ZH_PHASE_TOKEN
            + r")\s*[ab]?)?\s*期(?=[^，。；]{0,8}?(?:试验|研究))"
        ),
        _zh_phase,
    ),
    _Rule(
        "location",
        re.compile(
            r"在(?P<countries>(?:"
            + _ZH_COUNTRY
            + r")(?:[和、及与](?:"
            + _ZH_COUNTRY
            + r"))*)(?:的)?(?:"
            + _ZH_SITES
            + r"|(?:进行|开展|实施)|(?=开始|招募|入组))"
        ),
        lambda m, s: {"countries": _zh_countries(m.group("countries")), "site_count": _sites(m)},
    ),
    _Rule(
        "location",
        re.compile(r"(?P<countries>" + _ZH_COUNTRY + r")的?一项"),
        lambda m, s: {"countries": _zh_countries(m.group("countries")), "site_count": None},
    ),
    _Rule(
        "location",
        re.compile(r"单中心|单一中心"),
        lambda m, s: {"countries": [], "site_count": 1},
    ),
    _Rule(
        "design",
        re.compile(
            r"非随机|(?<!非)随机(?:化)?(?=[、，,\s]|对照|双盲|单盲|三盲|开放|分组|临床|试验|研究|的|[IⅠ]|[1-4一二三四]期)"
        ),
        lambda m, s: {"allocation": "NON_RANDOMIZED" if m.group(0) == "非随机" else "RANDOMIZED"},
    ),
    _Rule(
        "design",
        re.compile(
            r"(?:"
            + _any(MASKING_ZH)
            + r")(?=[、，,\s的]|标签|对照|随机|临床|试验|研究|[IⅠ]|[1-4一二三四]期)"
        ),
        lambda m, s: {"masking": MASKING_ZH[m.group(0)]},
    ),
    _Rule(
        "intervention",
        re.compile(
            r"(?P<verb>从|取自|来自|来源于|源自)?(?P<origin>同种异体|异体|自体|患者自身的?|自身的?)?"
            r"(?P<source>"
            + _any(s for s in SOURCES if not s.isascii())
            + r")(?:中)?(?P<verb2>获得|获取|提取|分离)?"
        ),
        _zh_intervention,
    ),
    _Rule(
        "intervention",
        re.compile(r"同种异体|(?<!同种)异体|自体(?!免疫)"),
        lambda m, s: {"origin": "ALLOGENEIC" if "异体" in m.group(0) else "AUTOLOGOUS"},
    ),
    _Rule(
        "sponsor",
        re.compile(r"由(?P<name>[^，。；、]{2,30}?)(?:发起|主办|资助|申办|牵头)"),
        lambda m, s: {"name": m.group("name").strip()},
    ),
]


# English rules.

_EN_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_EN_MONTH_NAMES.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_EN_MONTH = _any(n.capitalize() for n in _EN_MONTH_NAMES)
_EN_DATE = (
    r"(?:(?P<month>" + _EN_MONTH + r")\.?\s+(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+)?"
    r"(?P<year>(?:19|20)\d{2})|(?P<yonly>(?:19|20)\d{2}))"
)
_EN_MODS = (
    r"(?P<mods>(?:(?:is|are|was|were|has|have|had|been|be|being|originally|initially|currently|"
    r"now|still|planned|expected|scheduled|anticipated|due|set|estimated|will|should|"
    r"to)\s+)*)"
)
_EN_COUNTRY = _any(COUNTRIES_EN)
_EN_COUNTRIES = (
    r"(?P<countries>(?:"
    + _EN_COUNTRY
    + r")(?:(?:,\s*|\s+and\s+|\s+or\s+)(?:"
    + _EN_COUNTRY
    + r"))*)\b"
)
_EN_SITES = (
    r"(?P<sites>(?P<n>"
    + _any(word for word in SMALL_NUMBERS if word.isascii())
    + r"|\d+)\s+(?:sites?|centres?|centers?|locations?|hospitals?|clinics?))"
)


def _en_date(match: re.Match, sentence: str) -> dict | None:
    year = match.group("year") or match.group("yonly")
    month = _EN_MONTH_NAMES.get((match.group("month") or "").lower())
    iso = _iso(year, month, match.group("day"))
    if iso is None:
        return None
    return {"date": iso, "date_type": _date_type_en(match.group("mods"), match.group("verb"))}


def _en_countries(names: str) -> list[str]:
    found = re.findall(_EN_COUNTRY, names)
    return list(dict.fromkeys(COUNTRIES_EN[name] for name in found))


def _en_enrollment(match: re.Match, sentence: str) -> dict:
    qualifier = (match.groupdict().get("qual") or "").lower()
    verb = (match.groupdict().get("verb") or "").lower()
    before = sentence[: match.start()]
    if (
        _EN_PLAN.search(match.groupdict().get("mods") or "")
        or qualifier in {"up to", "as many as"}
        or verb.endswith("ing")
        or _EN_PLAN.search(before)
        or _EN_ONGOING.search(before)
    ):
        kind = "ESTIMATED"
    elif verb.endswith("ed") or qualifier == "a total of":
        kind = "ACTUAL"
    else:
        kind = None
    return {"count": int(match.group("count")), "enrollment_type": kind}


def _en_studied_in(match: re.Match, sentence: str) -> dict | None:
    """ "Evaluating X in 20 patients" states the trial's size; "improved in 3 patients" does not."""
    if not _EN_STUDY_VERB.search(sentence[: match.start()]):
        return None
    return _en_enrollment(match, sentence)


_EN_STUDY_VERB = re.compile(r"\b(?:evaluat|assess|test|investigat|stud(?:y|ies|ying))\w*\b", re.I)


def _en_phase(match: re.Match, _sentence: str) -> dict:
    phases = [PHASES[match.group("a").upper()]]
    if match.group("b"):
        phases.append(PHASES[match.group("b").upper()])
    return {"phases": sorted(set(phases))}


def _en_origin(word: str) -> str:
    return "ALLOGENEIC" if word.lower().startswith(("allo", "donor")) else "AUTOLOGOUS"


def _en_intervention(match: re.Match, _sentence: str) -> dict | None:
    origin = match.group("origin")
    if not (match.group("verb") or origin or match.group("derived")):
        return None
    claimed = {"source": SOURCES[re.sub(r"\s+", " ", match.group("source").lower())]}
    if origin:
        claimed["origin"] = _en_origin(origin)
    return claimed


_EN_PHASE_TOKEN = _any(numeral for numeral in PHASES if numeral.isascii())
_EN_SOURCE = _any(s for s in SOURCES if s.isascii())
_EN_ORIGIN = r"allogene?ic|autologous|donor|(?:the\s+)?patients?['’]?s?\s+own"
_EN_RESULTS_VERB = r"(?:posted|published|reported|released|made public|made available)"

EN_RULES = [
    _Rule(
        "status",
        re.compile(
            r"\b(?:is|are)\s+(?:currently\s+|now\s+|still\s+|actively\s+)?(?:recruiting|enrolling)\b"
            r"|\b(?:currently|now)\s+recruiting\b|\brecruitment\s+is\s+(?:ongoing|open)\b",
            re.I,
        ),
        lambda m, s: {"status": "RECRUITING"},
    ),
    _Rule(
        "status",
        re.compile(
            r"\bnot\s+yet\s+recruiting\b|\b(?:will|is\s+expected\s+to|plans\s+to)\s+"
            r"(?:start|begin)\s+(?:recruiting|enrolling)\b",
            re.I,
        ),
        lambda m, s: {"status": "NOT_YET_RECRUITING"},
    ),
    _Rule(
        "status",
        re.compile(
            r"\b(?:is|are)\s+(?:currently\s+|now\s+)?(?:evaluating|assessing|testing|investigating|"
            r"ongoing|under\s?way|still\s+running)\b",
            re.I,
        ),
        lambda m, s: {"status_group": "ONGOING"},
    ),
    _Rule(
        "status",
        re.compile(r"\b(?:was|has\s+been)\s+(?:terminated|stopped\s+early)\b", re.I),
        lambda m, s: {"status": "TERMINATED"},
    ),
    _Rule(
        "status",
        re.compile(r"\b(?:was|has\s+been|is\s+now|has)\s+completed\b", re.I),
        lambda m, s: {"status": "COMPLETED"},
    ),
    _Rule(
        "completion_date",
        re.compile(
            _EN_MODS
            + r"(?P<verb>completed|complete|finished|finish|ended|end|concluded|conclude|close|closed)"
            r"\s+(?:in|by|on|around|at\s+the\s+end\s+of)\s+" + _EN_DATE,
            re.I,
        ),
        _en_date,
    ),
    _Rule(
        "start_date",
        re.compile(
            _EN_MODS + r"(?P<verb>started|start|began|begin|begun|launched|launch|opened|open)"
            r"(?:\s+(?:recruiting|enrolling|recruitment|enrolment|enrollment))?"
            r"(?:\s+[^.;,]{0,60}?)??\s+in\s+" + _EN_DATE,
            re.I,
        ),
        _en_date,
    ),
    _Rule(
        "results",
        re.compile(
            r"\bno\s+(?:study\s+|trial\s+)?results\s+(?:have|has)\s+(?:yet\s+)?been\s+(?:yet\s+)?"
            + _EN_RESULTS_VERB
            + r"|\bresults\s+(?:have|has)\s+not\s+(?:yet\s+)?been\s+"
            + _EN_RESULTS_VERB
            + r"|\b(?:has|have)\s+not\s+(?:yet\s+)?(?:posted|published|reported)\s+(?:any\s+)?results"
            r"|\bno\s+results\s+(?:are|were)\s+(?:yet\s+)?available",
            re.I,
        ),
        lambda m, s: {"results_posted": False},
    ),
    _Rule(
        "results",
        re.compile(r"\bresults\s+(?:have|has)\s+(?:already\s+)?been\s+posted\b", re.I),
        lambda m, s: (
            None if re.search(r"\bno\s*$", s[: m.start()], re.I) else {"results_posted": True}
        ),
    ),
    _Rule(
        "enrollment",
        re.compile(
            r"(?P<mods>\b(?:will|plans?\s+to|aims?\s+to|expects?\s+to|is\s+expected\s+to|hopes?\s+to|"
            r"intends?\s+to)\s+)?\b(?P<verb>recruit(?:ing|ed|s)?|enrol(?:l)?(?:ing|ed|s)?|"
            r"includ(?:e|es|ed|ing))\s+(?P<qual>up\s+to|as\s+many\s+as|about|around|"
            r"approximately|some|a\s+total\s+of)?\s*(?P<count>\d+)\s+(?:[\w-]+\s+){0,3}?"
            r"(?:patients|participants|people|volunteers|subjects|adults|children)\b",
            re.I,
        ),
        _en_enrollment,
    ),
    _Rule(
        "enrollment",
        re.compile(
            r"\b(?P<qual>up\s+to|as\s+many\s+as)\s+(?P<count>\d+)\s+(?:[\w-]+\s+){0,3}?"
            r"(?:patients|participants|people|volunteers|subjects|adults|children)\b",
            re.I,
        ),
        _en_enrollment,
    ),
    _Rule(
        "enrollment",
        re.compile(
            r"\bin\s+(?P<count>\d+)\s+(?:[\w-]+\s+){0,4}?(?:patients|participants|volunteers|subjects)\b",
            re.I,
        ),
        _en_studied_in,
    ),
    _Rule(
        "phase",
        re.compile(
            r"\bphase\s+(?P<a>" + _EN_PHASE_TOKEN + r")[ab]?"
            r"(?:\s*(?:/|-|–|and|or)\s*(?:phase\s+)?(?P<b>" + _EN_PHASE_TOKEN + r")[ab]?)?\b",
            re.I,
        ),
        _en_phase,
    ),
    _Rule(
        "location",
        re.compile(
            r"\b(?:at|in|from)\s+" + _EN_SITES + r"\s+(?:in|across)\s+" + _EN_COUNTRIES, re.I
        ),
        lambda m, s: {"countries": _en_countries(m.group("countries")), "site_count": _sites(m)},
    ),
    _Rule(
        "location",
        re.compile(
            r"\b(?:conducted|run|running|recruiting|enrolling|taking\s+place|carried\s+out|held|"
            r"based|under\s?way|ongoing)\s+(?:[\w-]+\s+){0,6}?in\s+" + _EN_COUNTRIES,
        ),
        lambda m, s: {"countries": _en_countries(m.group("countries")), "site_count": None},
    ),
    _Rule(
        "location",
        re.compile(
            r"\b(?:[Aa]n?|[Tt]he|[Tt]his)\s+(?P<demonym>" + _any(DEMONYMS_EN) + r")\b"
            r"(?=[^.]{0,60}?\b(?:trial|study)\b)"
        ),
        lambda m, s: {"countries": [DEMONYMS_EN[m.group("demonym")]], "site_count": None},
        group="demonym",
    ),
    _Rule(
        "location",
        re.compile(r"\bsingle[- ](?:centre|center|site)\b", re.I),
        lambda m, s: {"countries": [], "site_count": 1},
    ),
    _Rule(
        "design",
        re.compile(r"\b(?:non-?randomi[sz]ed|randomi[sz]ed)\b", re.I),
        lambda m, s: {
            "allocation": "NON_RANDOMIZED" if m.group(0).lower().startswith("non") else "RANDOMIZED"
        },
    ),
    _Rule(
        "design",
        re.compile(r"\b(?:" + _any(MASKING_EN) + r")(?:ed)?\b", re.I),
        lambda m, s: {"masking": MASKING_EN[re.sub(r"ed$", "", m.group(0).lower())]},
    ),
    _Rule(
        "intervention",
        re.compile(
            r"(?:\b(?P<verb>(?:derived|taken|obtained|harvested|isolated|collected)\s+from|from)\s+"
            r"(?:the\s+)?)?(?:\b(?P<origin>"
            + _EN_ORIGIN
            + r")\s+)?\b(?P<source>"
            + _EN_SOURCE
            + r")"
            r"(?P<derived>[- ]derived)?\b",
            re.I,
        ),
        _en_intervention,
    ),
    _Rule(
        "intervention",
        re.compile(r"\b(?:allogene?ic|autologous)\b", re.I),
        lambda m, s: {"origin": _en_origin(m.group(0))},
    ),
    _Rule(
        "sponsor",
        re.compile(
            r"\b(?:sponsored|funded|led)\s+by\s+(?P<name>(?:the\s+)?[A-Z][^,.;()]{2,60}?)(?=[,.;()]|$)"
        ),
        lambda m, s: {"name": m.group("name").strip()},
    ),
]

__all__ = ["KINDS", "Statement", "extract_statements", "sentence_span"]
