"""Eligibility criteria: split the registry's text, parse what can be parsed, assess a patient.

The registry writes criteria as free English text in many layouts (legacy XML text blocks with
"  -  " bullets and hard wraps, Markdown "* " lists, numbered lists, no headers at all). This
module turns that text into `Criterion` values that keep each original sentence, and gives a
criterion a `Rule` only when the sentence can be read without guessing. Everything else is
shown to the patient as "需要医生确认" (needs a doctor to check).

How a sentence is read. Small matchers find *atoms* in it (an age bound, an mRSS range, a
named therapy, pregnancy, an organ, an SSc subtype…). What the matchers did not consume is the
*residue*. The residue decides how far the atoms can be trusted:

- nothing meaningful left → the atoms are the whole criterion;
- words left but no "or" → the atoms are necessary parts of a conjunction: a failed atom
  decides the criterion, a satisfied one does not ("partial");
- "or" / "including" / "such as" left and nothing that could re-attach qualifiers → the atoms
  are alternatives: a satisfied atom decides, a failed one does not;
- a negation we did not consume, an unparsed comparison ("and less than 40 yr"), "or" mixed
  with clauses and qualifiers, a condition on some patients ("Patients 36 to 55 years of age
  must have…") or a sentence that runs on into the next item ("… or;") → no rule.

Layout is read the same cautious way: wrapped lines are joined, nested items stay with their
parent, headings ("Hematopoietic:") are dropped, and anything under a label that narrows who
it is about ("For parent participants:", "DONOR:", "Inclusion Criteria Stage 1") gets no rule.
Text without inclusion/exclusion headers is listed as inclusion, and only age, SSc diagnosis
and explicitly negated sentences ("No pregnant or nursing women") get rules there.

Truth values are three-valued (Kleene): an unanswered question or an unknowable fact is `None`
and stays `None` through "and"/"or"; only definite facts give MET / NOT_MET. The patient's
tick boxes (organs, treatments) only ever say "yes": an unticked box is not a "no"; a therapy
named without a time counts only if the patient takes it now.

Reasons are produced here in both Chinese and English at once (not through gettext), because
the finder shows them side by side with whether each criterion is met, and they are data,
not interface text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from core.vocabulary import number_words
from finder.patient import Patient

INCLUSION = "inclusion"
EXCLUSION = "exclusion"
NEEDS_DOCTOR_ZH = "需要医生确认"
NEEDS_DOCTOR_EN = "Needs a doctor to check"
PARSE_CACHE_SIZE = 4096  # criteria texts kept parsed (a few MB)


class Fit(StrEnum):
    """From the patient's point of view: does this criterion stand in the way?

    Not called a verdict: that word belongs to freshness, where it judges a handbook statement
    against the registry; here it is one criterion against one patient's answers.
    """

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Rule:
    """What a criterion (or one part of it) asks, in a form code can check.

    `params` per kind — bounds are inclusive unless `min_inclusive` / `max_inclusive` is False:
    age {"min", "max"} in years; mrss / fvc / dlco {"min", "max"} in points / % predicted;
    disease_duration {"min_years" | "max_years", "from": "onset" | "diagnosis" | "unspecified"};
    subtype {"subtypes": [...], "any_ssc", "systemic"}; therapy {"therapies": [...], "when":
    "current" | "ever" | "any" (not said), "within_months", "min_dose_mg", "drug" (one named
    glucocorticoid, narrower than the tick box)}; pregnancy {"breastfeeding"};
    organ {"organ", "term", "narrower"}; sex {"sex"}; healthy_volunteers {"accepted"}.
    Read from text, a rule may also carry: "negated" (this atom is denied: "non-pregnant"),
    "clause_negated" (the whole sentence is denied: "No prior rituximab"), "also" (further
    atoms of the same sentence), "join" ("and" / "or"), "partial" (the sentence asks more) and
    "only_sex" (the sentence names one sex only: "women age ≥65 years" says nothing about men).
    """

    kind: str
    params: dict


@dataclass(frozen=True)
class Criterion:
    """One criterion as the registry wrote it (wrapped lines joined); rule None = unparsed."""

    text: str
    section: str
    rule: Rule | None


@dataclass(frozen=True)
class Assessment:
    criterion: Criterion
    fit: Fit
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class EligibilityResult:
    assessments: list[Assessment]
    definitely_excluded: bool
    exclusion_reasons_zh: list[str]
    exclusion_reasons_en: list[str]
    met: int
    not_met: int
    unknown: int


# --------------------------------------------------------------------------------------------
# Splitting the text into criteria
# --------------------------------------------------------------------------------------------

_BULLET = re.compile(
    r"^(?P<marker>[*\-•·▪◦●○‣⁃]|\d{1,3}[.)](?!\d)|\(\d{1,3}\)|\(?[a-hj-z][.)]|\(?[ivx]{1,4}[.)])"
    r"\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_HEADER = re.compile(
    r"^(?:key\s+|main\s+|general\s+|major\s+|additional\s+)?"
    r"(?P<kind>non[-\s]?inclusion|inclusion|exclusion|eligibility|protocol\s+entry)"
    r"(?:\s+criteri(?:a|on))?\b(?P<rest>[^:]*?)\s*(?::\s*(?P<inline>.*))?$",
    re.IGNORECASE,
)
_TRAILING_HEADER = re.compile(
    r"^(?P<before>.*\S)\s+(?P<kind>inclusion|exclusion)\s+criteria\s*:?\s*$", re.IGNORECASE
)
_FOLLOWING_HEADER = re.compile(
    r"\bfollowing\s+(?P<kind>inclusion|exclusion)\s+criteri(?:a|on)\b|"
    r"^for\s+(?P<for>inclusion)\s+in\s+the\s+study\b.*criteria\s*:$",
    re.IGNORECASE,
)
_SCOPE_LABEL = re.compile(
    r"^(?:(?:for|in)\s+(?!all\b)(?P<who>[^:]{1,120})|(?:group|cohort|arm|part|stage)\b[^:]{0,30})"
    r":\s*(?P<inline>.*)$",
    re.IGNORECASE,
)
_OTHER_PERSON_LABEL = re.compile(
    r"^(?:[\w-]+\s+){0,2}(?:donors?|recipients?|parents?|caregivers?|carers?|partners?|"
    r"controls?|siblings?|healthy\s+volunteers?|volunteers?|(?:sub-?)?study|cohort|group|arm)"
    r"\s*:\s*(?P<inline>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_DECORATED_LABEL = re.compile(r"^-{2,}\s*[^-]{1,60}?\s*-{2,}$")
_INLINE_NUMBER = re.compile(r"(?<=[.;:])\s+(?P<n>\d{1,2})\.\s+(?=[A-Z(])")


@dataclass
class _Item:
    """One criterion as written, with what the layout around it says about it."""

    text: str
    section: str
    scoped: bool = False  # under a label such as "For parent participants:"
    headerless: bool = False  # the text never said which list this is


@dataclass
class _Node:
    indent: int
    lines: list[str]
    bullet: bool
    number: int | None = None
    children: list[_Node] | None = None

    def text(self) -> str:
        head = " ".join(self.lines)
        if self.children:
            head += "".join("\n- " + child.text() for child in self.children)
        return head


def _number_of(marker: str) -> int | None:
    digits = re.sub(r"\D", "", marker)
    return int(digits) if digits else None


def _header_of(text: str) -> tuple[str | None, bool, str, bool] | None:
    """(section or None if neutral, scoped, inline text, is a preamble) when `text` is a header.

    A preamble ("Subjects who meet any of the following exclusion criteria are not to be
    enrolled…") is a sentence that works as a header; its wrapped lines belong to it.
    """
    stripped = text.strip().strip("*_").strip()
    match = _HEADER.match(stripped)
    if match and (match.group("inline") is not None or len(stripped.split()) <= 8):
        kind = match.group("kind").lower()
        rest = (match.group("rest") or "").strip(" -–()")
        if len(rest.split()) <= 4 and not re.search(r"[.;]", rest):
            if kind == "exclusion" or kind.startswith("non"):
                section = EXCLUSION
            elif kind == "inclusion":
                section = INCLUSION
            else:
                section = None
            if "criteri" not in stripped.lower() and match.group("inline") is None:
                return None
            return section, bool(rest), (match.group("inline") or "").strip(), False
    match = _FOLLOWING_HEADER.search(stripped)
    if match and len(stripped) < 200:
        kind = (match.group("kind") or match.group("for") or "").lower()
        return (EXCLUSION if kind == "exclusion" else INCLUSION), False, "", True
    return None


def _is_label(text: str) -> bool:
    """A heading such as "Hematopoietic:" or "--Disease Characteristics--": not a criterion."""
    stripped = text.strip()
    if _DECORATED_LABEL.match(stripped):
        return True
    if not stripped.endswith(":") or "\n" in stripped:
        return False
    if re.match(r"^(?:for|in)\s", stripped, re.IGNORECASE):
        return len(stripped.split()) <= 15
    return len(stripped.split()) <= 6 and not re.search(r"\d", stripped)


def _split_inline_numbers(text: str, first: int | None) -> list[str]:
    """ "1. Age less than 40 years. 2. No KPNC medication…" written on one line, as items."""
    expected = (first or 0) + 1
    pieces, start = [], 0
    for match in _INLINE_NUMBER.finditer(text):
        if int(match.group("n")) != expected:
            continue
        pieces.append(text[start : match.start()].strip())
        start = match.end()
        expected += 1
    pieces.append(text[start:].strip())
    if first is None and len(pieces) > 1 and re.match(r"^1\.\s+", pieces[0]):
        pieces[0] = re.sub(r"^1\.\s+", "", pieces[0])
    return [piece for piece in pieces if piece]


def _nodes(text: str) -> list[_Node | tuple]:
    """Lines grouped into items; headers come out as ("header", section, scoped) tuples."""
    out: list[_Node | tuple] = []
    top: _Node | None = None
    current: _Node | None = None
    after_blank = False
    in_preamble = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(8).split("\n"):
        if not raw.strip():
            after_blank = True
            in_preamble = False
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        bullet = _BULLET.match(line)
        if in_preamble and not bullet:
            continue
        in_preamble = False
        body = bullet.group("rest") if bullet else line
        header = _header_of(body)
        if header is not None:
            section, scoped, inline, in_preamble = header
            out.append(("header", section, scoped))
            top = current = None
            after_blank = False
            if inline:
                first = re.match(r"^(\d{1,2})\.\s+", inline)
                if first:
                    inline = inline[first.end() :]
                node = _Node(indent, [inline], bullet=bool(first))
                node.number = int(first.group(1)) if first else None
                out.append(node)
                top = current = node
            continue
        if bullet:
            node = _Node(indent, [body], bullet=True, number=_number_of(bullet.group("marker")))
            if top is not None and top.bullet and indent > top.indent:
                top.children = (top.children or []) + [node]
            else:
                out.append(node)
                top = node
            current = node
        elif current is not None and not after_blank:
            current.lines.append(line)
        elif (
            current is not None
            and current.bullet
            and indent > current.indent
            and not _is_label(line)
        ):
            current.lines.append(line)
        else:
            node = _Node(indent, [line], bullet=False)
            out.append(node)
            top = current = node
        after_blank = False
    return out


def _items(text: str) -> list[_Item]:
    entries = _nodes(text or "")
    has_header = any(isinstance(entry, tuple) and entry[1] is not None for entry in entries) or any(
        isinstance(entry, _Node) and _TRAILING_HEADER.match(entry.text()) for entry in entries
    )
    section, scoped = INCLUSION, False
    items: list[_Item] = []
    for entry in entries:
        if isinstance(entry, tuple):
            _, new_section, scoped = entry
            section = new_section or section
            continue
        text = entry.text().strip()
        if not entry.bullet and not entry.children:
            trailing = _TRAILING_HEADER.match(text)
            if trailing and len(text) < 300:
                before = trailing.group("before").strip()
                section = EXCLUSION if trailing.group("kind").lower() == "exclusion" else INCLUSION
                scoped = bool(before)
                continue
        if _is_label(text):
            label = _SCOPE_LABEL.match(text)
            if label:
                scoped = True
            continue
        label = _SCOPE_LABEL.match(text) or _OTHER_PERSON_LABEL.match(text)
        item_scoped = scoped or bool(label and label.group("inline"))
        pieces = _split_inline_numbers(text, entry.number) if not entry.children else [text]
        for piece in pieces:
            items.append(_Item(piece, section, item_scoped, not has_header))
    return items


def split_criteria(text: str) -> tuple[list[str], list[str]]:
    """The criteria text as inclusion sentences and exclusion sentences, in their order.

    Without any header everything is listed as inclusion (the registry's default reading of an
    unheaded list); headings such as "Hematopoietic:" are not criteria and are left out.
    """
    inclusion, exclusion = [], []
    for item in _items(text):
        (exclusion if item.section == EXCLUSION else inclusion).append(item.text)
    return inclusion, exclusion


def parse_criteria(text: str) -> list[Criterion]:
    """Every criterion of the text, inclusion first, each with a rule when one is certain.

    Parsing depends on the text alone and costs from under a millisecond to ~200 ms for the
    longest texts, while assessing the parsed criteria for a patient costs well under one: the
    parsed criteria of recently seen texts are kept (values are immutable), so a trial's text
    is parsed once per process, not once per search. Nothing about the patient is cached.
    """
    return list(_parse_cached(text or ""))


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_cached(text: str) -> tuple[Criterion, ...]:
    return tuple(_parse_uncached(text))


def _parse_uncached(text: str) -> list[Criterion]:
    criteria = []
    for item in _items(text):
        rule = None
        if not item.scoped:
            rule = _parse_rule(item.text, headerless=item.headerless)
        criteria.append(Criterion(text=item.text, section=item.section, rule=rule))
    return sorted(criteria, key=lambda criterion: criterion.section != INCLUSION)


# --------------------------------------------------------------------------------------------
# Atoms: numbers, bounds and the things a sentence can ask for
# --------------------------------------------------------------------------------------------

_WORD_NUMBERS = number_words("en")
_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(_WORD_NUMBERS) + r")\b"
# Cheap tests run before the costly matchers: every pattern of a matcher needs these words, so
# a sentence without them cannot match it (the results are the same, only faster).
_HAS_NUMBER = re.compile(r"\d|" + "|".join(_WORD_NUMBERS), re.IGNORECASE)
_HAS_AGE_WORD = re.compile(r"age", re.IGNORECASE)
_HAS_AGE_UNIT = re.compile(r"year|yr|y/o|y\.o|month|week|day", re.IGNORECASE)
_HAS_YEARS = re.compile(r"year|yr", re.IGNORECASE)
_HAS_DURATION_UNIT = re.compile(r"year|yr|month", re.IGNORECASE)
_MIN_OPS = {
    "≥": True,
    ">=": True,
    "=>": True,
    "≧": True,
    "at least": True,
    "minimum of": True,
    "minimum": True,
    "no less than": True,
    "not less than": True,
    ">": False,
    "above": False,
    "over": False,
    "more than": False,
    "greater than": False,
    "higher than": False,
    "older than": False,
    "exceeding": False,
    "in excess of": False,
    "upper to": False,
}
_MAX_OPS = {
    "≤": True,
    "<=": True,
    "=<": True,
    "≦": True,
    "up to": True,
    "at most": True,
    "no more than": True,
    "not more than": True,
    "no greater than": True,
    "not greater than": True,
    "not exceeding": True,
    "no older than": True,
    "maximum of": True,
    "maximum": True,
    "<": False,
    "below": False,
    "under": False,
    "less than": False,
    "lower than": False,
    "younger than": False,
    "fewer than": False,
}
_OPS = "|".join(
    re.escape(op).replace(r"\ ", r"\s+")
    for op in sorted([*_MIN_OPS, *_MAX_OPS], key=len, reverse=True)
)
_MORE = r"(?:or|and)\s+(?:more|greater|higher|above|over|older)"
_LESS = r"(?:or|and)\s+(?:less|lower|below|fewer|younger|under)"
_SYMBOL_ECHO = r"(?:\s*\(\s*[<>≤≥=]+\s*\))?"


def _number(text: str) -> float:
    text = text.lower()
    value = _WORD_NUMBERS.get(text)
    if value is None:
        value = float(text)
    return int(value) if float(value).is_integer() else float(value)


def _op_bound(op: str) -> tuple[str, bool]:
    op = " ".join(op.lower().split())
    if op in _MIN_OPS:
        return "min", _MIN_OPS[op]
    return "max", _MAX_OPS[op]


@lru_cache(maxsize=64)
def _value_patterns(unit: str, *, unit_required: bool) -> tuple[re.Pattern, ...]:
    """Regexes for a bound after a measure: ranges, "≥ 15", "16 or more", "> 18 and < 70"."""
    u = f"(?P<u>{unit})" if unit_required else f"(?P<u>{unit})?"
    patterns = [
        rf"(?:between\s+|from\s+)?(?P<a>{_NUM})\s*(?:(?P<u1>{unit})\s*)?(?:and|to|-|–|—|~)\s*"
        rf"(?P<b>{_NUM})\s*{u}(?:\s*,?\s*(?:\(?both\s+)?inclusive\)?)?",
        rf"(?P<op>{_OPS}){_SYMBOL_ECHO}\s*(?P<a>{_NUM})\s*(?:(?P<u1>{unit})\s*)?(?:and|,|to)\s*"
        rf"(?P<op2>{_OPS}){_SYMBOL_ECHO}\s*(?P<b>{_NUM})\s*{u}",
        rf"(?P<op>{_OPS}){_SYMBOL_ECHO}\s*(?P<a>{_NUM})\s*{u}(?:\s*(?P<more>{_MORE}))?",
        rf"(?P<a>{_NUM})\s*(?P<u>{unit})\s*(?:(?P<more>{_MORE})|(?P<less>{_LESS}))",
    ]
    if not unit_required:
        patterns.append(rf"(?P<a>{_NUM})\s*(?:(?P<more>{_MORE})|(?P<less>{_LESS}))")
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


@lru_cache(maxsize=256)
def _rx(pattern: str) -> re.Pattern:
    """A composed pattern, compiled once (case-insensitive)."""
    return re.compile(pattern, re.IGNORECASE)


def _bounds_from(match: re.Match) -> dict:
    groups = match.groupdict()
    bounds: dict = {}
    a = _number(groups["a"])
    if groups.get("b") is not None and groups.get("op") is None:
        b = _number(groups["b"])
        if b < a:
            return {}
        return {"min": a, "max": b}
    if groups.get("op2") is not None:
        for op, value in ((groups["op"], a), (groups["op2"], _number(groups["b"]))):
            side, inclusive = _op_bound(op)
            bounds[side] = value
            bounds[f"{side}_inclusive"] = inclusive
        if "min" not in bounds or "max" not in bounds or bounds["min"] > bounds["max"]:
            return {}
        return bounds
    if groups.get("op") is not None:
        side, inclusive = _op_bound(groups["op"])
        if groups.get("more"):
            side, inclusive = "min", True
        bounds[side] = a
        if not inclusive:
            bounds[f"{side}_inclusive"] = False
        return bounds
    if groups.get("more"):
        return {"min": a}
    if groups.get("less"):
        return {"max": a}
    return {}


@dataclass
class _Atom:
    start: int
    end: int
    rule: Rule


def _find_measure(
    text: str, measure: str, unit: str, *, unit_required: bool, kind: str, hint: re.Pattern
):
    """A named measure followed (within a few words, no digits between) by a bound.

    `hint` matches wherever `measure` does (a cheap test first).
    """
    if not hint.search(text) or not _HAS_NUMBER.search(text):
        return []
    atoms = []
    for value in _value_patterns(unit, unit_required=unit_required):
        pattern = _rx(rf"(?P<m>{measure}){_MEASURE_GAP}{value.pattern}")
        for match in pattern.finditer(text):
            if re.search(r"/\s*$", text[: match.start()]) or re.match(
                r"\s*(?:\([^)]*\))?\s*(?:/|ratio)", text[match.end("m") :], re.IGNORECASE
            ):
                continue
            bounds = _bounds_from(match)
            if bounds:
                atoms.append(_Atom(match.start(), match.end(), Rule(kind, bounds)))
    return _non_overlapping(atoms)


def _scaled(value, scale):
    result = value * scale
    return int(result) if float(result).is_integer() else round(result, 3)


def _non_overlapping(atoms: list[_Atom]) -> list[_Atom]:
    """Longest atoms first; an atom overlapping a longer one is dropped."""
    kept: list[_Atom] = []
    for atom in sorted(atoms, key=lambda a: (-(a.end - a.start), a.start)):
        if all(atom.end <= other.start or atom.start >= other.end for other in kept):
            kept.append(atom)
    return sorted(kept, key=lambda a: a.start)


# Measures ---------------------------------------------------------------------------------

_PERCENT = (
    r"(?:%|percent|per\s?cent)(?:\s*(?:of\s+)?(?:the\s+)?(?:predicted|pred\.?|theoretical|"
    r"theorical|normal)(?:\s+values?)?)?"
)
_NOT_OTHER_MEASURE = r"(?!\s*(?:and|or)?\s*(?:DL\s?CO|FVC|TLCO|diffusing|forced|m?RSS|rodnan))"
_MEASURE_GAP = r"(?:\s*\([^)]{0,30}\))?(?:" + _NOT_OTHER_MEASURE + r"[^\d;.<>≤≥=\n])*?\s*"
_FVC = r"\bFVC\b|\bforced\s+vital\s+capacity(?:\s*\(FVC\))?"
_DLCO = (
    r"\bDL\s?CO(?:c|\s*corrected|\s*\(?Hb\)?)?\b|\bTLCO\b|"
    r"(?:single[-\s]breath\s+)?(?:carbon\s+monoxide\s+)?diffusing\s+capacity"
    r"(?:\s+(?:for|of)\s+(?:the\s+lung\s+for\s+)?carbon\s+monoxide)?(?:\s*\(DL\s?CO\))?"
)
_MRSS = (
    r"\bm?RSS\b|(?:modified\s+)?Rodnan(?:\s+total)?(?:\s+skin)?(?:\s+(?:thickness\s+)?score)?"
    r"(?:\s*\(m?RSS\))?|score\s+of\s+Rodnan|\btotal\s+skin\s+score"
)


_FVC_HINT = re.compile(r"fvc|vital\s+capacity", re.IGNORECASE)
_DLCO_HINT = re.compile(r"dl\s?co|tlco|diffusing\s+capacity", re.IGNORECASE)
_MRSS_HINT = re.compile(r"rss|rodnan|skin\s+score", re.IGNORECASE)


def _find_measures(text: str) -> list[_Atom]:
    atoms = []
    atoms += _find_measure(text, _FVC, _PERCENT, unit_required=True, kind="fvc", hint=_FVC_HINT)
    atoms += _find_measure(text, _DLCO, _PERCENT, unit_required=True, kind="dlco", hint=_DLCO_HINT)
    atoms += _find_measure(
        text,
        _MRSS,
        r"(?:points?|units?|/\s*51)",
        unit_required=False,
        kind="mrss",
        hint=_MRSS_HINT,
    )
    return [atom for atom in atoms if _plausible_measure(atom.rule)]


def _plausible_measure(rule: Rule) -> bool:
    limit = 51 if rule.kind == "mrss" else 200
    return all(0 <= rule.params[key] <= limit for key in ("min", "max") if key in rule.params)


# Age --------------------------------------------------------------------------------------

_AGE_UNITS = {"year": 1, "yr": 1, "y": 1, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25}
_AGE_UNIT = r"(?:years?|yrs?|y/o|y\.o\.?|months?|weeks?|days?)(?:\s+old)?"
_SUBJECT = (
    r"\b(?:patients?|subjects?|participants?|men|women|males?|females?|adults?|persons?|"
    r"individuals?|volunteers?|children|adolescents?)"
)


def _age_unit_scale(matched: str | None) -> float:
    if not matched:
        return 1
    word = matched.lower().split()[0].rstrip("s./o")
    return _AGE_UNITS.get(word, _AGE_UNITS.get(word[:5], 1))


_NOT_THE_PATIENTS_AGE = re.compile(
    r"\b(?:death|died|onset|diagnos\w*|injury|injuries|lesions?|wounds?|ulcers?|family|relatives?|"
    r"parents?|mothers?|fathers?|siblings?|infants?|child(?!bearing)|before|since|history)\b"
    r"[^;.]{0,40}$",
    re.IGNORECASE,
)


def _find_age(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    if not _HAS_NUMBER.search(text):
        return atoms
    forms = [
        (
            r"\b(?:age[ds]?|aged)\b\s*(?:of\s+|is\s+|:\s*|must\s+be\s+|should\s+be\s+)?",
            _AGE_UNIT,
            False,
            _HAS_AGE_WORD,
        ),
        (
            _SUBJECT + r"\s+(?:aged?\s+)?(?:must\s+be\s+)?(?:of\s+)?",
            _AGE_UNIT,
            True,
            _HAS_AGE_UNIT,
        ),
        (r"(?<![\w-])", r"(?:years?|yrs?)(?:\s+old)?", True, _HAS_YEARS),
    ]
    for lead, unit, unit_required, hint in forms:
        if not hint.search(text):
            continue
        bare = lead.startswith("(?<!")
        for value in _value_patterns(unit, unit_required=unit_required):
            pattern = _rx(
                rf"(?P<m>{lead}){value.pattern}(?P<tail>\s*(?:of\s+age|old))?"
                rf"(?:\s+(?P<tailmore>{_MORE}))?"
            )
            for match in pattern.finditer(text):
                has_age_word = bool(re.search(r"\bage", match.group("m") or "", re.I))
                unit_text = match.groupdict().get("u") or ""
                if bare and not (match.group("tail") or re.search(r"old", unit_text, re.I)):
                    continue
                if not has_age_word and not unit_required:
                    continue
                if not has_age_word and _NOT_THE_PATIENTS_AGE.search(text[: match.start()]):
                    continue
                bounds = _bounds_from(match)
                if match.group("tailmore") and "max" not in bounds:
                    bounds = {"min": bounds.get("min", bounds.get("max"))}
                if not bounds:
                    continue
                scale_b = _age_unit_scale(unit_text)
                scale_a = (
                    _age_unit_scale(match.groupdict().get("u1"))
                    if match.groupdict().get("u1")
                    else scale_b
                )
                bounds = {
                    key: (
                        _scaled(val, scale_a if key == "min" else scale_b)
                        if key in ("min", "max")
                        else val
                    )
                    for key, val in bounds.items()
                }
                if any(bounds.get(key, 0) > 120 for key in ("min", "max")):
                    continue
                start = match.start() if has_age_word else match.end("m")
                atoms.append(_Atom(start, match.end(), Rule("age", bounds)))
    pattern = re.compile(
        rf"(?P<op>{_OPS})\s+(?:the\s+)?age\s+(?:of\s+)?(?P<a>{_NUM})(?:\s*(?P<u>{_AGE_UNIT}))?",
        re.IGNORECASE,
    )
    for match in pattern.finditer(text):
        side, inclusive = _op_bound(match.group("op"))
        bounds = {side: _number(match.group("a"))}
        if not inclusive:
            bounds[f"{side}_inclusive"] = False
        atoms.append(_Atom(match.start(), match.end(), Rule("age", bounds)))
    return _non_overlapping(atoms)


# Disease duration -------------------------------------------------------------------------

_DUR_UNIT = r"(?:years?|yrs?|months?)"
_ONSET_REF = (
    r"(?:the\s+)?(?:onset\s+of\s+(?:the\s+)?)?(?:first\s+)?(?:(?:SSc|scleroderma)\s+)?"
    r"non[-\s]?Raynaud(?:['’]s)?(?:\s+phenomenon)?(?:\s+(?:SSc\s+|disease\s+)?"
    r"(?:symptoms?|signs?|manifestations?))?"
)
_DIAGNOSIS_REF = r"(?:the\s+)?(?:time\s+of\s+)?(?:SSc\s+|disease\s+)?diagnosis"


def _duration_bounds(match: re.Match, ref: str) -> dict | None:
    groups = match.groupdict()
    bounds = _bounds_from(match) if groups.get("a") else {}
    unit = (groups.get("u") or "years").lower()
    scales = {
        "max": 1 / 12 if unit.startswith("month") else 1,
        "min": 1 / 12 if (groups.get("u1") or unit).lower().startswith("month") else 1,
    }
    out: dict = {}
    for side in ("min", "max"):
        if side in bounds:
            out[f"{side}_years"] = _scaled(bounds[side], scales[side])
            if bounds.get(f"{side}_inclusive") is False:
                out[f"{side}_inclusive"] = False
    if not out:
        return None
    out["from"] = ref
    return out


def _find_duration(text: str) -> list[_Atom]:
    atoms = []
    if not _HAS_NUMBER.search(text) or not _HAS_DURATION_UNIT.search(text):
        return atoms
    ref_tail = (
        rf"(?P<ref>\s*\(?\s*(?:from|since|after)\s+(?:{_ONSET_REF}|{_DIAGNOSIS_REF}|"
        r"(?:the\s+)?(?:disease\s+)?onset)\)?)?"
    )
    lead_forms = [
        r"(?:disease|SSc|scleroderma|systemic\s+sclerosis)\s+duration\s*(?:\([^)]{0,60}\))?\s*"
        r"(?:of\s+|is\s+|must\s+be\s+|should\s+be\s+)?",
        r"duration\s+of\s+(?:the\s+)?(?:disease|SSc|scleroderma|systemic\s+sclerosis)"
        r"(?:\s*\([^)]{0,60}\))?\s*(?:of\s+|is\s+|must\s+be\s+)?",
    ]
    for lead in lead_forms:
        for value in _value_patterns(_DUR_UNIT, unit_required=True):
            pattern = _rx(rf"{lead}{value.pattern}{ref_tail}")
            for match in pattern.finditer(text):
                ref = _ref_of(match.group(0))
                bounds = _duration_bounds(match, ref)
                if bounds:
                    atoms.append(
                        _Atom(match.start(), match.end(), Rule("disease_duration", bounds))
                    )
    # "disease <2 years duration"
    for value in _value_patterns(_DUR_UNIT, unit_required=True):
        pattern = _rx(
            rf"(?P<lead>\bdisease\b[^;.\d<>≤≥]{{0,25}}?){value.pattern}\s*(?:of\s+)?"
            rf"(?:disease\s+)?duration{ref_tail}"
        )
        for match in pattern.finditer(text):
            bounds = _duration_bounds(match, _ref_of(match.group(0)))
            if bounds:
                atoms.append(_Atom(match.start(), match.end(), Rule("disease_duration", bounds)))
    # "within 2 years of diagnosis", "onset of the first symptom … within the previous 7 years"
    names_ssc = bool(_SSC_NAMED.search(text))
    within = (
        rf"within\s+(?:the\s+)?(?:first\s+|past\s+|last\s+|previous\s+|preceding\s+)?"
        rf"(?P<a>{_NUM})\s*(?P<u>{_DUR_UNIT})"
    )
    # (pattern, reference point or None to read it from the match, needs SSc named)
    patterns = [
        (
            rf"{within}\s+(?:of|from|since|after)\s+(?:{_ONSET_REF}|"
            r"(?:the\s+)?(?:SSc\s+|disease\s+)?onset(?:\s+of\s+(?:the\s+)?(?:first\s+)?"
            r"(?:symptoms?|signs?|SSc|scleroderma|systemic\s+sclerosis|(?:the\s+)?disease))"
            r"|(?:the\s+)?(?:SSc|disease)\s+onset)",
            None,
            False,
        ),
        (rf"{within}\s+(?:of|from|since|after)\s+{_DIAGNOSIS_REF}", "diagnosis", True),
        (
            r"(?:onset\s+of\s+(?:the\s+)?first\s+(?:symptom|sign|manifestation)s?|"
            r"first\s+non[-\s]?Raynaud(?:['’]s)?[^;.]{0,30}?(?:symptom|sign|manifestation)s?)"
            rf"[^;.\d]{{0,80}}?{within}",
            "onset",
            False,
        ),
        (
            r"(?:diagnos(?:is|ed)\s+(?:of|with)\s+(?:SSc|scleroderma|systemic\s+sclerosis)|"
            r"(?:SSc|scleroderma|systemic\s+sclerosis)\s+(?:was\s+)?diagnosed)"
            rf"[^;.\d]{{0,30}}?{within}",
            "diagnosis",
            False,
        ),
        (
            rf"(?:diagnos(?:is|ed)|disease)\b[^;.]{{0,90}}?(?P<span>\bof\s+(?P<a>{_NUM})\s*"
            rf"(?P<u>{_DUR_UNIT})\s+(?P<less>or\s+less|or\s+fewer))",
            "unspecified",
            True,
        ),
    ]
    for source, fixed_ref, needs_ssc in patterns:
        if needs_ssc and not names_ssc:
            continue
        for match in re.finditer(source, text, re.IGNORECASE):
            ref = fixed_ref or _ref_of(match.group(0))
            value = _number(match.group("a"))
            scale = 1 / 12 if match.group("u").lower().startswith("month") else 1
            span = "span" if match.groupdict().get("span") else 0
            atoms.append(
                _Atom(
                    match.start(span),
                    match.end(span),
                    Rule("disease_duration", {"max_years": _scaled(value, scale), "from": ref}),
                )
            )
    return _non_overlapping(atoms)


_SSC_NAMED = re.compile(r"\bSSc\b|scleroderma|systemic\s+sclerosis", re.IGNORECASE)


def _ref_of(text: str) -> str:
    lowered = text.lower()
    if re.search(r"non[-\s]?raynaud|first\s+(?:symptom|sign|manifestation)|onset", lowered):
        return "onset"
    if "diagnos" in lowered:
        return "diagnosis"
    return "unspecified"


# Therapies --------------------------------------------------------------------------------

THERAPY_TERMS = {
    "cyclophosphamide": r"cyclophosphamide|\bCYC\b|cytoxan|endoxan",
    "mycophenolate": r"mycophenol(?:ate|ic\s+acid)(?:\s+(?:mofetil|sodium))?|\bMMF\b|cellcept|myfortic",
    "methotrexate": r"methotrexate|\bMTX\b",
    "rituximab": r"rituximab|mabthera|rituxan",
    "nintedanib": r"nintedanib|\bofev\b",
    "tocilizumab": r"tocilizumab|actemra|roactemra",
    "hsct": (
        r"(?:autologous\s+|allogeneic\s+)?(?:ha?ematopoietic\s+)?stem[-\s]cell\s+"
        r"transplant(?:ation)?s?|\bA?HSCT\b|bone\s+marrow\s+transplant(?:ation)?"
    ),
    "glucocorticoids": (
        r"glucocorticoids?|corticosteroids?|(?<!anabolic\s)(?<!sex\s)\bsteroids?\b(?!\s+hormone)|"
        r"prednisone|prednisolone|methylprednisolone|dexamethasone|hydrocortisone|budesonide"
    ),
    "azathioprine": r"azathioprine|\bimuran\b",
    "pirfenidone": r"pirfenidone|esbriet",
}
_SPECIFIC_GLUCOCORTICOID = re.compile(
    r"methylprednisolone|dexamethasone|hydrocortisone|budesonide", re.IGNORECASE
)
_GLUCOCORTICOID_CLASS = re.compile(
    r"glucocorticoid|corticosteroid|\bsteroid|\bprednisone|\bprednisolone", re.IGNORECASE
)
_THERAPY_NAME = "|".join(f"(?P<t_{key}>{term})" for key, term in THERAPY_TERMS.items())
_THERAPY_LIST = (
    rf"(?:{_THERAPY_NAME})(?:\s*(?:,|or|and/or|/)\s*(?:{_THERAPY_NAME.replace('?P<t_', '?P<u_')}))*"
)
_CURRENT_WORDS = re.compile(
    r"\b(?:current(?:ly)?|concomitant(?:ly)?|concurrent(?:ly)?|ongoing|receiving|taking|"
    r"on\s+(?:a\s+)?stable|stable\s+dose|treated\s+with\s+a\s+stable|active\s+treatment)\b",
    re.IGNORECASE,
)
_PRIOR_WORDS = re.compile(
    r"\b(?:prior|previous(?:ly)?|history\s+of|ever|past|former|received|exposure\s+to|"
    r"pre-?treated|had\s+been\s+treated|have\s+been\s+treated)\b",
    re.IGNORECASE,
)
_WITHIN = re.compile(
    rf"\s*(?:\w+\s+){{0,3}}?(?:within|in)\s+(?:the\s+)?(?:past\s+|last\s+|previous\s+|preceding\s+)?"
    rf"(?P<a>{_NUM})\s*(?P<u>days?|weeks?|months?|years?)"
    r"(?:\s+(?:prior\s+to|before|of|preceding)\s+(?:the\s+)?(?:study\s+)?"
    r"(?:screening|baseline|enrol?lment|entry|inclusion|randomi[sz]ation|first\s+dose|"
    r"day\s+1|study\s+entry|study\s+start)(?:\s+visit)?)?"
    rf"|\s*(?P<a2>{_NUM})\s*(?P<u2>days?|weeks?|months?|years?)\s+(?:prior\s+to|before|preceding)"
    r"\s+(?:the\s+)?(?:study\s+)?(?:screening|baseline|enrol?lment|entry|inclusion|"
    r"randomi[sz]ation|first\s+dose|day\s+1)(?:\s+visit)?",
    re.IGNORECASE,
)
_DOSE = re.compile(
    rf"[^;.\d]{{0,40}}?(?P<op>{_OPS})\s*(?P<a>{_NUM})\s*mg(?:\s*(?:/|per)\s*(?:day|d)\b|\s+daily|"
    r"\s+per\s+day|\s+a\s+day)?",
    re.IGNORECASE,
)
_MONTHS_PER = {"day": 1 / 30.44, "week": 7 / 30.44, "month": 1, "year": 12}


def _find_therapies(text: str) -> list[_Atom]:
    """Named therapies with when they were taken; a name said twice ("MMF … mycophenolate") is one."""
    atoms = []
    seen: set[str] = set()
    for match in re.finditer(_THERAPY_LIST, text, re.IGNORECASE):
        names = [
            key.split("_", 1)[1]
            for key, value in match.groupdict().items()
            if value and key[:2] in ("t_", "u_")
        ]
        therapies = list(dict.fromkeys(names))
        if seen.issuperset(therapies):
            atoms.append(_Atom(match.start(), match.end(), Rule("_consumed", {})))
            continue
        seen.update(therapies)
        before = text[max(0, match.start() - 80) : match.start()]
        start, end = match.start(), match.end()
        params: dict = {"therapies": therapies}
        drug = _SPECIFIC_GLUCOCORTICOID.search(match.group(0))
        if drug and not _GLUCOCORTICOID_CLASS.search(match.group(0)):
            params["drug"] = drug.group(0).lower()
        clause_before = re.split(r"[;,.(]|\band\b|\bor\b", before)[-1] if before else ""
        if re.search(
            r"\b(?:not|no|non|without|except|excluding|other\s+than)\b", clause_before, re.I
        ):
            clause_before = ""
        current = _CURRENT_WORDS.search(clause_before)
        prior = _PRIOR_WORDS.search(clause_before)
        if current and not prior:
            params["when"] = "current"
        elif (prior and not current) or therapies == ["hsct"]:
            params["when"] = "ever"  # a transplant is a one-off event: "any" means "ever"
        else:
            params["when"] = "any"
        offset = match.start() - len(clause_before)
        for found in (current, prior):
            if found:
                atoms.append(
                    _Atom(offset + found.start(), offset + found.end(), Rule("_consumed", {}))
                )
        within = _WITHIN.match(text, end)
        if within:
            amount = within.group("a") or within.group("a2")
            unit = (within.group("u") or within.group("u2")).lower().rstrip("s")
            params["within_months"] = _scaled(_number(amount), _MONTHS_PER[unit])
            params["when"] = "any"
            end = within.end()
        if "glucocorticoids" in therapies:
            dose = _DOSE.match(text, end)
            if dose:
                side, inclusive = _op_bound(dose.group("op"))
                if side == "min":
                    params["min_dose_mg"] = _number(dose.group("a"))
                    if not inclusive:
                        params["min_dose_inclusive"] = False
                    end = dose.end()
        atoms.append(_Atom(start, end, Rule("therapy", params)))
    return atoms


# Pregnancy --------------------------------------------------------------------------------

_NEG_PREFIX = r"(?P<neg>\b(?:non|not|no)[-\s]+)?"
_PREGNANT = re.compile(
    _NEG_PREFIX
    + r"(?:(?:currently|current|known|be|being)\s+)?\bpregnan(?:t|cy)\b(?:\s+(?:women|females))?",
    re.IGNORECASE,
)
_NOT_A_PREGNANCY = re.compile(
    r"(?:test|avoid|become|becoming|plan|planning|desire|prevent|anticipate|potential|"
    r"childbearing|intend|intending|wish|wishing|during|of)\s+(?:a\s+|to\s+)?$",
    re.IGNORECASE,
)
_LACTATION = re.compile(
    r"\b(?:(?:non|not)[-\s]+)?(?:breast[-\s]?feeding|lactating|lactation|nursing(?!\s+home))"
    r"(?:\s+(?:women|mothers|an\s+infant))?",
    re.IGNORECASE,
)


_PREGNANCY_AS_SUBJECT = re.compile(
    r"(?:^\s*(?:\(\w{1,3}\)\s*)?(?:(?:female|women|woman|patients?|subjects?|participants?)"
    r"(?:\s+subjects?)?\s*)?|\b(?:who\s+(?:are|is)|currently|current|known|being|be|is|are|or|"
    r"and/or|and|any)\s*|[,;(/]\s*)$",
    re.IGNORECASE,
)
_PREGNANCY_AS_MODIFIER = re.compile(
    r"\s*(?:tests?|testing|precautions?|prevention|status|potential|risk|plans?|outcomes?|"
    r"complications?|-related|related|registry|category|history)\b",
    re.IGNORECASE,
)


def _find_pregnancy(text: str) -> list[_Atom]:
    """Pregnancy as the patient's state ("Pregnant women", "pregnancy or breastfeeding").

    The word is only an atom where it names the person's condition: at the start of the
    criterion, after "who are", or as one item of a list. "Pregnancy test", "avoid pregnancy"
    and "plan to become pregnant" are something else and stay in the residue.
    """
    atoms: list[_Atom] = []
    for match in _PREGNANT.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        after = text[match.end() : match.end() + 20]
        if _NOT_A_PREGNANCY.search(before) or _PREGNANCY_AS_MODIFIER.match(after):
            continue
        if not match.group("neg") and not _PREGNANCY_AS_SUBJECT.search(text[: match.start()]):
            continue
        params: dict = {}
        if match.group("neg"):
            params["negated"] = True
        if atoms:
            if params != {k: v for k, v in atoms[0].rule.params.items() if k == "negated"}:
                return []
            atoms.append(_Atom(match.start(), match.end(), Rule("_consumed", {})))
            continue
        atoms.append(_Atom(match.start(), match.end(), Rule("pregnancy", params)))
    if atoms:
        lactation = list(_LACTATION.finditer(text))
        if lactation:
            first = atoms[0]
            first.rule.params["breastfeeding"] = True
            atoms += [_Atom(m.start(), m.end(), Rule("_consumed", {})) for m in lactation]
    return atoms


# Organs -----------------------------------------------------------------------------------

ORGAN_TERMS = [
    ("kidney", r"(?:scleroderma\s+)?(?:renal|kidney)\s+crisis", "renal crisis", True),
    ("kidney", r"(?:renal|kidney)\s+involvement", "kidney involvement", False),
    (
        "ild",
        r"interstitial\s+lung\s+diseases?|\bILD\b|(?:pulmonary|lung)\s+fibrosis|"
        r"fibrosing\s+lung\s+disease|fibrotic\s+lung\s+disease",
        "interstitial lung disease",
        False,
    ),
    (
        "pah",
        r"pulmonary\s+arterial\s+hypertension|\bPAH\b",
        "pulmonary arterial hypertension",
        False,
    ),
    ("pah", r"pulmonary\s+hypertension", "pulmonary hypertension", False),
    (
        "digital_ulcers",
        r"digital\s+ulcer(?:s|ations?)?|\bDUs?\b|finger(?:tip)?\s+ulcers?",
        "digital ulcers",
        False,
    ),
    ("raynaud", r"Raynaud(?:['’]s)?(?:\s+(?:phenomenon|syndrome|disease))?", "Raynaud's", False),
    ("heart", r"(?:cardiac|heart|myocardial)\s+involvement", "heart involvement", False),
    (
        "gut",
        r"(?:gastrointestinal|\bGI|digestive(?:\s+tract)?|gut|intestinal|o?esophageal)\s+"
        r"involvement",
        "gut involvement",
        False,
    ),
]


def _find_organs(text: str) -> list[_Atom]:
    atoms = []
    for organ, pattern, term, narrower in ORGAN_TERMS:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            before = text[max(0, match.start() - 6) : match.start()]
            if re.search(r"non[-\s]?$", before, re.I):
                continue
            params = {"organ": organ, "term": term}
            if narrower:
                params["narrower"] = True
            atoms.append(_Atom(match.start(), match.end(), Rule("organ", params)))
    return _non_overlapping(atoms)


# SSc subtype ------------------------------------------------------------------------------

_SYSTEMIC_HEAD = re.compile(
    r"(?:progressive\s+)?systemic\s+sclerosis|systemic\s+scleroderma|scleroderma,\s+systemic|"
    r"\bSSc\b|\bSS\b(?=\)?\s+(?:meets|according))",
    re.IGNORECASE,
)
_BARE_HEAD = re.compile(r"\bscleroderma\b", re.IGNORECASE)
_HEAD_GUARD = re.compile(r"^\s*(?:-\s*like|[\s-]*associated\s+antibod|\s*antibod|-specific)", re.I)
_SUBTYPE_WORDS = [
    ("diffuse", re.compile(r"\bd?cSSc\b|\bdSSc\b|\bdiffuse(?:\s+cutaneous)?\b", re.I)),
    ("limited", re.compile(r"\blcSSc\b|\blSSc\b|\blimited(?:\s+cutaneous)?\b", re.I)),
    ("crest", re.compile(r"\bCREST\b")),
    (
        "morphea",
        re.compile(
            r"\bmorph(?:o)?ea\b|\blocali[sz]ed(?:\s+scleroderma)?\b|\blinear(?:\s+scleroderma)?\b",
            re.I,
        ),
    ),
    ("overlap", re.compile(r"\boverlap(?:\s+syndromes?)?\b", re.I)),
]


_HEAD_AS_PURPOSE = re.compile(
    r"\b(?:treatments?|therap(?:y|ies)|drugs?|medications?|agents?|treated|vasodilators?|"
    r"immunosuppress\w*)\s+(?:\w+\s+)?(?:for|of|in)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _guarded_head(text: str, match: re.Match) -> bool:
    """SSc named as something else than the patient's diagnosis ("treatment for SSc")."""
    return bool(
        _HEAD_GUARD.match(text[match.end() :])
        or _HEAD_AS_PURPOSE.search(text[max(0, match.start() - 50) : match.start()])
    )


def _find_subtype(text: str) -> list[_Atom]:
    heads, bare = [], []
    for match in _SYSTEMIC_HEAD.finditer(text):
        if not _guarded_head(text, match):
            heads.append(match)
    for match in _BARE_HEAD.finditer(text):
        if any(h.start() <= match.start() < h.end() for h in heads):
            continue
        if not _guarded_head(text, match):
            bare.append(match)
    found: dict[str, list[re.Match]] = {}
    for name, pattern in _SUBTYPE_WORDS:
        for match in pattern.finditer(text):
            if any(h.start() <= match.start() < h.end() for h in heads):
                continue
            found.setdefault(name, []).append(match)
    explicit = {"crest", "overlap"} | (
        {"morphea"}
        if any(m.group(0).lower().startswith("morph") for m in found.get("morphea", []))
        else set()
    )
    if not (heads or bare) and not any(
        name in explicit
        or any("cutaneous" in m.group(0).lower() for m in matches)
        or name in ("diffuse", "limited")
        and any(m.group(0).lower().endswith("ssc") for m in matches)
        for name, matches in found.items()
    ):
        return []
    subtypes = set()
    for name in found:
        if name == "crest":
            subtypes.add("limited")
        else:
            subtypes.add(name)
    systemic = bool(heads) or bool(subtypes & {"diffuse", "limited"})
    params: dict
    if not subtypes or (set(found) == {"crest"} and heads):
        params = {"subtypes": ["diffuse", "limited"], "any_ssc": True, "systemic": bool(heads)}
    else:
        order = ["diffuse", "limited", "overlap", "morphea"]
        params = {"subtypes": [name for name in order if name in subtypes], "systemic": systemic}
    spans = heads + bare + [m for matches in found.values() for m in matches]
    atoms = [_Atom(m.start(), m.end(), Rule("_consumed", {})) for m in spans]
    first = min(atoms, key=lambda a: a.start)
    first.rule = Rule("subtype", params)
    return atoms


# --------------------------------------------------------------------------------------------
# From atoms and residue to a rule
# --------------------------------------------------------------------------------------------

_FILLER_PHRASES = re.compile(
    r"\b(?:(?:males?|men|man)\s+(?:or|and|and/or|&)\s+(?:females?|women|woman)|"
    r"(?:females?|women|woman)\s+(?:or|and|and/or|&)\s+(?:males?|men|man)|"
    r"at\s+the\s+(?:time\s+of|start\s+of)[^,;.]*?(?:visit|screening|consent|enrol?lment|"
    r"inclusion|randomi[sz]ation|entry)\b|at\s+(?:screening|baseline|enrol?lment|entry|"
    r"inclusion|randomi[sz]ation)(?:\s+visit)?|during\s+(?:the\s+)?study(?:\s+period)?|"
    r"(?:prior\s+to|before)\s+(?:the\s+)?(?:study\s+)?(?:entry|enrol?lment|screening|"
    r"randomi[sz]ation|inclusion|baseline)(?:\s+visit)?|"
    r"(?:(?:19|20)\d\d\s+)?(?:(?:the\s+)?(?:revised\s+)?(?:ACR|EULAR|ACR/EULAR|"
    r"American\s+College\s+of\s+Rheumatology|European\s+League\s+Against\s+Rheumatism|"
    r"American\s+Rheumatism\s+Association)\b[^;.]{0,80}?)?criteria(?:\s+(?:19|20)\d\d)?)",
    re.IGNORECASE,
)
_FILLER = set(
    """
    a an the of to in on at by for with and as be is are was were been being have has had having
    must should shall will would may can who whom whose that which this these those their his her
    its there from into per via all any each both only also same own
    patient patients subject subjects participant participants person persons people individual
    individuals volunteer volunteers men women man woman male males female females adult adults
    candidate candidates case cases
    diagnosis diagnosed diagnostic established confirmed documented known clinical clinically
    definite definitive evidence presence present history current currently existing
    according criteria criterion classification classified fulfil fulfill fulfils fulfills
    fulfilled fulfilling meet meets meeting met satisfy satisfies satisfying american college
    rheumatology european league against rheumatism association acr eular ara leroy medsger
    preliminary revised former accordance
    predicted theoretical theorical value values normal
    years year old age
    screening baseline visit enrollment enrolment entry study inclusion randomization
    randomisation time start consent informed signing period
    disease cutaneous form forms variant variants subset subsets subtype subtypes type types
    shape
    treatment treatments treated therapy therapies use using used receiving received taking
    exposure
    involvement
    """.split()
)
_OR_WORDS = {"or", "either", "including", "include", "includes", "such", "e", "eg", "example"}
_NEG_WORDS = set(
    """
    not no non without except excluding unless never nor neither naive naïve free negative
    lack absent cannot
    """.split()
)
_COMPLEX_WORDS = set(
    """
    which if when where whereas while because due after before within since prior previous
    previously following until for dose doses than least more less greater requiring required
    require requires defined secondary despite per plus severe severely significant active
    uncontrolled progressive moderate mild stable refractory rapidly recent recently
    oral intravenous iv subcutaneous topical inhaled injection injections local intra
    """.split()
)
_MAX_OR_RESIDUE = 6
_RESIDUE_COMPARISON = re.compile(
    r"(?:[<>≤≥]|\b(?:less|more|greater|fewer|lower|higher|above|below|under|over|exceed\w*|"
    r"least|most)\b(?:\s+than)?)\s*(?:\(\s*[<>≤≥=]+\s*\)\s*)?\d",
    re.IGNORECASE,
)
_SINGLE_VALUED = {"age", "mrss", "fvc", "dlco", "disease_duration", "pregnancy"}
_MALE_WORDS = re.compile(r"\b(?:men|man|males?|boys?)\b", re.IGNORECASE)
_FEMALE_WORDS = re.compile(r"\b(?:women|woman|females?|girls?|mothers?)\b", re.IGNORECASE)
_CLAUSE_NEGATION = re.compile(r"^\s*(?:\(\w{1,3}\)\s*)?(?:no|not|none\s+of)\b\s*", re.IGNORECASE)
_HEADERLESS_KINDS = {"age", "subtype"}
_MODAL = re.compile(
    r"\b(?:must|should|shall|will|need\s+to|needs\s+to|required\s+to|have\s+to|has\s+to|"
    r"are\s+eligible|is\s+eligible)\b",
    re.IGNORECASE,
)


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-zA-Zïé]+|\d+(?:\.\d+)?", text.lower())


def _parse_rule(text: str, *, headerless: bool = False) -> Rule | None:
    """A rule for one criterion, or None whenever reading it would mean guessing."""
    if not text or len(text) > 600:
        return None
    work = text
    atoms: list[_Atom] = []
    for finder in (
        _find_duration,
        _find_organs,
        _find_subtype,
        _find_therapies,
        _find_pregnancy,
        _find_measures,
        _find_age,
    ):
        found = finder(work)
        for atom in found:
            work = work[: atom.start] + " " * (atom.end - atom.start) + work[atom.end :]
        atoms += found
    real = sorted((a for a in atoms if a.rule.kind != "_consumed"), key=lambda a: a.start)
    if not real:
        return None

    clause_negated = False
    negation = _CLAUSE_NEGATION.match(work)
    if negation and negation.end() <= real[0].start:
        clause_negated = True
        work = " " * negation.end() + work[negation.end() :]

    kinds = [atom.rule.kind for atom in real]
    if any(kinds.count(kind) > 1 for kind in _SINGLE_VALUED):
        return None
    modals = [m.start() for m in _MODAL.finditer(work)]
    if modals and min(modals) >= real[0].end:
        return None

    residue_text = _FILLER_PHRASES.sub(" ", work)
    if _RESIDUE_COMPARISON.search(residue_text):
        return None
    raw_tokens = _tokens(residue_text)
    if "criteri" in text.lower():
        raw_tokens = [t for t in raw_tokens if not re.fullmatch(r"(?:19[5-9]|20[0-3])\d", t)]
    if any(token in _NEG_WORDS for token in raw_tokens) or re.search(
        r"\bother\s+than\b", residue_text, re.I
    ):
        return None
    if re.search(r"\b(?:or|and|and/or)\s*[;,:.]?\s*$", text, re.IGNORECASE):
        return None
    has_or = (
        any(token in _OR_WORDS for token in raw_tokens)
        or "/or" in residue_text.lower()
        or len(re.findall(r"[,;]", residue_text.strip(" ,;.:"))) >= 2
    )
    meaningful = [
        token
        for token in raw_tokens
        if token not in _FILLER and token not in _OR_WORDS and token not in {"and", "nor"}
    ]
    only_sex = None
    if "pregnancy" not in kinds:
        male, female = bool(_MALE_WORDS.search(text)), bool(_FEMALE_WORDS.search(text))
        if male != female:
            only_sex = "MALE" if male else "FEMALE"
    partial = bool(meaningful)
    if has_or:
        if len(meaningful) > _MAX_OR_RESIDUE or any(
            token in _COMPLEX_WORDS or token[0].isdigit() for token in raw_tokens
        ):
            return None
        join = "or"
    else:
        join = "and"
    if clause_negated and join == "and" and (partial or len(real) > 1):
        return None
    if headerless and not clause_negated:
        if any(
            atom.rule.kind not in _HEADERLESS_KINDS and not atom.rule.params.get("negated")
            for atom in real
        ):
            return None

    primary, *others = real
    params = dict(primary.rule.params)
    if others:
        params["also"] = [atom.rule for atom in others]
    if len(real) > 1 or partial:
        params["join"] = join
    if partial:
        params["partial"] = True
    if clause_negated:
        params["clause_negated"] = True
    if only_sex:
        params["only_sex"] = only_sex
    return Rule(primary.rule.kind, params)


# --------------------------------------------------------------------------------------------
# Structured registry fields
# --------------------------------------------------------------------------------------------

_REGISTRY_AGE = re.compile(
    r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>years?|months?|weeks?|days?|hours?|minutes?)\s*$", re.I
)
_UNIT_YEARS = {
    "year": 1,
    "month": 1 / 12,
    "week": 7 / 365.25,
    "day": 1 / 365.25,
    "hour": 1 / 8766,
    "minute": 1 / 525960,
}


def _registry_age(value: str) -> float | int | None:
    match = _REGISTRY_AGE.match(value or "")
    if not match:
        return None
    unit = match.group("u").lower().rstrip("s")
    return _scaled(float(match.group("n")), _UNIT_YEARS[unit])


def structured_criteria(
    *, minimum_age: str, maximum_age: str, sex: str, healthy_volunteers: bool | None
) -> list[Criterion]:
    """The registry's structured eligibility fields as criteria (inclusion), age first."""
    criteria = []
    minimum_age = (minimum_age or "").strip()
    maximum_age = (maximum_age or "").strip()
    if minimum_age.upper() == "N/A":
        minimum_age = ""
    if maximum_age.upper() == "N/A":
        maximum_age = ""
    if minimum_age or maximum_age:
        parts = []
        if minimum_age:
            parts.append(f"Minimum age: {minimum_age}")
        if maximum_age:
            parts.append(f"Maximum age: {maximum_age}")
        low, high = _registry_age(minimum_age), _registry_age(maximum_age)
        rule = None
        if (not minimum_age or low is not None) and (not maximum_age or high is not None):
            params: dict = {}
            if low:
                params["min"] = low
            if high is not None:
                params["max"] = high
            rule = Rule("age", params) if params else None
            if rule is None and low == 0:
                rule = Rule("age", {"min": 0})
        criteria.append(Criterion("; ".join(parts), INCLUSION, rule))
    sex = (sex or "").strip().upper()
    if sex:
        rule = Rule("sex", {"sex": sex}) if sex in ("ALL", "FEMALE", "MALE") else None
        criteria.append(Criterion(f"Sex: {sex}", INCLUSION, rule))
    if healthy_volunteers is not None:
        criteria.append(
            Criterion(
                f"Accepts healthy volunteers: {'Yes' if healthy_volunteers else 'No'}",
                INCLUSION,
                Rule("healthy_volunteers", {"accepted": healthy_volunteers}),
            )
        )
    return criteria


# --------------------------------------------------------------------------------------------
# Assessing a patient
# --------------------------------------------------------------------------------------------

THERAPY_ZH = {
    "cyclophosphamide": "环磷酰胺",
    "mycophenolate": "吗替麦考酚酯",
    "methotrexate": "甲氨蝶呤",
    "rituximab": "利妥昔单抗",
    "nintedanib": "尼达尼布",
    "tocilizumab": "托珠单抗",
    "hsct": "造血干细胞移植",
    "glucocorticoids": "糖皮质激素（如泼尼松）",
    "azathioprine": "硫唑嘌呤",
    "pirfenidone": "吡非尼酮",
}
THERAPY_EN = {
    "cyclophosphamide": "cyclophosphamide",
    "mycophenolate": "mycophenolate",
    "methotrexate": "methotrexate",
    "rituximab": "rituximab",
    "nintedanib": "nintedanib",
    "tocilizumab": "tocilizumab",
    "hsct": "a stem cell transplant (HSCT)",
    "glucocorticoids": "glucocorticoids (e.g. prednisone)",
    "azathioprine": "azathioprine",
    "pirfenidone": "pirfenidone",
}
ORGAN_ZH = {
    "ild": "间质性肺病",
    "digital_ulcers": "指端溃疡",
    "raynaud": "雷诺现象",
    "pah": "肺动脉高压",
    "kidney": "肾脏受累",
    "heart": "心脏受累",
    "gut": "胃肠道受累",
}
ORGAN_EN = {
    "ild": "interstitial lung disease",
    "digital_ulcers": "digital ulcers",
    "raynaud": "Raynaud's phenomenon",
    "pah": "pulmonary arterial hypertension",
    "kidney": "kidney involvement",
    "heart": "heart involvement",
    "gut": "gut involvement",
}
TERM_ZH = {
    "renal crisis": "硬皮病肾危象",
    "pulmonary hypertension": "肺动脉高压（肺高压）",
}
DIAGNOSIS_ZH = {
    "diffuse": "弥漫型系统性硬化症",
    "limited": "局限型系统性硬化症",
    "overlap": "重叠综合征",
    "morphea": "硬斑病（局限性硬皮病）",
    "unsure": "不确定类型",
}
DIAGNOSIS_EN = {
    "diffuse": "diffuse cutaneous SSc",
    "limited": "limited cutaneous SSc",
    "overlap": "an overlap syndrome",
    "morphea": "morphea (localised scleroderma)",
    "unsure": "not sure of the type",
}
_MEASURES = {
    # kind: (unit zh, unit en, what you gave zh, what you gave en, missing zh, missing en)
    "age": (" 岁", " years", "您的年龄 {v} 岁", "Your age ({v} years)", "年龄", "your age"),
    "mrss": (
        " 分",
        " points",
        "您的 mRSS 皮肤评分是 {v} 分",
        "Your mRSS skin score ({v} points)",
        "mRSS 皮肤评分",
        "your mRSS skin score",
    ),
    "fvc": (
        "%",
        "%",
        "您的 FVC（用力肺活量）是预计值的 {v}%",
        "Your FVC ({v}% predicted)",
        "FVC（用力肺活量）",
        "your FVC",
    ),
    "dlco": (
        "%",
        "%",
        "您的 DLCO（一氧化碳弥散量）是预计值的 {v}%",
        "Your DLCO ({v}% predicted)",
        "DLCO（一氧化碳弥散量）",
        "your DLCO",
    ),
}


@dataclass(frozen=True)
class _Finding:
    truth: bool | None
    zh: str
    en: str


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _range_text(params: dict, kind: str) -> tuple[str, str, bool]:
    """ "18–70 岁" / "18 岁或以上" / "低于 30%", in both languages; True when two-sided."""
    unit_zh, unit_en = _MEASURES[kind][:2]
    low, high = params.get("min"), params.get("max")
    low_incl = params.get("min_inclusive", True)
    high_incl = params.get("max_inclusive", True)
    if low is not None and high is not None and low_incl and high_incl:
        return f"{_fmt(low)}–{_fmt(high)}{unit_zh}", f"{_fmt(low)}–{_fmt(high)}{unit_en}", True
    zh, en = [], []
    if low is not None:
        if low_incl:
            zh.append(f"{_fmt(low)}{unit_zh}或以上")
            en.append(f"{_fmt(low)}{unit_en} or more")
        else:
            zh.append(f"高于 {_fmt(low)}{unit_zh}")
            en.append(f"over {_fmt(low)}{unit_en}")
    if high is not None:
        if high_incl:
            zh.append(f"{_fmt(high)}{unit_zh}或以下")
            en.append(f"{_fmt(high)}{unit_en} or less")
        else:
            zh.append(f"低于 {_fmt(high)}{unit_zh}")
            en.append(f"under {_fmt(high)}{unit_en}")
    return "且".join(zh), " and ".join(en), False


def _and(values) -> bool | None:
    values = list(values)
    if any(value is False for value in values):
        return False
    if all(value is True for value in values):
        return True
    return None


def _check_exact(value, params) -> bool | None:
    checks = []
    if "min" in params:
        low = params["min"]
        checks.append(value >= low if params.get("min_inclusive", True) else value > low)
    if "max" in params:
        high = params["max"]
        checks.append(value <= high if params.get("max_inclusive", True) else value < high)
    return _and(checks)


def _check_age(age: int, params) -> bool | None:
    """Whole-year ages: a person of `age` is anywhere from age to age + 1 years old."""
    checks = []
    if "min" in params:
        low = params["min"]
        if params.get("min_inclusive", True):
            checks.append(True if age >= low else (False if age + 1 <= low else None))
        else:
            checks.append(True if age > low else (False if age + 1 <= low else None))
    if "max" in params:
        high = params["max"]
        if params.get("max_inclusive", True):
            if float(high).is_integer():
                checks.append(age <= high)
            else:
                checks.append(False if age > high else (True if age + 1 <= high else None))
        else:
            checks.append(True if age + 1 <= high else (False if age >= high else None))
    return _and(checks)


def _measure_finding(kind: str, params: dict, patient: Patient) -> _Finding:
    _, _, given_zh, given_en, missing_zh, missing_en = _MEASURES[kind]
    value = {
        "age": patient.age,
        "mrss": patient.mrss,
        "fvc": patient.fvc_percent,
        "dlco": patient.dlco_percent,
    }[kind]
    range_zh, range_en, two_sided = _range_text(params, kind)
    if value is None:
        return _Finding(
            None,
            f"您没有填写{missing_zh}（本条：{range_zh}）",
            f"You did not give {missing_en} (this criterion: {range_en})",
        )
    truth = _check_age(value, params) if kind == "age" else _check_exact(value, params)
    head_zh, head_en = given_zh.format(v=_fmt(value)), given_en.format(v=_fmt(value))
    if truth is None:
        return _Finding(
            None,
            f"{head_zh}，正好在“{range_zh}”的边界上，要按出生日期算",
            f"{head_en} is right at the limit of {range_en}; it depends on your birth date",
        )
    if two_sided:
        where_zh = f"在 {range_zh}之间" if truth else f"不在 {range_zh}之间"
    else:
        where_zh = f"在“{range_zh}”的范围内" if truth else f"不在“{range_zh}”的范围内"
    if two_sided:
        where_en = f"is within {range_en}" if truth else f"is outside {range_en}"
    else:
        where_en = f'fits "{range_en}"' if truth else f'does not fit "{range_en}"'
    return _Finding(truth, f"{head_zh}，{where_zh}", f"{head_en} {where_en}")


def _duration_finding(params: dict, patient: Patient) -> _Finding:
    years = patient.years_since_diagnosis
    ref = params.get("from", "unspecified")
    ref_zh = {
        "onset": "从第一个非雷诺症状算起",
        "diagnosis": "从确诊算起",
        "unspecified": "研究没有写从何时算起",
    }[ref]
    ref_en = {
        "onset": "counted from the first symptom other than Raynaud's",
        "diagnosis": "counted from diagnosis",
        "unspecified": "the study does not say from when",
    }[ref]
    parts_zh, parts_en = [], []
    if "min_years" in params:
        parts_zh.append(
            f"{'至少' if params.get('min_inclusive', True) else '超过'} {_fmt(params['min_years'])} 年"
        )
        parts_en.append(
            f"{'at least' if params.get('min_inclusive', True) else 'more than'} {_fmt(params['min_years'])} years"
        )
    if "max_years" in params:
        parts_zh.append(
            f"{'不超过' if params.get('max_inclusive', True) else '少于'} {_fmt(params['max_years'])} 年"
        )
        parts_en.append(
            f"{'at most' if params.get('max_inclusive', True) else 'under'} {_fmt(params['max_years'])} years"
        )
    want_zh = f"病程{'且'.join(parts_zh)}（{ref_zh}）"
    want_en = f"disease duration {' and '.join(parts_en)} ({ref_en})"
    if years is None:
        return _Finding(
            None,
            f"您没有填写确诊多少年（本条要求{want_zh}）",
            f"You did not say how long ago you were diagnosed (this criterion: {want_en})",
        )
    checks = []
    if "max_years" in params:
        high = params["max_years"]
        if years > high:
            checks.append(False)
        elif years == high or ref != "diagnosis":
            checks.append(None)
        else:
            checks.append(True)
    if "min_years" in params:
        low = params["min_years"]
        if years > low:
            checks.append(True)
        elif years == low or ref != "diagnosis":
            checks.append(None)
        else:
            checks.append(False)
    truth = _and(checks)
    head_zh, head_en = (
        f"您确诊约 {_fmt(years)} 年",
        f"You were diagnosed about {_fmt(years)} years ago",
    )
    if truth is True:
        return _Finding(True, f"{head_zh}，符合{want_zh}", f"{head_en}, which fits {want_en}")
    if truth is False:
        return _Finding(
            False, f"{head_zh}，不符合{want_zh}", f"{head_en}, which does not fit {want_en}"
        )
    extra_zh = "；病程可能从确诊前的首发症状算起" if ref != "diagnosis" else "；正好在边界上"
    extra_en = (
        "; the disease may have started before your diagnosis"
        if ref != "diagnosis"
        else "; this is right at the limit"
    )
    return _Finding(
        None,
        f"{head_zh}，本条要求{want_zh}{extra_zh}",
        f"{head_en}; this criterion: {want_en}{extra_en}",
    )


def _subtype_finding(params: dict, patient: Patient) -> _Finding:
    subtypes = params.get("subtypes", [])
    if params.get("any_ssc"):
        want_zh = "系统性硬化症（任何类型）" if params.get("systemic") else "硬皮病"
        want_en = "systemic sclerosis (any type)" if params.get("systemic") else "scleroderma"
    else:
        want_zh = "或".join(DIAGNOSIS_ZH[name] for name in subtypes)
        want_en = " or ".join(DIAGNOSIS_EN[name] for name in subtypes)
    diagnosis = patient.diagnosis
    if diagnosis is None or diagnosis == "unsure":
        return _Finding(
            None,
            f"您没有填写确切的诊断类型（本条涉及：{want_zh}）",
            f"You did not give the type of your diagnosis (this criterion: {want_en})",
        )
    if diagnosis in subtypes:
        truth = True
    elif diagnosis == "overlap" or "overlap" in subtypes:
        truth = None
    elif diagnosis == "morphea" and not params.get("systemic", True):
        truth = None
    else:
        truth = False
    head_zh = f"您填写的诊断是{DIAGNOSIS_ZH[diagnosis]}"
    head_en = f"You said you have {DIAGNOSIS_EN[diagnosis]}"
    if truth is True:
        return _Finding(
            True, f"{head_zh}，属于本条所说的{want_zh}", f"{head_en}, which is {want_en}"
        )
    if truth is False:
        return _Finding(
            False, f"{head_zh}，不属于本条所说的{want_zh}", f"{head_en}, which is not {want_en}"
        )
    return _Finding(
        None, f"{head_zh}；本条涉及{want_zh}", f"{head_en}; this criterion is about {want_en}"
    )


def _therapy_finding(params: dict, patient: Patient) -> _Finding:
    therapies = params.get("therapies", [])
    names_zh = "、".join(THERAPY_ZH[t] for t in therapies)
    names_en = " or ".join(THERAPY_EN[t] for t in therapies)
    current = [t for t in therapies if t in patient.current_treatments]
    past = [t for t in therapies if t in patient.past_treatments and t not in current]
    when = params.get("when", "any")
    within = params.get("within_months")
    dose = params.get("min_dose_mg")
    if within:
        window_zh = f"最近 {_fmt(within)} 个月内"
        window_en = f"in the last {_fmt(within)} months"
    else:
        window_zh = window_en = ""
    dose_zh = f"（每天超过 {_fmt(dose)} mg）" if dose is not None else ""
    dose_en = f" (more than {_fmt(dose)} mg a day)" if dose is not None else ""
    drug = params.get("drug")
    if drug and (current or past):
        return _Finding(
            None,
            f"您勾选了{THERAPY_ZH['glucocorticoids']}，但本条只说到 {drug}，需要核对是不是同一种药",
            f"You ticked {THERAPY_EN['glucocorticoids']}; this criterion is only about {drug}",
        )
    if current:
        used_zh = "、".join(THERAPY_ZH[t] for t in current)
        used_en = " and ".join(THERAPY_EN[t] for t in current)
        if dose is not None:
            return _Finding(
                None,
                f"您正在使用{used_zh}，但本条看剂量{dose_zh}，需要核对您的剂量",
                f"You are taking {used_en}, but this criterion depends on the dose{dose_en}",
            )
        return _Finding(True, f"您正在使用{used_zh}", f"You are currently taking {used_en}")
    if past:
        used_zh = "、".join(THERAPY_ZH[t] for t in past)
        used_en = " and ".join(THERAPY_EN[t] for t in past)
        if when == "current":
            return _Finding(
                False,
                f"您以前用过{used_zh}，现在没有使用",
                f"You used {used_en} before but are not taking it now",
            )
        if within:
            return _Finding(
                None,
                f"您以前用过{used_zh}，但本条只看{window_zh}是否用过，需要核对最后一次用药时间",
                f"You used {used_en} before; this criterion is about {window_en}, so the date of the last dose matters",
            )
        if dose is not None:
            return _Finding(
                None,
                f"您以前用过{used_zh}，但本条看剂量{dose_zh}",
                f"You used {used_en} before, but this criterion depends on the dose{dose_en}",
            )
        if when == "any":
            return _Finding(
                None,
                f"您以前用过{used_zh}；本条没有说是指正在用还是以前用过",
                f"You used {used_en} before; this criterion does not say whether it means now or ever",
            )
        return _Finding(True, f"您用过{used_zh}", f"You have used {used_en}")
    return _Finding(
        None,
        f"您没有勾选{names_zh}，无法确定您是否{window_zh}用过",
        f"You did not tick {names_en}, so we cannot tell whether you have used it {window_en}".rstrip(),
    )


def _pregnancy_finding(params: dict, patient: Patient) -> _Finding:
    if patient.sex == "MALE":
        return _Finding(
            False,
            "本条只涉及怀孕或哺乳，与男性无关",
            "This is about pregnancy or breastfeeding; it does not apply to men",
        )
    if patient.pregnant is True:
        return _Finding(True, "您正在怀孕", "You are pregnant")
    if patient.pregnant is False:
        if params.get("breastfeeding"):
            return _Finding(
                None,
                "您没有怀孕；本条也涉及哺乳，需要确认您是否在哺乳",
                "You are not pregnant; this also covers breastfeeding, which we did not ask about",
            )
        return _Finding(False, "您目前没有怀孕", "You are not pregnant")
    return _Finding(None, "您没有填写是否怀孕", "You did not say whether you are pregnant")


def _organ_finding(params: dict, patient: Patient) -> _Finding:
    organ = params["organ"]
    term = params.get("term", "")
    name_zh = TERM_ZH.get(term, ORGAN_ZH[organ])
    name_en = term or ORGAN_EN[organ]
    if organ in patient.organs:
        if params.get("narrower"):
            return _Finding(
                None,
                f"您勾选了{ORGAN_ZH[organ]}，但是否属于本条所说的{name_zh}需要医生判断",
                f"You ticked {ORGAN_EN[organ]}; whether that is {name_en} needs a doctor",
            )
        return _Finding(True, f"您勾选了{ORGAN_ZH[organ]}", f"You ticked {ORGAN_EN[organ]}")
    return _Finding(
        None,
        f"您没有勾选{ORGAN_ZH[organ]}，无法确定您是否有{name_zh}",
        f"You did not tick {ORGAN_EN[organ]}, so we cannot tell whether you have {name_en}",
    )


def _sex_finding(params: dict, patient: Patient) -> _Finding:
    sex = params["sex"]
    if sex == "ALL":
        return _Finding(True, "男女均可参加", "Open to all sexes")
    want_zh = "女性" if sex == "FEMALE" else "男性"
    want_en = "women" if sex == "FEMALE" else "men"
    if patient.sex is None:
        return _Finding(
            None,
            f"本研究只招募{want_zh}，您没有填写性别",
            f"Only {want_en} can join; you did not give your sex",
        )
    if patient.sex == sex:
        return _Finding(
            True,
            f"本研究只招募{want_zh}，您是{want_zh}",
            f"Only {want_en} can join, and you are one",
        )
    return _Finding(False, f"本研究只招募{want_zh}", f"Only {want_en} can join")


def _healthy_finding(params: dict, patient: Patient) -> _Finding:
    if params["accepted"]:
        return _Finding(
            None,
            "本研究也接受健康志愿者，需要确认是否招募硬皮病患者",
            "This study takes healthy volunteers; check that it also takes people with scleroderma",
        )
    return _Finding(
        True, "本研究招募患者，不招健康志愿者", "This study is for patients, not healthy volunteers"
    )


_FINDERS = {
    "age": lambda p, patient: _measure_finding("age", p, patient),
    "mrss": lambda p, patient: _measure_finding("mrss", p, patient),
    "fvc": lambda p, patient: _measure_finding("fvc", p, patient),
    "dlco": lambda p, patient: _measure_finding("dlco", p, patient),
    "disease_duration": _duration_finding,
    "subtype": _subtype_finding,
    "therapy": _therapy_finding,
    "pregnancy": _pregnancy_finding,
    "organ": _organ_finding,
    "sex": _sex_finding,
    "healthy_volunteers": _healthy_finding,
}


def _atom_finding(rule: Rule, patient: Patient) -> _Finding:
    finding = _FINDERS[rule.kind](rule.params, patient)
    if rule.params.get("negated") and finding.truth is not None:
        return _Finding(not finding.truth, finding.zh, finding.en)
    return finding


_TAILS = {
    (INCLUSION, Fit.MET): ("，符合这一条", "; this criterion is met"),
    (INCLUSION, Fit.NOT_MET): ("，不符合这一条", "; this criterion is not met"),
    (EXCLUSION, Fit.MET): (
        "，这条排除标准不适用于您",
        "; this exclusion does not apply to you",
    ),
    (EXCLUSION, Fit.NOT_MET): ("，属于这条排除标准", "; this exclusion applies to you"),
}


def _assess_one(criterion: Criterion, patient: Patient) -> Assessment:
    rule = criterion.rule
    if rule is None:
        return Assessment(criterion, Fit.UNKNOWN, NEEDS_DOCTOR_ZH, NEEDS_DOCTOR_EN)
    only_sex = rule.params.get("only_sex")
    if only_sex and patient.sex != only_sex:
        who_zh, who_en = ("女性", "women") if only_sex == "FEMALE" else ("男性", "men")
        return Assessment(
            criterion,
            Fit.UNKNOWN,
            f"本条只说到{who_zh}，{NEEDS_DOCTOR_ZH}",
            f"This criterion is only about {who_en}; {NEEDS_DOCTOR_EN[0].lower()}{NEEDS_DOCTOR_EN[1:]}",
        )
    atoms = [Rule(rule.kind, rule.params), *rule.params.get("also", [])]
    findings = [_atom_finding(atom, patient) for atom in atoms]
    partial = bool(rule.params.get("partial"))
    join = rule.params.get("join", "and")
    truths = [finding.truth for finding in findings]
    if join == "or":
        if any(t is True for t in truths):
            truth, deciding = True, [f for f in findings if f.truth is True]
        elif all(t is False for t in truths) and not partial:
            truth, deciding = False, findings
        else:
            truth, deciding = None, findings
    else:
        if any(t is False for t in truths):
            truth, deciding = False, [f for f in findings if f.truth is False]
        elif all(t is True for t in truths) and not partial:
            truth, deciding = True, findings
        else:
            truth, deciding = None, findings
    if rule.params.get("clause_negated") and truth is not None:
        truth = not truth
    if truth is None:
        fit = Fit.UNKNOWN
    elif criterion.section == EXCLUSION:
        fit = Fit.NOT_MET if truth else Fit.MET
    else:
        fit = Fit.MET if truth else Fit.NOT_MET
    zh = "；".join(f.zh for f in deciding)
    en = "; ".join(f.en for f in deciding).replace("; You ", "; you ").replace("; Your ", "; your ")
    if fit == Fit.UNKNOWN:
        if partial and all(t is not None for t in truths):
            zh += "；本条还有其他要求"
            en += "; this criterion asks for more than that"
        zh += "，" + NEEDS_DOCTOR_ZH
        en += f"; {NEEDS_DOCTOR_EN[0].lower()}{NEEDS_DOCTOR_EN[1:]}"
    else:
        tail_zh, tail_en = _TAILS[(criterion.section, fit)]
        zh += tail_zh
        en += tail_en
    return Assessment(criterion, fit, zh, en)


def assess(criteria: list[Criterion], patient: Patient) -> list[Assessment]:
    """One assessment per criterion, in the same order."""
    return [_assess_one(criterion, patient) for criterion in criteria]


def eligibility_for(trial, patient: Patient) -> EligibilityResult:
    """Assess a patient against a trial's structured fields and criteria text (no queries)."""
    criteria = structured_criteria(
        minimum_age=trial.minimum_age,
        maximum_age=trial.maximum_age,
        sex=trial.sex,
        healthy_volunteers=trial.healthy_volunteers,
    ) + parse_criteria(trial.eligibility_criteria)
    assessments = assess(criteria, patient)
    not_met = [a for a in assessments if a.fit == Fit.NOT_MET]
    return EligibilityResult(
        assessments=assessments,
        definitely_excluded=bool(not_met),
        exclusion_reasons_zh=[a.reason_zh for a in not_met],
        exclusion_reasons_en=[a.reason_en for a in not_met],
        met=sum(1 for a in assessments if a.fit == Fit.MET),
        not_met=len(not_met),
        unknown=sum(1 for a in assessments if a.fit == Fit.UNKNOWN),
    )
