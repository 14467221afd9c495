"""Find the trials that could fit a patient: plan the query, read candidates from the index.

Two stages, so a query stays fast over the whole registry. Stage one asks the database's
full-text index (SQLite FTS5 or PostgreSQL tsvector) for at most `CANDIDATE_CAP` matching
entries per status group, with their text relevance; when a status group has fewer matches
than that (any condition-specific query on the real registry) the stage is exact, otherwise it
keeps the first matches in index order. Stage two (`finder.ranking`) orders a bounded number
of them exactly, with the eligibility rules and distances.

Nothing is written and nothing is logged here: the patient's answers live only in the request.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from core.identifiers import find_nct_ids, replace_all
from core.text import normalise, stem
from finder.geo import Place, gazetteer
from finder.index_tokens import analyse
from finder.models import FINISHED, GROUP_SPAN, ONGOING, OPEN, TrialIndexEntry
from finder.patient import Patient
from finder.synonyms import BY_KEY, ORGAN_CONCEPTS, ORGAN_CONCEPTS_WIDENING
from trials.models import Trial

CANDIDATE_CAP = 1000
TITLE_WEIGHT, BODY_WEIGHT = 4.0, 1.0


class UnknownPlace(ValueError):
    """The patient's city is not in the gazetteer; `suggestions` are names it does know."""

    def __init__(self, city: str, suggestions: list[str]):
        super().__init__(city)
        self.city = city
        self.suggestions = suggestions


@dataclass(frozen=True)
class SearchRequest:
    """What to look for.

    `condition` (the command's ``--condition``) names what every result must be about.
    `ssc_family` (the web form) asks for trials about systemic sclerosis, or about an
    SSc-typical organ problem the patient reported (a lung-fibrosis trial may take SSc-ILD).
    """

    patient: Patient = field(default_factory=Patient)
    condition: str = ""
    ssc_family: bool = False
    include_finished: bool = False
    top: int = 10


@dataclass
class Plan:
    required: list[str] = field(default_factory=list)  # at least one must match
    # Diseases and organ problems named in the text: trials about all of them are read first,
    # those about any of them only when too few are about all.
    all_of: list[str] = field(default_factory=list)
    boost: list[str] = field(default_factory=list)  # ranked by, any may match
    words: dict[str, str] = field(default_factory=dict)  # token → how the patient wrote it

    @property
    def empty(self) -> bool:
        return not self.required and not self.all_of and not self.boost


@dataclass
class Candidate:
    trial_id: int
    nct_id: str
    status_group: int
    min_age_days: int | None
    max_age_days: int | None
    sex: str
    countries: str
    relevance: float  # raw full-text score, higher is better; 0 without a text query


def plan_query(request: SearchRequest) -> Plan:
    plan = Plan()

    def add(tokens, target):
        for token in tokens:
            if token not in target:
                target.append(token)

    text = analyse(request.patient.text)
    _remember_words(plan, request.patient.text)
    for concept in text.concepts:
        plan.words.setdefault(concept.token, str(concept.label))
    if request.condition:
        condition = analyse(request.condition)
        _remember_words(plan, request.condition)
        for concept in condition.concepts:
            plan.words.setdefault(concept.token, str(concept.label))
        add(condition.concept_tokens or [_phrase(condition.tokens)], plan.required)
    if request.ssc_family:
        family = ["xxssc"]
        if request.patient.diagnosis == "morphea":
            family = ["xxmorphea", "xxssc"]
        for organ in request.patient.organs:
            key = ORGAN_CONCEPTS.get(organ)
            if key in ORGAN_CONCEPTS_WIDENING:
                family.append(BY_KEY[key].token)
        add(family, plan.required)
        for token in family:
            plan.words.setdefault(token, str(_concept_label(token)))
    for organ in sorted(request.patient.organs):
        key = ORGAN_CONCEPTS.get(organ)
        if key:
            add([BY_KEY[key].token], plan.boost)
            plan.words.setdefault(BY_KEY[key].token, str(BY_KEY[key].label))
    if not plan.required and text.concepts:
        conditions = [concept.token for concept in text.concepts if concept.is_condition]
        # A query naming a disease is about that disease; treatments then only rank.
        add(conditions or text.concept_tokens, plan.required)
        if len(conditions) > 1:
            plan.all_of = conditions
    add(text.tokens, plan.boost)
    add([token for token in plan.required if " " not in token], plan.boost)
    return plan


def _concept_label(token: str):
    for concept in BY_KEY.values():
        if concept.token == token:
            return concept.label
    return token


def _remember_words(plan: Plan, text: str) -> None:
    """Map each stem back to a word as typed, to say in plain words why a trial matched."""
    for word in normalise(text).replace(",", " ").split():
        if word.isascii() and word.isalnum():
            plan.words.setdefault(stem(word), word)
        else:
            plan.words.setdefault(word, word)


def _phrase(tokens: list[str]) -> str:
    return " ".join(tokens)


def locate_patient(patient: Patient) -> Place | None:
    """The patient's place, None when no city was given; UnknownPlace when it is not known."""
    if not patient.city.strip():
        return None
    place = gazetteer().locate(patient.city, patient.country)
    if place is None:
        raise UnknownPlace(patient.city, gazetteer().close_matches(patient.city, patient.country))
    return place


def groups_for(request: SearchRequest) -> list[int]:
    return [OPEN, ONGOING, FINISHED] if request.include_finished else [OPEN]


def candidates(
    plan: Plan,
    groups: list[int],
    *,
    cap: int = CANDIDATE_CAP,
    enough: int = 10,
    settled: Callable[[list[Candidate]], bool] | None = None,
) -> list[Candidate]:
    """Matching index entries, open trials first; at most `cap` per status group.

    When the text names several diseases or organ problems, trials about all of them are
    read first, and trials about any of them are added only if fewer than `enough` are found.
    `settled(found)` is asked after each status group: when the candidates read so far already
    fill the ranking's shortlist, later status groups (which rank after them) are not read.
    """
    if plan.all_of:
        narrow = Plan(required=[], all_of=plan.all_of, boost=plan.boost, words=plan.words)
        found = _read(narrow, groups, cap, settled)
        if len(found) >= enough:
            return found
        seen = {candidate.trial_id for candidate in found}
        wide = Plan(required=plan.required, boost=plan.boost, words=plan.words)
        return found + [c for c in _read(wide, groups, cap, settled) if c.trial_id not in seen]
    return _read(plan, groups, cap, settled)


def _read(plan: Plan, groups: list[int], cap: int, settled=None) -> list[Candidate]:
    found: list[Candidate] = []
    for group in groups:
        if found and settled is not None and settled(found):
            break
        if plan.empty:
            found.extend(_scan(group, cap))
        elif connection.vendor == "sqlite":
            found.extend(_sqlite(plan, group, cap))
        elif connection.vendor == "postgresql":
            found.extend(_postgres(plan, group, cap))
        else:
            raise NotImplementedError(
                f"the trial finder needs SQLite or PostgreSQL, not {connection.vendor}"
            )
    return found


_COLUMNS = (
    "e.trial_id, e.nct_id, e.status_group, e.min_age_days, e.max_age_days, e.sex, e.countries"
)


def _scan(group: int, cap: int) -> list[Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS}, 0 FROM finder_trialindexentry e "
            "WHERE e.status_group = %s ORDER BY e.trial_id LIMIT %s",
            [group, cap],
        )
        return [Candidate(*row) for row in cursor.fetchall()]


def _fts5_term(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _boolean_expression(plan: Plan, term: Callable[[str], str], and_: str, or_: str) -> str:
    """The plan as one query: the required terms (all or any of them), and any boost term."""
    boost = or_.join(term(token) for token in plan.boost)
    if plan.all_of:
        required = and_.join(term(token) for token in plan.all_of)
    elif plan.required:
        required = or_.join(term(token) for token in plan.required)
    else:
        return boost
    return f"({required}){and_}({boost})" if boost else f"({required})"


def fts5_expression(plan: Plan) -> str:
    return _boolean_expression(plan, _fts5_term, " AND ", " OR ")


def text_score(tokens: list[str], title_tokens: str, body_tokens: str) -> float:
    """How much of what was asked a record says, BM25-like without corpus statistics.

    Each asked token adds, for the title (title, conditions, keywords, interventions) and the
    summary apart, a weight that grows with how often the record says it and saturates
    (2·tf/(tf+1): 1 for once, 1.33 twice, 1.5 three times); the title weighs more.
    """
    # Doubled spaces, so that str.count sees every occurrence (" a a " holds one " a ").
    title = f" {title_tokens.replace(' ', '  ')} "
    body = f" {body_tokens.replace(' ', '  ')} "
    score = 0.0
    for token in tokens:
        needle = f" {token} "
        for text, weight in ((title, TITLE_WEIGHT), (body, BODY_WEIGHT)):
            count = text.count(needle)
            if count:
                score += weight * 2 * count / (count + 1)
    return score


def _sqlite(plan: Plan, group: int, cap: int) -> list[Candidate]:
    """FTS5 finds the matching rows; the score is computed here, not with bm25().

    bm25() needs, for every term of the query, the number of rows containing it, which FTS5
    counts by reading the term's whole list: ~130 ms for words like "disease" over 600,000
    studies, whatever the LIMIT. Reading the matches in row order and scoring the (at most
    `cap`) rows read costs a few milliseconds.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS}, e.title_tokens, e.body_tokens "
            "FROM finder_trial_fts JOIN finder_trialindexentry e "
            "ON e.fts_rowid = finder_trial_fts.rowid "
            "WHERE finder_trial_fts MATCH %s AND finder_trial_fts.rowid BETWEEN %s AND %s "
            "LIMIT %s",
            [fts5_expression(plan), group * GROUP_SPAN, (group + 1) * GROUP_SPAN - 1, cap],
        )
        tokens = [token for token in plan.boost if " " not in token]
        return [
            Candidate(*row[:-2], text_score(tokens, row[-2], row[-1])) for row in cursor.fetchall()
        ]


def _ts_term(token: str) -> str:
    if " " in token:
        return "(" + " <-> ".join(_ts_term(part) for part in token.split()) + ")"
    return "'" + token.replace("'", "''").replace("\\", "") + "'"


def tsquery_expression(plan: Plan) -> str:
    return _boolean_expression(plan, _ts_term, " & ", " | ")


def _postgres(plan: Plan, group: int, cap: int) -> list[Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS}, ts_rank(e.search_vector, q) "
            "FROM finder_trialindexentry e, to_tsquery('simple', %s) q "
            "WHERE e.status_group = %s AND e.search_vector @@ q LIMIT %s",
            [tsquery_expression(plan), group, cap],
        )
        return [Candidate(*row) for row in cursor.fetchall()]


# Site search ------------------------------------------------------------------------------

SITE_TITLE_WEIGHT = 3.0
SITE_QUERY_TOKENS = 8


@dataclass(frozen=True)
class TrialMatch:
    """A stored trial found by the site search, with what its result line shows."""

    nct_id: str
    title: str
    status: str
    score: float  # higher is better; an NCT number asked for outranks every word match


def trials_matching(query: str, *, limit: int = 20) -> list[TrialMatch]:
    """The stored trials a site search lists, best first, read from this app's index.

    The site search must not keep its own copy of the registry (600,000 studies), so it asks
    the index the finder already keeps current. An NCT number in the query finds its trial by
    the number itself, first. The other words are analysed as the index was; a trial must hold
    all of them or, when none does, at least half of the first `SITE_QUERY_TOKENS`, as the
    in-memory search did. A word that names a concept of the synonym table is also matched by
    the concept's token, so "scleroderma" finds "Systemic Sclerosis" and 硬皮病 English records.
    Ranked by BM25 (FTS5's bm25(), title column 3×) on SQLite, ts_rank on PostgreSQL.
    """
    text = normalise(query)
    found: dict[str, TrialMatch] = {}
    wanted = list(dict.fromkeys(find_nct_ids(text)))
    if wanted:
        rows = TrialIndexEntry.objects.filter(nct_id__in=wanted).values_list(
            "nct_id", "trial__brief_title", "trial__official_title", "status"
        )
        by_id = {row[0]: row for row in rows}
        for nct_id in wanted:
            if nct_id in by_id:
                found[nct_id] = _trial_match(*by_id[nct_id], math.inf)
    terms = _site_terms(replace_all(text, lambda mention: " ", registries=("NCT",)))
    if terms and len(found) < limit:
        matches = _word_matches(terms, limit)
        if not matches and len(terms) > 1:
            needed = max(1, math.ceil(len(terms[:SITE_QUERY_TOKENS]) / 2))
            matches = _word_matches(terms[:SITE_QUERY_TOKENS], limit, needed=needed)
        for match in matches:
            found.setdefault(match.nct_id, match)
    return list(found.values())[:limit]


def _trial_match(nct_id, brief_title, official_title, status, score) -> TrialMatch:
    return TrialMatch(nct_id, brief_title or official_title or nct_id, status or "", score)


def _site_terms(text: str) -> list[tuple[str, ...]]:
    """The query's tokens, each with the concept tokens that may stand for it."""
    analysis = analyse(text)
    concepts = set(analysis.concept_tokens)
    terms: list[tuple[str, ...]] = []
    for token in dict.fromkeys(analysis.tokens):
        if token in concepts:
            terms.append((token,))
        else:
            terms.append((token, *analyse(token).concept_tokens))
    return terms


def _all_of_some(terms: list[tuple[str, ...]], needed: int, term, and_: str, or_: str) -> str:
    """Every way of having `needed` of the terms: (a AND b) OR (a AND c) OR …, where a term
    is matched by any of its tokens."""

    def either(tokens: tuple[str, ...]) -> str:
        return "(" + or_.join(term(token) for token in tokens) + ")"

    return or_.join(
        "(" + and_.join(either(tokens) for tokens in group) + ")"
        for group in itertools.combinations(terms, needed)
    )


def _word_matches(
    tokens: list[tuple[str, ...]], limit: int, *, needed: int | None = None
) -> list[TrialMatch]:
    """Ranked on the index alone, then joined to the trials for the titles of the few shown
    (joining first read a trial row for every match: 150 ms more for 17,000 matches)."""
    needed = needed or len(tokens)
    entries, trials = TrialIndexEntry._meta.db_table, Trial._meta.db_table
    if connection.vendor == "sqlite":
        ranked = (
            "SELECT rowid AS fts_rowid, -bm25(finder_trial_fts, %s, 1.0) AS score "
            "FROM finder_trial_fts WHERE finder_trial_fts MATCH %s "
            "ORDER BY score DESC, rowid LIMIT %s"
        )
        parameters = [SITE_TITLE_WEIGHT, _all_of_some(tokens, needed, _fts5_term, " AND ", " OR ")]
    elif connection.vendor == "postgresql":
        ranked = (
            f"SELECT e.fts_rowid, ts_rank(e.search_vector, q) AS score FROM {entries} e, "
            "to_tsquery('simple', %s) q WHERE e.search_vector @@ q "
            "ORDER BY score DESC, e.fts_rowid LIMIT %s"
        )
        parameters = [_all_of_some(tokens, needed, _ts_term, " & ", " | ")]
    else:
        raise NotImplementedError(
            f"site search needs SQLite or PostgreSQL, not {connection.vendor}"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.nct_id, t.brief_title, t.official_title, e.status, m.score "
            f"FROM ({ranked}) m JOIN {entries} e ON e.fts_rowid = m.fts_rowid "
            f"JOIN {trials} t ON t.id = e.trial_id ORDER BY m.score DESC, m.fts_rowid",
            [*parameters, limit],
        )
        return [_trial_match(*row) for row in cursor.fetchall()]
